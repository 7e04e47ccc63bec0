import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { jiraBrowseUrl } from '../../shared/rules.js';
import type { Rejection } from '../types.js';
import { optional, parseEach, parseOne, timestamp } from '../validation.js';
import { adfToText } from './adf.js';

// JIRA records, validated and normalized for both flavors. User references differ (Cloud `accountId`, DC `name`),
// rich text differs (Cloud v3 ADF, DC wiki strings); both are folded into the same shapes here.

export interface JiraUser {
  /** Cloud `accountId`, DC `name` (what the flavor uses to assign). */
  id: string;
  displayName: string;
  email?: string;
}

export interface JiraSprintRef {
  id?: number;
  name: string;
  state?: string;
}

export interface JiraComment {
  id: string;
  issueKey: string;
  author?: JiraUser;
  /** Plain text (from ADF on Cloud) or wiki markup (DC); the UI must escape it. */
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

/** An issue on the team board (project + card label). */
export interface JiraCard {
  key: string;
  id: string;
  summary: string;
  /** The case number the summary starts with (`"04012345: …"`), when it does. */
  caseNumber?: string;
  /** JIRA's status name. */
  status: string;
  /** `config.jira.statusMap[status]`, or "Unknown" for a status the map does not know. */
  internalStatus: string;
  priority?: string;
  assignee?: JiraUser;
  contributors: JiraUser[];
  labels: string[];
  createdAt: Date;
  updatedAt: Date;
  sprints: JiraSprintRef[];
  description: string;
  /** Comments as embedded in the search result, or every comment when the client paged them. */
  comments: JiraComment[];
  /** False when the embedded list was truncated and not completed. */
  commentsComplete: boolean;
  raw: unknown;
}

/** A JIRA issue linked to a case (bugs, RFEs), read with `expand=renderedFields`. */
export interface LinkedIssue {
  key: string;
  id: string;
  url: string;
  summary: string;
  type?: string;
  status?: string;
  priority?: string;
  assignee?: JiraUser;
  qaContact?: JiraUser;
  /** Value of the severity option field (Critical, Important, …). */
  severity?: string;
  /** Fix version names, `"---"` (unset) removed. */
  fixVersions: string[];
  /** Red Hat private keywords, split on commas; undefined when the issue has no such field. */
  privateKeywords?: string[];
  internalWhiteboard?: string;
  updatedAt?: Date;
  raw: unknown;
}

/** An open issue in the escalations project, with the case numbers it escalates. */
export interface Escalation {
  key: string;
  status?: string;
  caseNumbers: string[];
  raw: unknown;
}

export interface RemoteLink {
  id?: string;
  globalId?: string;
  url: string;
  title: string;
}

export interface JiraTransition {
  id: string;
  name: string;
  toStatus?: string;
  /** Its screen requires a resolution (read with `expand=transitions.fields`). */
  requiresResolution?: boolean;
  /** The resolutions its screen offers, by name. */
  resolutions?: string[];
}

export interface JiraBoard {
  id: number;
  name: string;
  type?: string;
}

export interface JiraSprint {
  id: number;
  name: string;
  state: string;
  startDate?: Date;
  endDate?: Date;
}

const idString = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

export const jiraUserSchema = z
  .object({
    accountId: optional(z.string()),
    name: optional(z.string()),
    key: optional(z.string()),
    displayName: optional(z.string()),
    emailAddress: optional(z.string()),
  })
  .transform(
    (u): JiraUser => ({
      id: u.accountId ?? u.name ?? u.key ?? '',
      displayName: u.displayName ?? u.name ?? u.accountId ?? '',
      ...(u.emailAddress ? { email: u.emailAddress } : {}),
    }),
  );

/** A user value that must not fail its record when malformed (custom user fields vary by instance). */
function lenientUser(value: unknown): JiraUser | undefined {
  const parsed = jiraUserSchema.safeParse(value);
  return parsed.success && parsed.data.id ? parsed.data : undefined;
}

function lenientUsers(value: unknown): JiraUser[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.map(lenientUser).filter((u): u is JiraUser => u !== undefined);
}

/** Sprint field values: objects on Cloud, `…Sprint@abc[id=1,name=…,state=ACTIVE,…]` strings on older DC. */
export function parseSprintRefs(value: unknown): JiraSprintRef[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  const refs: JiraSprintRef[] = [];
  for (const item of list) {
    if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
      const s = item as { id?: unknown; name: string; state?: unknown };
      refs.push({
        name: s.name,
        ...(typeof s.id === 'number' ? { id: s.id } : {}),
        ...(typeof s.state === 'string' ? { state: s.state } : {}),
      });
    } else if (typeof item === 'string') {
      const name = /[[,]name=([^,\]]*)/.exec(item)?.[1];
      const id = /[[,]id=(\d+)/.exec(item)?.[1];
      const state = /[[,]state=([^,\]]*)/.exec(item)?.[1];
      if (name) refs.push({ name, ...(id ? { id: Number(id) } : {}), ...(state ? { state } : {}) });
    }
  }
  return refs;
}

/** Text of a rendered (HTML) field value. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

const CASE_PREFIX = /^\s*(\d{5,12})\s*:/;
const CASE_NUMBER = /\b\d{8}\b/g;

// Built once: zod compiles an object schema on its first parse, so a schema made per issue (or per
// case, below) would be compiled again for every one of thousands of records of a sync. The
// per-record factories only wrap it in a transform.
const jiraCommentFields = z.object({
  id: idString,
  author: optional(jiraUserSchema),
  body: z.unknown(),
  created: timestamp,
  updated: optional(timestamp),
});

export const jiraCommentSchema = (issueKey: string) =>
  jiraCommentFields.transform(
    (c): JiraComment => ({
      id: c.id,
      issueKey,
      ...(c.author?.id ? { author: c.author } : {}),
      body: adfToText(c.body),
      createdAt: c.created,
      updatedAt: c.updated ?? c.created,
    }),
  );

const named = z.object({ name: z.string() });

const cardIssue = z.object({
  id: idString,
  key: z.string().min(1),
  fields: z.looseObject({
    summary: z.string(),
    status: named,
    priority: optional(named),
    assignee: optional(jiraUserSchema),
    labels: optional(z.array(z.string())),
    created: timestamp,
    updated: timestamp,
    description: optional(z.unknown()),
    comment: optional(
      z.object({
        comments: optional(z.array(z.unknown())),
        total: optional(z.number()),
      }),
    ),
  }),
});

export interface CardParse {
  card?: JiraCard;
  rejected: Rejection[];
  /** Set when the card is kept but something in it needs attention (an unknown status). */
  note?: Rejection;
}

export function parseCard(raw: unknown, jira: Config['jira']): CardParse {
  const parsed = parseOne(raw, cardIssue, 'jira.card');
  if (!parsed.ok) return { rejected: [parsed.rejection] };
  const { id, key, fields } = parsed.value;
  const embedded = fields.comment;
  const comments = parseEach(embedded?.comments ?? [], jiraCommentSchema(key), 'jira.comment');
  const mapped = jira.statusMap[fields.status.name];
  const caseNumber = CASE_PREFIX.exec(fields.summary)?.[1];
  const card: JiraCard = {
    key,
    id,
    summary: fields.summary,
    ...(caseNumber ? { caseNumber } : {}),
    status: fields.status.name,
    internalStatus: mapped ?? 'Unknown',
    ...(fields.priority ? { priority: fields.priority.name } : {}),
    ...(fields.assignee?.id ? { assignee: fields.assignee } : {}),
    contributors: lenientUsers(fields[jira.fields.contributors]),
    labels: fields.labels ?? [],
    createdAt: fields.created,
    updatedAt: fields.updated,
    sprints: parseSprintRefs(fields[jira.fields.sprint]),
    description: adfToText(fields.description ?? ''),
    comments: comments.items,
    commentsComplete:
      embedded?.total !== undefined &&
      embedded.total <= (embedded.comments?.length ?? 0) &&
      !comments.rejected.length,
    raw,
  };
  return {
    card,
    rejected: comments.rejected,
    ...(mapped === undefined
      ? {
          note: {
            source: 'jira.card' as const,
            externalId: key,
            reason: `unknown JIRA status ${fields.status.name}`,
            payload: raw,
          },
        }
      : {}),
  };
}

const linkedIssue = z.object({
  id: idString,
  key: z.string().min(1),
  fields: z.looseObject({
    summary: optional(z.string()),
    issuetype: optional(named),
    status: optional(named),
    priority: optional(named),
    assignee: optional(jiraUserSchema),
    fixVersions: optional(z.array(named)),
    updated: optional(timestamp),
  }),
  renderedFields: optional(z.looseObject({})),
});

function optionValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (value && typeof value === 'object' && typeof (value as { value?: unknown }).value === 'string') {
    return (value as { value: string }).value;
  }
  return undefined;
}

function keywordList(value: unknown): string[] | undefined {
  if (Array.isArray(value))
    return value
      .map(String)
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof value !== 'string') return undefined;
  return htmlToText(value)
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseLinkedIssue(
  raw: unknown,
  jira: Config['jira'],
): { issue?: LinkedIssue; rejection?: Rejection } {
  const parsed = parseOne(raw, linkedIssue, 'jira.issue');
  if (!parsed.ok) return { rejection: parsed.rejection };
  const { id, key, fields, renderedFields } = parsed.value;
  const rendered = renderedFields ?? {};
  const f = jira.fields;
  const keywords =
    rendered[f.privateKeywords] !== undefined && rendered[f.privateKeywords] !== null
      ? keywordList(rendered[f.privateKeywords])
      : keywordList(fields[f.privateKeywords]);
  const whiteboard = fields[f.internalWhiteboard] ?? rendered[f.internalWhiteboard];
  const qaContact = lenientUser(fields[f.qaContact]);
  const severity = optionValue(fields[f.severity]);
  return {
    issue: {
      key,
      id,
      url: jiraBrowseUrl(jira.url, key) ?? `/browse/${key}`,
      summary: fields.summary ?? '',
      ...(fields.issuetype ? { type: fields.issuetype.name } : {}),
      ...(fields.status ? { status: fields.status.name } : {}),
      ...(fields.priority ? { priority: fields.priority.name } : {}),
      ...(fields.assignee?.id ? { assignee: fields.assignee } : {}),
      ...(qaContact ? { qaContact } : {}),
      ...(severity ? { severity } : {}),
      fixVersions: (fields.fixVersions ?? []).map((v) => v.name).filter((name) => name && name !== '---'),
      ...(keywords ? { privateKeywords: keywords } : {}),
      ...(typeof whiteboard === 'string' ? { internalWhiteboard: htmlToText(whiteboard) } : {}),
      ...(fields.updated ? { updatedAt: fields.updated } : {}),
      raw,
    },
  };
}

const escalationIssue = z.object({
  key: z.string().min(1),
  fields: z.looseObject({ status: optional(named) }),
  renderedFields: optional(z.looseObject({})),
});

/** Case numbers in a case-links field value: a string (plain or HTML), a list, or objects holding either. */
export function extractCaseNumbers(value: unknown): string[] {
  const text =
    typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  return [...new Set(text.match(CASE_NUMBER) ?? [])];
}

export function parseEscalation(
  raw: unknown,
  jira: Config['jira'],
): { escalation?: Escalation; rejection?: Rejection } {
  const parsed = parseOne(raw, escalationIssue, 'jira.escalation');
  if (!parsed.ok) return { rejection: parsed.rejection };
  const { key, fields, renderedFields } = parsed.value;
  // On Cloud the SFDC links field is restricted and only readable through renderedFields (t5g commit eaf073d).
  const value = renderedFields?.[jira.fields.caseLinks] ?? fields[jira.fields.caseLinks];
  return {
    escalation: {
      key,
      ...(fields.status ? { status: fields.status.name } : {}),
      caseNumbers: extractCaseNumbers(value),
      raw,
    },
  };
}

export const remoteLinkSchema = z
  .object({
    id: optional(idString),
    globalId: optional(z.string()),
    object: z.object({ url: z.string(), title: optional(z.string()) }),
  })
  .transform(
    (l): RemoteLink => ({
      ...(l.id ? { id: l.id } : {}),
      ...(l.globalId ? { globalId: l.globalId } : {}),
      url: l.object.url,
      title: l.object.title ?? '',
    }),
  );

const transitionField = z.object({
  required: optional(z.boolean()),
  allowedValues: optional(z.array(z.object({ name: optional(z.string()) }).loose())),
});

export const transitionsSchema = z.object({
  transitions: z.array(
    z
      .object({
        id: idString,
        name: z.string(),
        to: optional(named),
        fields: optional(z.record(z.string(), transitionField.loose())),
      })
      .transform((t): JiraTransition => {
        const resolution = t.fields?.resolution;
        const names = resolution?.allowedValues?.flatMap((v) => (v.name ? [v.name] : []));
        return {
          id: t.id,
          name: t.name,
          ...(t.to ? { toStatus: t.to.name } : {}),
          ...(resolution?.required ? { requiresResolution: true } : {}),
          ...(names?.length ? { resolutions: names } : {}),
        };
      }),
  ),
});

export const boardPageSchema = z.object({
  values: z.array(z.object({ id: z.number(), name: z.string(), type: optional(z.string()) })).default([]),
  isLast: optional(z.boolean()),
  total: optional(z.number()),
});

export const sprintPageSchema = z.object({
  values: z
    .array(
      z.object({
        id: z.number(),
        name: z.string(),
        state: z.string(),
        startDate: optional(timestamp),
        endDate: optional(timestamp),
      }),
    )
    .default([]),
  isLast: optional(z.boolean()),
});

export const commentPageSchema = z.object({
  comments: z.array(z.unknown()).default([]),
  startAt: optional(z.number()),
  total: optional(z.number()),
});

export const createdIssueSchema = z.object({ id: idString, key: z.string().min(1) });

export const myselfSchema = z.object({ timeZone: optional(z.string()) });
