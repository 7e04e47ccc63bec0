import type { Queryable } from '../db.js';
import { flushCardIndex, OPEN_ESCALATION } from '../read-model/card-index.js';
import type { JiraUser } from '../repositories/cards.js';
import {
  type DashboardFilter,
  pageQuery,
  type SortTerm,
  SqlParams,
  type SqlSource,
  withClause,
} from './dashboard-filter.js';
import { countFacets } from './facet-counts.js';

// The card table (/table views, account and engineer pages, CSV): a page of card_index rows with
// what the row and its "most recent comment" cell need, and the total and facet counts.

export const CARD_SOURCE: SqlSource = { ctes: [], from: 'card_index r', tiebreak: ['r.jira_key'] };

export interface CardRow {
  jiraKey: string;
  caseNumber: string | null;
  caseCreatedDate: Date | null;
  severity: number | null;
  severityLabel: string | null;
  account: string | null;
  product: string | null;
  productVersion: string | null;
  caseStatus: string | null;
  summary: string;
  caseLastUpdate: Date | null;
  caseClosedDate: Date | null;
  cardStatus: string;
  assigneeName: string | null;
  contributors: JiraUser[];
  labels: string[];
  priority: string | null;
  isTrends: boolean;
  isPotentialEscalation: boolean;
  isDailyTelco: boolean;
  critSit: boolean;
  escalated: boolean;
  escalationUrl: string | null;
  lastCommentAt: Date | null;
  lastCommentBody: string | null;
  lastCommentFormat: string | null;
  lastCommentAuthor: string | null;
  cardUpdatedAt: Date;
}

export interface ListOptions {
  filter: DashboardFilter;
  sort: readonly SortTerm[];
  limit: number;
  offset: number;
  now: Date;
  /** JIRA key prefix of the escalations project ("RHOCPPRIO"), for the prio-list link. */
  escalationProject?: string | undefined;
}

// Timestamps come back as epoch milliseconds: parsing float8 and building a Date costs a third of
// node-postgres's timestamptz text parsing, which was the largest CPU cost of a page (250 values).
// Labels come as json for the same reason (JSON.parse instead of node-postgres's array parser).
const ms = (col: string, alias: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS "${alias}"`;
// Everything a row shows is on card_index or its latest comment (joined on the id card_index keeps),
// so a page is one statement. The last column says whether card_index_dirty held marks in the
// statement's snapshot (an InitPlan, evaluated once): if it did not, every write committed before
// the statement is already in the rows it read.
const ROW_COLUMNS = `r.jira_key AS "jiraKey", r.case_number AS "caseNumber", ${ms('r.case_created_date', 'caseCreatedDate')},
  r.severity, r.severity_label AS "severityLabel", r.account, r.product, r.product_version AS "productVersion",
  r.case_status AS "caseStatus", r.summary, ${ms('r.case_last_update', 'caseLastUpdate')},
  ${ms('r.case_closed_date', 'caseClosedDate')}, r.card_status AS "cardStatus", r.assignee_name AS "assigneeName",
  r.contributors, to_json(r.labels) AS labels, r.priority, r.is_trends AS "isTrends", r.is_potential_escalation AS "isPotentialEscalation",
  r.is_daily_telco AS "isDailyTelco", r.crit_sit AS "critSit", r.escalated, ${ms('r.last_comment_at', 'lastCommentAt')},
  lc.body AS "lastCommentBody", lc.body_format AS "lastCommentFormat", lc.author AS "lastCommentAuthor",
  ${ms('r.card_updated_at', 'cardUpdatedAt')},
  (SELECT EXISTS (SELECT 1 FROM card_index_dirty)) AS "stale"`;
const LAST_COMMENT = 'LEFT JOIN jira_comments lc ON lc.jira_comment_id = r.last_comment_id';

type RawRow = Omit<
  CardRow,
  | 'caseCreatedDate'
  | 'caseLastUpdate'
  | 'caseClosedDate'
  | 'lastCommentAt'
  | 'cardUpdatedAt'
  | 'escalationUrl'
> & {
  caseCreatedDate: number | null;
  caseLastUpdate: number | null;
  caseClosedDate: number | null;
  lastCommentAt: number | null;
  cardUpdatedAt: number;
  stale: boolean;
};

const date = (v: number | null) => (v === null ? null : new Date(v));

/** A fresh object of one fixed shape (cheaper to build, read and serialise than the driver's row patched in place). */
const toCardRow = (r: RawRow): CardRow => ({
  jiraKey: r.jiraKey,
  caseNumber: r.caseNumber,
  caseCreatedDate: date(r.caseCreatedDate),
  severity: r.severity,
  severityLabel: r.severityLabel,
  account: r.account,
  product: r.product,
  productVersion: r.productVersion,
  caseStatus: r.caseStatus,
  summary: r.summary,
  caseLastUpdate: date(r.caseLastUpdate),
  caseClosedDate: date(r.caseClosedDate),
  cardStatus: r.cardStatus,
  assigneeName: r.assigneeName,
  contributors: r.contributors,
  labels: r.labels,
  priority: r.priority,
  isTrends: r.isTrends,
  isPotentialEscalation: r.isPotentialEscalation,
  isDailyTelco: r.isDailyTelco,
  critSit: r.critSit,
  escalated: r.escalated,
  escalationUrl: null,
  lastCommentAt: date(r.lastCommentAt),
  lastCommentBody: r.lastCommentBody,
  lastCommentFormat: r.lastCommentFormat,
  lastCommentAuthor: r.lastCommentAuthor,
  cardUpdatedAt: new Date(r.cardUpdatedAt),
});

/**
 * Runs a card_index read selecting ROW_COLUMNS. In the common case (nothing marked) that is the
 * only statement. When marks were pending, or the read found no row to tell, the marked rows are
 * recomputed and the read runs again; always again, since a concurrent flush (the facet counts'
 * one, say) may have taken the marks and committed their rows after this read's snapshot.
 */
async function readCardIndex(q: Queryable, text: string, values: unknown[]): Promise<RawRow[]> {
  const first = await q.query<RawRow>(text, values);
  if (first.rows[0] && !first.rows[0].stale) return first.rows;
  await flushCardIndex(q);
  return (await q.query<RawRow>(text, values)).rows;
}

/** One page of cards in the requested order. */
export async function listCards(q: Queryable, opts: ListOptions): Promise<CardRow[]> {
  const p = new SqlParams();
  const page = pageQuery(CARD_SOURCE, opts.filter, opts.sort, opts, opts.now, p);
  // An index scan that stops after `limit` rows in the default order.
  const rows = await readCardIndex(
    q,
    `${withClause(page.ctes)}SELECT ${ROW_COLUMNS} FROM (${page.select}) r ${LAST_COMMENT} ORDER BY ${page.order}`,
    p.values,
  );
  return complete(q, rows.map(toCardRow), opts.escalationProject);
}

/** These cards (in key order), with the same fields as a page row; unknown keys are skipped. */
export async function getCardRows(
  q: Queryable,
  keys: readonly string[],
  escalationProject?: string,
): Promise<CardRow[]> {
  if (keys.length === 0) return [];
  const rows = await readCardIndex(
    q,
    `SELECT ${ROW_COLUMNS} FROM card_index r ${LAST_COMMENT} WHERE r.jira_key = ANY($1::text[]) ORDER BY r.jira_key`,
    [keys],
  );
  return complete(q, rows.map(toCardRow), escalationProject);
}

/** Adds the prio-list link of the escalated rows (a few per page at most). */
async function complete(
  q: Queryable,
  rows: CardRow[],
  escalationProject: string | undefined,
): Promise<CardRow[]> {
  const escalated = rows.filter((r) => r.escalated && r.caseNumber);
  if (escalated.length === 0) return rows;
  const links = await escalationLinks(q, escalated, escalationProject);
  for (const r of escalated) r.escalationUrl = links.get(r.jiraKey) ?? null;
  return rows;
}

/**
 * The prio-list link of escalated cards: as the original's escalated_link, a linked issue in the
 * escalations project; else the open escalation itself.
 */
async function escalationLinks(q: Queryable, rows: CardRow[], escalationProject: string | undefined) {
  if (rows.length === 0) return new Map<string, string>();
  const r = await q.query<{ jiraKey: string; url: string | null }>(
    `SELECT x.jira_key AS "jiraKey", coalesce(
       (SELECT ci.url FROM case_issues ci
        WHERE ci.case_number = x.case_number AND ci.case_created_date = x.created
          AND ci.issue_key LIKE $4 ORDER BY ci.issue_key LIMIT 1),
       (SELECT e.url FROM escalations e
        WHERE e.case_numbers @> ARRAY[x.case_number] AND ${OPEN_ESCALATION}
        ORDER BY e.updated_at DESC NULLS LAST LIMIT 1)) AS url
     FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS x(jira_key, case_number, created)`,
    [
      rows.map((r) => r.jiraKey),
      rows.map((r) => r.caseNumber),
      rows.map((r) => r.caseCreatedDate?.toISOString() ?? null),
      escalationProject ? `${escalationProject}-%` : null,
    ],
  );
  return new Map(r.rows.flatMap((x) => (x.url ? [[x.jiraKey, x.url] as const] : [])));
}

export const countCardFacets = (q: Queryable, filter: DashboardFilter, now: Date) =>
  countFacets(q, CARD_SOURCE, filter, now);
