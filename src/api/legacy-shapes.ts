import type { Served } from '../shared/api/common.js';
import type {
  legacyBugSchema,
  legacyCardSchema,
  legacyCaseSchema,
  legacyDetailSchema,
  legacyIssueSchema,
  legacyStatsSchema,
} from '../shared/api/legacy.js';
import { bugzillaUrl } from '../shared/rules.js';
import type {
  LegacyBugRow,
  LegacyCardRow,
  LegacyCaseRow,
  LegacyDetailRow,
  LegacyIssueRow,
} from '../store/queries/legacy.js';
import type { JiraUser } from '../store/repositories/cards.js';
import type { CaseStats } from '../store/repositories/stats.js';

// The original dashboard's JSON shapes, field names and formats included, so
// scripts written against its /api/* keep working.

/** Portal style: 2022-04-18T21:08:52Z. */
export const portalTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** JIRA style: 2024-09-20T22:20:37.714+0000. */
export const jiraTime = (d: Date) => d.toISOString().replace(/Z$/, '+0000');
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const ymdhm = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const orNull = <T, R>(v: T | null | undefined, f: (v: T) => R): R | null =>
  v === null || v === undefined ? null : f(v);

const user = (u: JiraUser | null) => ({
  displayName: u?.displayName ?? null,
  accountId: u?.accountId ?? null,
  emailAddress: u?.emailAddress ?? null,
});

/** "nisi 1.4": the original joined the product and its version. */
const productName = (product: string | null, version: string | null) =>
  [product, version].filter((s) => s).join(' ') || null;

export function legacyBug(b: LegacyBugRow, bugzillaBase: string): Served<typeof legacyBugSchema> {
  const common = {
    bugzillaLink: bugzillaUrl(bugzillaBase, b.bugId),
    bugzillaNumber: b.bugId,
    caseNumber: b.caseNumber,
    linkedAt: orNull(b.linkedAt, portalTime),
    status: b.status,
    summary: b.summary,
  };
  // A restricted bug: the original wrote "unavailable" into every Bugzilla field.
  if (b.unavailable)
    return {
      ...common,
      target_release: ['unavailable'],
      assignee: 'unavailable',
      last_change_time: 'unavailable',
      internal_whiteboard: 'unavailable',
      qa_contact: 'unavailable',
      severity: 'unavailable',
    };
  return {
    ...common,
    target_release: b.targetRelease?.length ? b.targetRelease : ['---'],
    assignee: b.assignee,
    last_change_time: orNull(b.lastChangeTime, ymd),
    internal_whiteboard: b.internalWhiteboard,
    qa_contact: b.qaContact,
    severity: b.severity,
  };
}

export function legacyIssue(i: LegacyIssueRow): Served<typeof legacyIssueSchema> {
  return {
    id: i.issueKey,
    url: i.url,
    title: i.title,
    status: i.status,
    updated: orNull(i.updatedAt, ymd),
    qa_contact: i.qaContact,
    jira_severity: i.severity,
    jira_type: i.issueType,
    assignee: i.assignee,
    fix_versions: i.fixVersions,
    priority: i.priority,
    private_keywords: i.privateKeywords,
  };
}

export interface CardExtras {
  comments: { body: string; updated: Date }[];
  bugs: ReturnType<typeof legacyBug>[];
  issues: ReturnType<typeof legacyIssue>[];
  escalatedLink: string | null;
}

const DAY_MS = 86_400_000;

export function legacyCard(c: LegacyCardRow, extras: CardExtras, now: Date): Served<typeof legacyCardSchema> {
  return {
    card_status: c.cardStatus,
    card_created: jiraTime(c.cardCreated),
    account: c.account,
    summary: c.summary,
    description: c.description,
    comments: extras.comments.map((m) => [m.body, jiraTime(m.updated)]),
    assignee: user(c.assignee),
    contributor: (c.contributors ?? []).map(user),
    case_number: c.caseNumber,
    tags: c.tags ?? [],
    labels: c.labels,
    bugzilla: extras.bugs.length ? extras.bugs : null,
    issues: extras.issues.length ? extras.issues : null,
    severity: c.severityLabel,
    priority: c.priority,
    escalated: c.escalated,
    escalated_link: extras.escalatedLink,
    potential_escalation: c.isPotentialEscalation && !c.escalated,
    daily_telco: c.isDailyTelco,
    product: productName(c.product, c.productVersion),
    case_status: c.caseStatus,
    crit_sit: c.critSit,
    group_name: c.groupName,
    case_updated_date: orNull(c.caseLastUpdate, ymdhm),
    // As the original: whole days since creation, closed cases included.
    case_days_open: orNull(c.caseCreatedDate, (d) => Math.floor((now.getTime() - d.getTime()) / DAY_MS)),
    case_created: orNull(c.caseCreatedDate, portalTime),
    notified_users: c.notifiedUsers ?? [],
    relief_at: orNull(c.reliefAt, portalTime),
    resolved_at: orNull(c.resolvedAt, portalTime),
  };
}

export function legacyCase(c: LegacyCaseRow): Served<typeof legacyCaseSchema> {
  return {
    account: c.account,
    createdate: portalTime(c.createdDate),
    description: c.description,
    last_update: portalTime(c.lastUpdate),
    owner: c.owner,
    problem: c.summary,
    product: productName(c.product, c.productVersion),
    product_version: c.productVersion,
    severity: `${c.severity} (${c.severityLabel})`,
    status: c.status,
    // Optional in the original: present only when set.
    ...(c.bugNumber ? { bug: c.bugNumber } : {}),
    ...(c.tags.length ? { tags: c.tags } : {}),
    ...(c.closedDate ? { closeddate: portalTime(c.closedDate) } : {}),
  };
}

export function legacyDetail(d: LegacyDetailRow): Served<typeof legacyDetailSchema> {
  return {
    crit_sit: d.critSit,
    group_name: d.groupName,
    notified_users: d.notifiedUsers,
    relief_at: orNull(d.reliefAt, portalTime),
    resolved_at: orNull(d.resolvedAt, portalTime),
  };
}

export function legacyStats(s: CaseStats): Served<typeof legacyStatsSchema> {
  return {
    by_customer: s.by_customer,
    by_engineer: s.by_engineer,
    by_severity: s.by_severity,
    by_status: s.by_status,
    high_prio: s.high_prio,
    escalated: s.escalated,
    open_cases: s.open_cases,
    weekly_closed_cases: s.weekly_closed_cases,
    weekly_opened_cases: s.weekly_opened_cases,
    daily_closed_cases: s.daily_closed_cases,
    daily_opened_cases: s.daily_opened_cases,
    no_updates: s.no_updates,
    no_bzs: s.no_bzs,
    bugs: { unique: s.bugs_unique, no_target: s.bugs_no_target },
    crit_sit: s.crit_sit,
    total_escalations: s.total_escalations,
  };
}
