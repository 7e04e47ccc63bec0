import { z } from 'zod';
import { SEVERITIES, type Severity, type SeverityNumber, severityNumber } from '../../shared/vocabulary.js';
import { firstOfList, flexList, flexText, isoOrEpochMs, optional, timestamp } from '../validation.js';

// Portal records, validated and normalized. Solr search docs use snake_case `case_*` keys; the Case Management
// REST API (`/v1/cases/...`) uses camelCase. Optional keys are absent rather than null at the real Portal, but null
// is accepted as absent too.

export type { SeverityNumber };

/** One support case, from the Solr search. */
export interface PortalCase {
  caseNumber: string;
  createdAt: Date;
  lastModifiedAt: Date;
  closedAt?: Date;
  owner: string;
  severity: SeverityNumber;
  severityLabel: Severity;
  account: string;
  summary: string;
  status: string;
  description: string;
  /** First element of `case_product`. */
  product: string;
  productVersion: string;
  tags: string[];
  bugzillaNumber?: string;
  /** The search doc as received. */
  raw: unknown;
}

export interface NotifiedUser {
  ssoUsername: string;
  title?: string;
}

/** A Bugzilla bug as the Portal links it to a case (no Bugzilla fields yet). */
export interface PortalBugLink {
  bugzillaNumber: string;
  url?: string;
  linkedAt?: Date;
  status?: string;
  summary?: string;
}

export interface PortalComment {
  /** Salesforce id; absent in some older payloads, so dedupe on (caseNumber, author, createdAt) as the original. */
  id?: string;
  caseNumber: string;
  author: string;
  authorType?: string;
  body: string;
  createdAt: Date;
  lastModifiedAt?: Date;
  isPublic?: boolean;
}

/** The case fields only the Case Management API has. */
export interface PortalCaseDetail {
  caseNumber: string;
  status?: string;
  critSit: boolean;
  groupName?: string;
  notifiedUsers: NotifiedUser[];
  reliefAt?: Date;
  resolvedAt?: Date;
  bugzillas: PortalBugLink[];
  comments: PortalComment[];
  raw: unknown;
}

/** A JIRA issue the Portal lists as linked to a case (`GET /cases/{n}/jiras`). */
export interface CaseJiraLink {
  caseNumber: string;
  key: string;
  url?: string;
  title: string;
  status?: string;
  lastModifiedAt?: Date;
}

const SEVERITY_BY_LABEL = new Map<string, SeverityNumber>(
  SEVERITIES.map((label) => [label.toLowerCase(), severityNumber(label)]),
);

/** `"2 (High)"` (the documented form), also `"2"` or `"High"`; anything else is invalid. */
export function parseSeverity(
  value: string,
): { severity: SeverityNumber; severityLabel: Severity } | undefined {
  const match = /^\s*([1-4])?\s*(?:\(?\s*([A-Za-z]+)\s*\)?)?\s*$/.exec(value);
  if (!match || (!match[1] && !match[2])) return undefined;
  const byNumber = match[1] ? (Number(match[1]) as SeverityNumber) : undefined;
  const byLabel = match[2] ? SEVERITY_BY_LABEL.get(match[2].toLowerCase()) : undefined;
  if (match[2] && byLabel === undefined) return undefined;
  if (byNumber && byLabel && byNumber !== byLabel) return undefined;
  const severity = (byNumber ?? byLabel) as SeverityNumber;
  return { severity, severityLabel: SEVERITIES[severity - 1]! };
}

const severity = z.string().transform((v, ctx) => {
  const parsed = parseSeverity(v);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `unknown severity "${v.slice(0, 40)}"` });
    return z.NEVER;
  }
  return parsed;
});

const caseNumber = z
  .string()
  .trim()
  .regex(/^\d{1,12}$/, 'case number must be digits');

/** `case_tags`: a list, where a single element may hold several tags separated by `;`. */
export const caseTags = flexList.transform((list) => [
  ...new Set(
    list
      .flatMap((tag) => tag.split(';'))
      .map((tag) => tag.trim())
      .filter(Boolean),
  ),
]);

/** Keeps the input next to the parsed record, for `raw`. */
export function withRaw<S extends z.ZodType>(schema: S) {
  return z.unknown().transform((raw, ctx): z.output<S> & { raw: unknown } => {
    const result = schema.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      }
      return z.NEVER;
    }
    return { ...(result.data as object), raw } as z.output<S> & { raw: unknown };
  });
}

const solrCaseDoc = z
  .object({
    case_number: caseNumber,
    case_createdDate: timestamp,
    case_lastModifiedDate: timestamp,
    case_closedDate: optional(timestamp),
    case_owner: optional(flexText),
    case_severity: severity,
    case_account_name: optional(flexText),
    case_summary: optional(flexText),
    case_status: flexText,
    case_description: optional(flexText),
    case_product: optional(firstOfList),
    case_version: optional(firstOfList),
    case_tags: optional(caseTags),
    case_bugzillaNumber: optional(firstOfList),
  })
  .transform(
    (doc): Omit<PortalCase, 'raw'> => ({
      caseNumber: doc.case_number,
      createdAt: doc.case_createdDate,
      lastModifiedAt: doc.case_lastModifiedDate,
      ...(doc.case_closedDate ? { closedAt: doc.case_closedDate } : {}),
      owner: doc.case_owner ?? '',
      ...doc.case_severity,
      account: doc.case_account_name ?? '',
      summary: doc.case_summary ?? '',
      status: doc.case_status,
      description: doc.case_description ?? '',
      product: doc.case_product ?? '',
      productVersion: doc.case_version ?? '',
      tags: doc.case_tags ?? [],
      ...(doc.case_bugzillaNumber?.trim() ? { bugzillaNumber: doc.case_bugzillaNumber.trim() } : {}),
    }),
  );

export const portalCaseSchema = withRaw(solrCaseDoc);

/** The field list requested from Solr (`fl`); the Portal returns every field otherwise. */
export const CASE_SEARCH_FIELDS = [
  'case_number',
  'case_account_name',
  'case_summary',
  'case_status',
  'case_owner',
  'case_severity',
  'case_createdDate',
  'case_lastModifiedDate',
  'case_closedDate',
  'case_bugzillaNumber',
  'case_description',
  'case_tags',
  'case_product',
  'case_version',
] as const;

export const solrResponseSchema = z.object({
  response: z.object({
    numFound: z.number().int().nonnegative(),
    docs: z.array(z.unknown()).default([]),
  }),
});

const idString = z.union([z.string(), z.number()]).transform((v) => String(v).trim());

// Built once: zod compiles an object schema on its first parse, and these are parsed for thousands
// of cases per sync; the per-case factories only wrap them in a transform.
const portalCommentFields = z.object({
  id: optional(idString),
  caseNumber: optional(caseNumber),
  commentBody: optional(flexText),
  createdBy: optional(z.string()),
  createdByType: optional(z.string()),
  createdDate: timestamp,
  lastModifiedDate: optional(timestamp),
  isPublic: optional(z.boolean()),
});

export const portalCommentSchema = (forCase: string) =>
  portalCommentFields.transform(
    (c): PortalComment => ({
      ...(c.id ? { id: c.id } : {}),
      caseNumber: c.caseNumber ?? forCase,
      author: c.createdBy ?? '',
      ...(c.createdByType ? { authorType: c.createdByType } : {}),
      body: c.commentBody ?? '',
      createdAt: c.createdDate,
      ...(c.lastModifiedDate ? { lastModifiedAt: c.lastModifiedDate } : {}),
      ...(c.isPublic === undefined ? {} : { isPublic: c.isPublic }),
    }),
  );

const notifiedUser = z
  .object({ ssoUsername: z.string().min(1), title: optional(z.string()) })
  .transform((u): NotifiedUser => ({ ssoUsername: u.ssoUsername, ...(u.title ? { title: u.title } : {}) }));

const portalBugLink = z
  .object({
    bugzillaNumber: idString,
    bugzillaLink: optional(z.string()),
    linkedAt: optional(timestamp),
    status: optional(z.string()),
    summary: optional(z.string()),
  })
  .transform(
    (b): PortalBugLink => ({
      bugzillaNumber: b.bugzillaNumber,
      ...(b.bugzillaLink ? { url: b.bugzillaLink } : {}),
      ...(b.linkedAt ? { linkedAt: b.linkedAt } : {}),
      ...(b.status ? { status: b.status } : {}),
      ...(b.summary ? { summary: b.summary } : {}),
    }),
  );

export const notifiedUsersSchema = z.array(notifiedUser);

/** The detail without its comments; those are validated one by one so one bad comment only rejects itself. */
export const portalCaseDetailSchema = withRaw(
  z.object({
    caseNumber,
    status: optional(z.string()),
    critSit: optional(z.boolean()),
    groupName: optional(z.string()),
    notifiedUsers: optional(z.array(notifiedUser)),
    reliefAt: optional(isoOrEpochMs),
    resolvedAt: optional(isoOrEpochMs),
    bugzillas: optional(z.array(portalBugLink)),
    comments: optional(z.array(z.unknown())),
  }),
);

const caseJiraLinkFields = z.object({
  resourceKey: z.string().min(1),
  resourceURL: optional(z.string()),
  title: z.string(),
  status: optional(z.string()),
  lastModifiedDate: optional(timestamp),
});

export const caseJiraLinkSchema = (forCase: string) =>
  caseJiraLinkFields.transform(
    (l): CaseJiraLink => ({
      caseNumber: forCase,
      key: l.resourceKey,
      ...(l.resourceURL ? { url: l.resourceURL } : {}),
      title: l.title,
      ...(l.status ? { status: l.status } : {}),
      ...(l.lastModifiedDate ? { lastModifiedAt: l.lastModifiedDate } : {}),
    }),
  );

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
});
