import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { type Severity, severityNumber } from '../shared/vocabulary.js';
import type { BugRecord, CaseBugLink } from '../store/repositories/bugs.js';
import type { CardRecord, JiraUser } from '../store/repositories/cards.js';
import type { CaseDetailRecord } from '../store/repositories/case-details.js';
import type { CaseRef } from '../store/repositories/case-parents.js';
import type { CaseRecord } from '../store/repositories/cases.js';
import type { EscalationRecord } from '../store/repositories/escalations.js';
import type { CaseIssueLink, IssueRecord } from '../store/repositories/issues.js';
import type { JiraCommentRecord } from '../store/repositories/jira-comments.js';
import type { MirroredUserRecord } from '../store/repositories/mirror.js';
import {
  type LegacyBug,
  type LegacyCard,
  type LegacyIssue,
  legacyBugLinkSchema,
  legacyBugSchema,
  legacyCardSchema,
  legacyCaseSchema,
  legacyDetailSchema,
  legacyIssueSchema,
  legacyStatsSchema,
  legacyUserSchema,
  type MirrorKey,
  parseLegacyDate,
  statsDaySchema,
} from './layout.js';

// The original dashboard's Redis values → t5g's store records. Pure: no I/O, no clock. A blob key
// is split into records (one per case, card, day, user or escalation string), each with a content
// hash, so the writer can map and write only the records whose hash changed since the last mirror.
// Rows that hang off a case carry only its number: the writer resolves the case as stored.

export interface MirrorRecord {
  key: MirrorKey;
  /** The record's id inside the key: case number, JIRA key, day, user id, or a hash of the value. */
  id: string;
  value: unknown;
  hash: string;
}

const sha = (text: string) => createHash('sha1').update(text).digest('hex');
export const hashValue = (value: unknown): string => sha(JSON.stringify(value ?? null));

/** Whole-key failure: the value is not JSON, or not the shape the key holds at all. */
export class BlobError extends Error {}

/** Splits a key's JSON text into its records. `null` (the original's "nothing yet") is no records. */
export function splitBlob(key: MirrorKey, text: string | null): MirrorRecord[] {
  if (text === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BlobError(`invalid JSON in key ${key}: ${(err as Error).message}`);
  }
  if (value === null) return [];
  const record = (id: string, v: unknown): MirrorRecord => ({ key, id, value: v, hash: hashValue(v) });
  if (key === 'timestamp') return [record('timestamp', value)];
  if (key === 'escalations') {
    if (!Array.isArray(value)) throw new BlobError('key escalations: expected a JSON array of strings');
    // One record per distinct string: the list has no ids, its values are what identifies them.
    return [...new Set(value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))].map((v) =>
      record(escalationKey(v), v),
    );
  }
  if (typeof value !== 'object' || Array.isArray(value))
    throw new BlobError(`key ${key}: expected a JSON object keyed by id`);
  return Object.entries(value as Record<string, unknown>).map(([id, v]) => record(id, v));
}

/** A case child whose case is known by number only; `created` is the record's own hint, if any. */
export interface CaseChild<T> {
  caseNumber: string;
  created: Date | null;
  row: Omit<T, 'caseNumber' | 'caseCreatedDate'>;
}

export interface CardWithCase {
  card: Omit<CardRecord, 'caseNumber' | 'caseCreatedDate'>;
  caseNumber: string | null;
  created: Date | null;
}

export interface MirrorRejection {
  key: MirrorKey;
  id: string;
  reason: string;
  payload: unknown;
}

/**
 * What a set of records maps to. `derived*` are referenced entities seen inside a card (its case,
 * detail, bugs, issues): the writer stores them only where the key that holds them (`cases`,
 * `details`, `bugs`, `issues`) has no record of its own, so that key always wins.
 */
export interface MirrorBatch {
  cases: CaseRecord[];
  derivedCases: CaseRecord[];
  details: CaseChild<CaseDetailRecord>[];
  derivedDetails: CaseChild<CaseDetailRecord>[];
  bugs: BugRecord[];
  derivedBugs: BugRecord[];
  bugLinks: CaseChild<CaseBugLink>[];
  /** Complete bug lists per case (from `case_bz`): links not in them are removed. */
  bugLinkSets: { caseNumber: string; linked: string[] }[];
  issues: IssueRecord[];
  derivedIssues: IssueRecord[];
  issueLinks: CaseChild<CaseIssueLink>[];
  issueLinkSets: { caseNumber: string; linked: string[] }[];
  escalations: EscalationRecord[];
  /** Escalations to mark Closed (a string gone from `escalations`, a card no longer escalated). */
  closedEscalations: string[];
  cards: CardWithCase[];
  jiraComments: (CaseChild<JiraCommentRecord> & { jiraKey: string })[];
  stats: { day: string; metrics: Record<string, unknown> }[];
  users: MirroredUserRecord[];
  timestamp: Date | null;
  rejections: MirrorRejection[];
}

export const emptyBatch = (): MirrorBatch => ({
  cases: [],
  derivedCases: [],
  details: [],
  derivedDetails: [],
  bugs: [],
  derivedBugs: [],
  bugLinks: [],
  bugLinkSets: [],
  issues: [],
  derivedIssues: [],
  issueLinks: [],
  issueLinkSets: [],
  escalations: [],
  closedEscalations: [],
  cards: [],
  jiraComments: [],
  stats: [],
  users: [],
  timestamp: null,
  rejections: [],
});

/** The validation problems of a record, as one line: "field.path: message; …". */
function reasonOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`)
    .join('; ');
}

/** Escalation rows made from the `escalations` list are named by a hash of their string. */
export const escalationKey = (value: string) => `MIRROR-ESC-${sha(value).slice(0, 12)}`;
/** The escalation row a card's `escalated` flag stands for. */
export const cardEscalationKey = (jiraKey: string) => `MIRROR-CARD-${jiraKey}`;

const CASE_NUMBER = /\b\d{8}\b/g;

/** Maps the records of one key (all of them, or only the changed ones) and the ids removed from it. */
export function mapRecords(
  key: MirrorKey,
  records: readonly MirrorRecord[],
  removedIds: readonly string[] = [],
): MirrorBatch {
  const batch = emptyBatch();
  const reject = (r: MirrorRecord, reason: string) =>
    batch.rejections.push({ key, id: r.id, reason, payload: r.value });
  for (const r of records) {
    try {
      mapOne(batch, r, reject);
    } catch (err) {
      reject(r, (err as Error).message);
    }
  }
  // An escalation string gone from the list (its record id is already its row's key).
  if (key === 'escalations') batch.closedEscalations.push(...removedIds);
  // A card gone from `cards` no longer keeps its case on the prio-list.
  if (key === 'cards') batch.closedEscalations.push(...removedIds.map(cardEscalationKey));
  return batch;
}

function mapOne(batch: MirrorBatch, r: MirrorRecord, reject: (r: MirrorRecord, reason: string) => void) {
  switch (r.key) {
    case 'cases': {
      const p = legacyCaseSchema.safeParse(r.value);
      if (!p.success) return reject(r, reasonOf(p.error));
      if (!/^\d+$/.test(r.id)) return reject(r, `case number ${JSON.stringify(r.id)} is not a number`);
      const c = p.data;
      const label = /\((\w+)\)/.exec(c.severity)![1] as Severity;
      batch.cases.push({
        caseNumber: r.id,
        createdDate: c.createdate,
        owner: c.owner || null,
        severity: severityNumber(label),
        severityLabel: label,
        account: c.account,
        summary: c.problem,
        status: c.status,
        lastUpdate: c.last_update,
        description: c.description ?? '',
        product: c.product || null,
        productVersion: c.product_version || null,
        tags: c.tags ?? [],
        bugNumber: c.bug,
        closedDate: c.closeddate,
        raw: r.value,
      });
      return;
    }
    case 'details': {
      const p = legacyDetailSchema.safeParse(r.value);
      if (!p.success) return reject(r, reasonOf(p.error));
      batch.details.push(detailOf(r.id, null, p.data, r.value));
      return;
    }
    case 'case_bz': {
      const p = legacyBugLinkSchema.array().safeParse(r.value ?? []);
      if (!p.success) return reject(r, reasonOf(p.error));
      for (const b of p.data) {
        batch.bugLinks.push(bugLinkOf(r.id, b));
        // Auto-created from the link until the `bugs` key (or Bugzilla) has the bug itself.
        batch.derivedBugs.push(
          bugOf(
            {
              ...b,
              target_release: null,
              assignee: null,
              last_change_time: null,
              internal_whiteboard: null,
              qa_contact: null,
              severity: null,
            },
            b,
          ),
        );
      }
      batch.bugLinkSets.push({ caseNumber: r.id, linked: p.data.map((b) => b.bugzillaNumber) });
      return;
    }
    case 'bugs': {
      const p = legacyBugSchema.array().safeParse(r.value ?? []);
      if (!p.success) return reject(r, reasonOf(p.error));
      for (const b of p.data) {
        batch.bugs.push(bugOf(b, r.value));
        batch.bugLinks.push(bugLinkOf(r.id, b));
      }
      return;
    }
    case 'issues': {
      const p = legacyIssueSchema.array().safeParse(r.value ?? []);
      if (!p.success) return reject(r, reasonOf(p.error));
      for (const i of p.data) {
        batch.issues.push(issueOf(i));
        batch.issueLinks.push(issueLinkOf(r.id, i));
      }
      batch.issueLinkSets.push({ caseNumber: r.id, linked: p.data.map((i) => i.id) });
      return;
    }
    case 'escalations': {
      const text = String(r.value);
      const caseNumbers = [...new Set(text.match(CASE_NUMBER) ?? [])];
      if (caseNumbers.length === 0) return reject(r, 'names no 8-digit case number');
      batch.escalations.push({
        issueKey: r.id,
        url: null,
        summary: text.slice(0, 500),
        status: 'Open',
        caseNumbers,
        updatedAt: null,
        raw: { value: text },
      });
      return;
    }
    case 'cards': {
      const p = legacyCardSchema.safeParse(r.value);
      if (!p.success) return reject(r, reasonOf(p.error));
      if (!/^[A-Z][A-Z0-9_]*-\d+$/.test(r.id)) return reject(r, `${JSON.stringify(r.id)} is not a JIRA key`);
      mapCard(batch, r.id, p.data, r.value);
      return;
    }
    case 'stats': {
      const day = statsDaySchema.safeParse(r.id);
      if (!day.success) return reject(r, `day ${JSON.stringify(r.id)}: expected YYYY-MM-DD`);
      const p = legacyStatsSchema.safeParse(r.value);
      if (!p.success) return reject(r, reasonOf(p.error));
      batch.stats.push({ day: r.id, metrics: p.data });
      return;
    }
    case 'users': {
      const p = legacyUserSchema.safeParse(r.value);
      if (!p.success) return reject(r, reasonOf(p.error));
      const first = (name: string) => {
        const v = p.data[name];
        const x = Array.isArray(v) ? v[0] : v;
        return typeof x === 'string' && x !== '' ? x : null;
      };
      const all = (name: string) => {
        const v = p.data[name];
        return (Array.isArray(v) ? v : v ? [v] : []).map(String);
      };
      const name = [first('givenName'), first('sn')].filter(Boolean).join(' ');
      batch.users.push({
        userId: r.id,
        displayName: first('displayName') ?? first('cn') ?? (name || null),
        email: first('mail') ?? first('email'),
        groups: all('memberOf'),
        attributes: p.data,
      });
      return;
    }
    case 'timestamp': {
      const d = typeof r.value === 'string' ? parseLegacyDate(r.value) : undefined;
      if (!d) return reject(r, `not a date: ${JSON.stringify(r.value)}`);
      batch.timestamp = d;
      return;
    }
  }
}

function detailOf(
  caseNumber: string,
  created: Date | null,
  d: {
    crit_sit?: boolean | null;
    group_name?: string | null;
    notified_users?: { ssoUsername: string; title?: string | null }[] | null;
    relief_at: Date | null;
    resolved_at: Date | null;
  },
  raw: unknown,
): CaseChild<CaseDetailRecord> {
  return {
    caseNumber,
    created,
    row: {
      critSit: d.crit_sit ?? false,
      groupName: d.group_name ?? null,
      notifiedUsers: (d.notified_users ?? []).map((u) => ({
        ssoUsername: u.ssoUsername,
        ...(u.title ? { title: u.title } : {}),
      })),
      reliefAt: d.relief_at,
      resolvedAt: d.resolved_at,
      entitlementSla: null,
      raw,
    },
  };
}

function bugOf(b: LegacyBug, raw: unknown): BugRecord {
  const target = (b.target_release ?? []).filter((t) => t !== '---');
  return {
    bugId: b.bugzillaNumber,
    summary: b.summary,
    status: b.status,
    severity: b.severity,
    priority: null,
    component: null,
    targetRelease: b.target_release === null ? null : target,
    assignee: b.assignee,
    qaContact: b.qa_contact,
    lastChangeTime: b.last_change_time,
    internalWhiteboard: b.internal_whiteboard,
    keywords: null,
    unavailable: false,
    unavailableReason: null,
    raw: Array.isArray(raw) ? b : raw,
  };
}

function bugLinkOf(caseNumber: string, b: z.output<typeof legacyBugLinkSchema>): CaseChild<CaseBugLink> {
  return {
    caseNumber,
    created: null,
    row: { bugId: b.bugzillaNumber, linkedAt: b.linkedAt, portalStatus: b.status, portalSummary: b.summary },
  };
}

function issueOf(i: LegacyIssue): IssueRecord {
  return {
    issueKey: i.id,
    url: i.url,
    title: i.title,
    status: i.status,
    updatedAt: i.updated,
    qaContact: i.qa_contact,
    severity: i.jira_severity,
    issueType: i.jira_type,
    assignee: i.assignee,
    fixVersions: i.fix_versions,
    priority: i.priority,
    privateKeywords: i.private_keywords,
    raw: i,
  };
}

function issueLinkOf(caseNumber: string, i: LegacyIssue): CaseChild<CaseIssueLink> {
  return {
    caseNumber,
    created: null,
    row: { issueKey: i.id, url: i.url, title: i.title, portalStatus: i.status, lastModifiedAt: i.updated },
  };
}

const userOf = (u: NonNullable<LegacyCard['assignee']>): JiraUser | null => {
  const displayName = u.displayName ?? u.name ?? null;
  if (!displayName) return null;
  return {
    displayName,
    ...(u.accountId ? { accountId: u.accountId } : {}),
    ...(u.jira_user ? { name: u.jira_user } : {}),
    ...(u.emailAddress ? { emailAddress: u.emailAddress } : {}),
  };
};

/**
 * The original stored comment bodies as HTML it rendered itself; t5g shows them as text, so the
 * markup becomes line breaks and the entities their characters.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d|pre|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function mapCard(batch: MirrorBatch, jiraKey: string, c: LegacyCard, raw: unknown) {
  const caseNumber = c.case_number ?? /^(\d{8})\b/.exec(c.summary)?.[1] ?? null;
  const comments = (c.comments ?? []).map((x) =>
    Array.isArray(x)
      ? { id: null, author: null, body: x[0], at: x[1] as Date }
      : { id: x.id, author: x.author, body: x.body, at: (x.updated ?? x.created) as Date | undefined },
  );
  const times = [c.card_created.getTime(), ...comments.flatMap((x) => (x.at ? [x.at.getTime()] : []))];
  const assignee = c.assignee ? userOf(c.assignee) : null;
  batch.cards.push({
    caseNumber,
    created: c.case_created,
    card: {
      jiraKey,
      summary: c.summary,
      // The original kept only the mapped (internal) status.
      statusRaw: c.card_status,
      status: c.card_status,
      priority: c.priority,
      assigneeName: assignee?.displayName ?? null,
      assignee,
      contributors: (c.contributor ?? []).flatMap((u) => userOf(u) ?? []),
      labels: c.labels ?? [],
      sprint: null,
      statedSeverity: c.severity ?? null,
      statedAccount: c.account ?? null,
      statedCaseStatus: c.case_status ?? null,
      createdAt: c.card_created,
      updatedAt: new Date(Math.max(...times)),
      raw,
    },
  });
  if (!caseNumber) return;
  for (const x of comments) {
    if (!x.at) continue;
    const body = htmlToText(x.body);
    // Dedup: the upstream id when there is one, else author + time + body hash.
    const id = x.id ?? `mirror:${jiraKey}:${x.author ?? ''}:${x.at.toISOString()}:${sha(body).slice(0, 16)}`;
    batch.jiraComments.push({
      jiraKey,
      caseNumber,
      created: c.case_created,
      row: {
        jiraCommentId: id,
        jiraKey,
        author: x.author,
        body,
        bodyFormat: 'text',
        createdAt: x.at,
        lastUpdateDate: x.at,
      },
    });
  }
  // Referenced entities a card carries: its case (the full shape has its dates), detail, bugs, issues.
  if (c.case_created && c.severity) {
    batch.derivedCases.push({
      caseNumber,
      createdDate: c.case_created,
      owner: null,
      severity: severityNumber(c.severity),
      severityLabel: c.severity,
      account: c.account ?? '',
      summary: c.summary.replace(/^\d{8}:\s*/, ''),
      status: c.case_status ?? 'Unknown',
      lastUpdate: c.case_updated_date ?? c.case_created,
      description: c.description ?? '',
      product: c.product || null,
      productVersion: null,
      tags: c.tags ?? [],
      bugNumber: null,
      closedDate: null,
      raw: { from_card: jiraKey },
    });
  }
  if ('crit_sit' in c && 'notified_users' in c)
    batch.derivedDetails.push(detailOf(caseNumber, c.case_created, c, { from_card: jiraKey }));
  if (Array.isArray(c.bugzilla)) {
    for (const b of c.bugzilla) {
      batch.derivedBugs.push(bugOf(b, b));
      batch.bugLinks.push(bugLinkOf(caseNumber, b));
    }
  }
  for (const i of c.issues ?? []) {
    batch.derivedIssues.push(issueOf(i));
    batch.issueLinks.push(issueLinkOf(caseNumber, i));
  }
  if (c.escalated) {
    batch.escalations.push({
      issueKey: cardEscalationKey(jiraKey),
      url: c.escalated_link,
      summary: c.escalated_link ? (/[A-Z][A-Z0-9]+-\d+/.exec(c.escalated_link)?.[0] ?? null) : null,
      status: 'Open',
      caseNumbers: [caseNumber],
      updatedAt: null,
      raw: { from_card: jiraKey },
    });
  } else {
    batch.closedEscalations.push(cardEscalationKey(jiraKey));
  }
}

/** The case a child belongs to: as stored or written in this batch (by number), else its own hint. */
export function refOf(
  child: { caseNumber: string; created: Date | null },
  known: ReadonlyMap<string, Date>,
): CaseRef | null {
  const created = known.get(child.caseNumber) ?? child.created;
  return created ? { caseNumber: child.caseNumber, caseCreatedDate: created } : null;
}
