import type { Queryable } from '../db.js';
import { flushCardIndex, OPEN_ESCALATION } from '../read-model/card-index.js';
import type { JiraUser } from '../repositories/cards.js';
import type { IssueFields } from './case-bundle.js';

// Reads behind the original dashboard's /api/* endpoints, in keyset batches (`after` = the last key
// of the previous batch), so a 100k-case answer is streamed without holding it in memory. Where the
// original keyed by case number, a reused number shows its newest case.

export interface LegacyCardRow {
  jiraKey: string;
  cardStatus: string;
  cardCreated: Date;
  priority: string | null;
  assignee: JiraUser | null;
  contributors: JiraUser[];
  labels: string[];
  caseNumber: string | null;
  caseCreatedDate: Date | null;
  account: string | null;
  summary: string;
  description: string | null;
  tags: string[] | null;
  severityLabel: string | null;
  product: string | null;
  productVersion: string | null;
  caseStatus: string | null;
  caseLastUpdate: Date | null;
  caseClosedDate: Date | null;
  escalated: boolean;
  isPotentialEscalation: boolean;
  isDailyTelco: boolean;
  critSit: boolean;
  groupName: string | null;
  notifiedUsers: unknown[] | null;
  reliefAt: Date | null;
  resolvedAt: Date | null;
}

export async function legacyCardBatch(q: Queryable, after: string | null, limit: number) {
  await flushCardIndex(q);
  const r = await q.query<LegacyCardRow>(
    `SELECT r.jira_key AS "jiraKey", r.card_status AS "cardStatus", k.created_at AS "cardCreated", k.priority,
            k.assignee, k.contributors, k.labels, r.case_number AS "caseNumber",
            r.case_created_date AS "caseCreatedDate", r.account, c.summary, c.description, c.tags,
            r.severity_label AS "severityLabel", c.product, c.product_version AS "productVersion",
            r.case_status AS "caseStatus", r.case_last_update AS "caseLastUpdate",
            r.case_closed_date AS "caseClosedDate", r.escalated,
            r.is_potential_escalation AS "isPotentialEscalation", r.is_daily_telco AS "isDailyTelco",
            r.crit_sit AS "critSit", d.group_name AS "groupName", d.notified_users AS "notifiedUsers",
            d.relief_at AS "reliefAt", d.resolved_at AS "resolvedAt"
     FROM card_index r
     JOIN cards k ON k.jira_key = r.jira_key
     LEFT JOIN cases c ON c.case_number = r.case_number AND c.created_date = r.case_created_date
     LEFT JOIN case_details d ON d.case_number = r.case_number AND d.case_created_date = r.case_created_date
     WHERE $1::text IS NULL OR r.jira_key > $1::text
     ORDER BY r.jira_key LIMIT $2`,
    [after, limit],
  );
  return r.rows;
}

/** JIRA comments of these cards, oldest first (the original kept JIRA's order). */
export async function jiraCommentsOf(q: Queryable, keys: readonly string[]) {
  const r = await q.query<{ jiraKey: string; body: string; updated: Date }>(
    `SELECT jira_key AS "jiraKey", body, last_update_date AS updated FROM jira_comments
     WHERE jira_key = ANY($1::text[]) ORDER BY jira_key, created_at, jira_comment_id`,
    [keys],
  );
  return r.rows;
}

export interface CaseKey {
  caseNumber: string;
  createdDate: Date;
}

export interface LegacyBugRow {
  caseNumber: string;
  bugId: string;
  linkedAt: Date | null;
  status: string | null;
  summary: string | null;
  targetRelease: string[] | null;
  assignee: string | null;
  lastChangeTime: Date | null;
  internalWhiteboard: string | null;
  qaContact: string | null;
  severity: string | null;
  unavailable: boolean;
}

const refs = (cases: readonly CaseKey[]) => [
  cases.map((c) => c.caseNumber),
  cases.map((c) => c.createdDate.toISOString()),
];

export async function bugsOf(q: Queryable, cases: readonly CaseKey[]) {
  const r = await q.query<LegacyBugRow>(
    `SELECT cb.case_number AS "caseNumber", cb.bug_id AS "bugId", cb.linked_at AS "linkedAt",
            coalesce(b.status, cb.portal_status) AS status, coalesce(b.summary, cb.portal_summary) AS summary,
            b.target_release AS "targetRelease", b.assignee, b.last_change_time AS "lastChangeTime",
            b.internal_whiteboard AS "internalWhiteboard", b.qa_contact AS "qaContact", b.severity,
            coalesce(b.unavailable, false) AS unavailable
     FROM unnest($1::text[], $2::timestamptz[]) AS x(case_number, created)
     JOIN case_bugs cb ON cb.case_number = x.case_number AND cb.case_created_date = x.created
     LEFT JOIN bugs b ON b.bug_id = cb.bug_id
     ORDER BY cb.case_number, cb.bug_id`,
    refs(cases),
  );
  return r.rows;
}

export type LegacyIssueRow = IssueFields & { caseNumber: string };

export async function issuesOf(q: Queryable, cases: readonly CaseKey[]) {
  const r = await q.query<LegacyIssueRow>(
    `SELECT ci.case_number AS "caseNumber", ci.issue_key AS "issueKey", coalesce(i.url, ci.url) AS url,
            coalesce(i.title, ci.title) AS title, coalesce(i.status, ci.portal_status) AS status,
            coalesce(i.updated_at, ci.last_modified_at) AS "updatedAt", i.qa_contact AS "qaContact", i.severity,
            i.issue_type AS "issueType", i.assignee, i.fix_versions AS "fixVersions", i.priority,
            i.private_keywords AS "privateKeywords"
     FROM unnest($1::text[], $2::timestamptz[]) AS x(case_number, created)
     JOIN case_issues ci ON ci.case_number = x.case_number AND ci.case_created_date = x.created
     LEFT JOIN issues i ON i.issue_key = ci.issue_key
     ORDER BY ci.case_number, ci.issue_key`,
    refs(cases),
  );
  return r.rows;
}

export interface LegacyCaseRow {
  caseNumber: string;
  createdDate: Date;
  account: string;
  description: string;
  lastUpdate: Date;
  owner: string | null;
  summary: string;
  product: string | null;
  productVersion: string | null;
  severity: number;
  severityLabel: string;
  status: string;
  bugNumber: string | null;
  tags: string[];
  closedDate: Date | null;
}

/** Cases in number order, the newest per number. */
export async function legacyCaseBatch(q: Queryable, after: string | null, limit: number) {
  const r = await q.query<LegacyCaseRow>(
    `SELECT DISTINCT ON (case_number) case_number AS "caseNumber", created_date AS "createdDate", account,
            description, last_update AS "lastUpdate", owner, summary, product, product_version AS "productVersion",
            severity, severity_label AS "severityLabel", status, bug_number AS "bugNumber", tags,
            closed_date AS "closedDate"
     FROM cases WHERE $1::text IS NULL OR case_number > $1::text
     ORDER BY case_number, created_date DESC LIMIT $2`,
    [after, limit],
  );
  return r.rows;
}

export interface LegacyDetailRow {
  caseNumber: string;
  critSit: boolean;
  groupName: string | null;
  notifiedUsers: unknown[];
  reliefAt: Date | null;
  resolvedAt: Date | null;
}

export async function legacyDetailBatch(q: Queryable, after: string | null, limit: number) {
  const r = await q.query<LegacyDetailRow>(
    `SELECT DISTINCT ON (case_number) case_number AS "caseNumber", crit_sit AS "critSit", group_name AS "groupName",
            notified_users AS "notifiedUsers", relief_at AS "reliefAt", resolved_at AS "resolvedAt"
     FROM case_details WHERE $1::text IS NULL OR case_number > $1::text
     ORDER BY case_number, case_created_date DESC LIMIT $2`,
    [after, limit],
  );
  return r.rows;
}

/** The newest case of each number in `table` (case_bugs or case_issues) after `after`. */
export async function linkedCaseBatch(
  q: Queryable,
  table: 'case_bugs' | 'case_issues',
  after: string | null,
  limit: number,
): Promise<CaseKey[]> {
  // `table` is one of two literals (typed), never input.
  const r = await q.query<CaseKey>(
    `SELECT DISTINCT ON (case_number) case_number AS "caseNumber", case_created_date AS "createdDate"
     FROM ${table} WHERE $1::text IS NULL OR case_number > $1::text
     ORDER BY case_number, case_created_date DESC LIMIT $2`,
    [after, limit],
  );
  return r.rows;
}

/** The case numbers the open escalations name (the original's `escalations` list). */
export async function openEscalationCaseNumbers(q: Queryable): Promise<string[]> {
  const r = await q.query<{ n: string }>(
    `SELECT DISTINCT unnest(e.case_numbers) AS n FROM escalations e WHERE ${OPEN_ESCALATION} ORDER BY 1`,
  );
  return r.rows.map((x) => x.n);
}

/** The escalation link per case: a linked issue in the escalations project (the original's escalated_link). */
export async function escalationLinksOf(
  q: Queryable,
  cases: readonly CaseKey[],
  project: string | undefined,
) {
  if (!project || cases.length === 0) return new Map<string, string>();
  const r = await q.query<{ caseNumber: string; url: string }>(
    `SELECT DISTINCT ON (ci.case_number) ci.case_number AS "caseNumber", ci.url
     FROM unnest($1::text[], $2::timestamptz[]) AS x(case_number, created)
     JOIN case_issues ci ON ci.case_number = x.case_number AND ci.case_created_date = x.created
     WHERE ci.issue_key LIKE $3 AND ci.url IS NOT NULL
     ORDER BY ci.case_number, ci.issue_key`,
    [...refs(cases), `${project}-%`],
  );
  return new Map(r.rows.map((x) => [x.caseNumber, x.url]));
}
