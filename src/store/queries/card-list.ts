import type { Queryable } from '../db.js';
import type { JiraUser } from '../repositories/cards.js';
import { flushCardIndex, OPEN_ESCALATION } from './card-index.js';
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
const ms = (col: string, alias: string) => `(extract(epoch FROM ${col}) * 1000)::float8 AS "${alias}"`;
const ROW_COLUMNS = `r.jira_key AS "jiraKey", r.case_number AS "caseNumber", ${ms('r.case_created_date', 'caseCreatedDate')},
  r.severity, r.severity_label AS "severityLabel", r.account, r.product, r.case_status AS "caseStatus", r.summary,
  ${ms('r.case_last_update', 'caseLastUpdate')}, ${ms('r.case_closed_date', 'caseClosedDate')},
  r.card_status AS "cardStatus", r.assignee_name AS "assigneeName", r.is_trends AS "isTrends",
  r.is_potential_escalation AS "isPotentialEscalation", r.is_daily_telco AS "isDailyTelco", r.crit_sit AS "critSit",
  r.escalated, ${ms('r.last_comment_at', 'lastCommentAt')}, ${ms('r.card_updated_at', 'cardUpdatedAt')}`;

const DATE_FIELDS = [
  'caseCreatedDate',
  'caseLastUpdate',
  'caseClosedDate',
  'lastCommentAt',
  'cardUpdatedAt',
] as const;

/** The epoch-millisecond columns of ROW_COLUMNS as Dates. */
function withDates(rows: Record<string, unknown>[]): IndexRow[] {
  for (const row of rows)
    for (const f of DATE_FIELDS) {
      const v = row[f];
      row[f] = v === null ? null : new Date(v as number);
    }
  return rows as unknown as IndexRow[];
}

type IndexRow = Omit<
  CardRow,
  | 'contributors'
  | 'labels'
  | 'priority'
  | 'productVersion'
  | 'lastCommentBody'
  | 'lastCommentFormat'
  | 'lastCommentAuthor'
  | 'escalationUrl'
>;

/** One page of cards in the requested order. */
export async function listCards(q: Queryable, opts: ListOptions): Promise<CardRow[]> {
  await flushCardIndex(q);
  const p = new SqlParams();
  const page = pageQuery(CARD_SOURCE, opts.filter, opts.sort, opts, opts.now, p);
  // An index scan that stops after `limit` rows in the default order; only that page is then
  // completed with its card, case and latest comment.
  const r = await q.query<Record<string, unknown>>(
    `${withClause(page.ctes)}SELECT ${ROW_COLUMNS} FROM (${page.select}) r ORDER BY ${page.order}`,
    p.values,
  );
  return complete(q, withDates(r.rows), opts.escalationProject);
}

/** These cards (in key order), with the same fields as a page row; unknown keys are skipped. */
export async function getCardRows(
  q: Queryable,
  keys: readonly string[],
  escalationProject?: string,
): Promise<CardRow[]> {
  if (keys.length === 0) return [];
  await flushCardIndex(q);
  const r = await q.query<Record<string, unknown>>(
    `SELECT ${ROW_COLUMNS} FROM card_index r WHERE r.jira_key = ANY($1::text[]) ORDER BY r.jira_key`,
    [keys],
  );
  return complete(q, withDates(r.rows), escalationProject);
}

// Kept as separate, simple statements: planning one statement with every join and subquery cost
// more than running these (the page query is ~1 ms; a combined one spent ~5 ms in the planner).
async function complete(
  q: Queryable,
  rows: IndexRow[],
  escalationProject: string | undefined,
): Promise<CardRow[]> {
  if (rows.length === 0) return [];
  const keys = rows.map((r) => r.jiraKey);
  const escalated = rows.filter((r) => r.escalated && r.caseNumber);
  type Extras = Pick<
    CardRow,
    | 'jiraKey'
    | 'contributors'
    | 'labels'
    | 'priority'
    | 'productVersion'
    | 'lastCommentBody'
    | 'lastCommentFormat'
    | 'lastCommentAuthor'
  >;
  // One json value for the page: a single JSON.parse instead of node-postgres parsing arrays and
  // jsonb cell by cell.
  const [extras, links] = await Promise.all([
    q.query<{ rows: Extras[] }>(
      `SELECT coalesce(json_agg(x), '[]') AS rows FROM (
         SELECT k.jira_key AS "jiraKey", k.contributors, k.labels, k.priority, cs.product_version AS "productVersion",
                lc.body AS "lastCommentBody", lc.body_format AS "lastCommentFormat", lc.author AS "lastCommentAuthor"
         FROM cards k
         LEFT JOIN cases cs ON cs.case_number = k.case_number AND cs.created_date = k.case_created_date
         LEFT JOIN LATERAL (
           SELECT j.body, j.body_format, j.author FROM jira_comments j
           WHERE j.jira_key = k.jira_key ORDER BY j.last_update_date DESC LIMIT 1
         ) lc ON true
         WHERE k.jira_key = ANY($1::text[])) x`,
      [keys],
    ),
    escalationLinks(q, escalated, escalationProject),
  ]);
  const byKey = new Map((extras.rows[0]?.rows ?? []).map((x) => [x.jiraKey, x]));
  return rows.map((r) => {
    const x = byKey.get(r.jiraKey);
    return {
      ...r,
      contributors: x?.contributors ?? [],
      labels: x?.labels ?? [],
      priority: x?.priority ?? null,
      productVersion: x?.productVersion ?? null,
      lastCommentBody: x?.lastCommentBody ?? null,
      lastCommentFormat: x?.lastCommentFormat ?? null,
      lastCommentAuthor: x?.lastCommentAuthor ?? null,
      escalationUrl: links.get(r.jiraKey) ?? null,
    };
  });
}

/**
 * The prio-list link of escalated cards: as the original's escalated_link, a linked issue in the
 * escalations project; else the open escalation itself.
 */
async function escalationLinks(q: Queryable, rows: IndexRow[], escalationProject: string | undefined) {
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
