import type { Queryable } from '../db.js';
import type { JiraUser } from '../repositories/cards.js';
import { flushCardIndex, OPEN_ESCALATION } from './card-index.js';
import {
  type DashboardFilter,
  type Facets,
  facetQuery,
  foldFacets,
  pageQuery,
  type SortTerm,
  SqlParams,
  type SqlSource,
  withClause,
} from './dashboard-filter.js';

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

// Per page row only: the card's own fields, its latest JIRA comment and the prio-list link (the
// original's escalated_link: a linked issue in the escalations project; else the open escalation).
const pageExtras = (p: SqlParams, escalationProject: string | undefined) => `
  k.contributors, k.labels, k.priority, cs.product_version AS "productVersion",
  lc.body AS "lastCommentBody", lc.body_format AS "lastCommentFormat", lc.author AS "lastCommentAuthor",
  coalesce(
    (SELECT ci.url FROM case_issues ci
     WHERE ci.case_number = r.case_number AND ci.case_created_date = r.case_created_date
       AND ci.issue_key LIKE ${p.add(escalationProject ? `${escalationProject}-%` : null, 'text')}
     ORDER BY ci.issue_key LIMIT 1),
    (SELECT e.url FROM escalations e
     WHERE e.case_numbers @> ARRAY[r.case_number] AND ${OPEN_ESCALATION}
     ORDER BY e.updated_at DESC NULLS LAST LIMIT 1)) AS "escalationUrl"`;

const ROW_COLUMNS = `r.jira_key AS "jiraKey", r.case_number AS "caseNumber", r.case_created_date AS "caseCreatedDate",
  r.severity, r.severity_label AS "severityLabel", r.account, r.product, r.case_status AS "caseStatus", r.summary,
  r.case_last_update AS "caseLastUpdate", r.case_closed_date AS "caseClosedDate", r.card_status AS "cardStatus",
  r.assignee_name AS "assigneeName", r.is_trends AS "isTrends", r.is_potential_escalation AS "isPotentialEscalation",
  r.is_daily_telco AS "isDailyTelco", r.crit_sit AS "critSit", r.escalated, r.last_comment_at AS "lastCommentAt",
  r.card_updated_at AS "cardUpdatedAt"`;

/** One page of cards in the requested order. */
export async function listCards(q: Queryable, opts: ListOptions): Promise<CardRow[]> {
  await flushCardIndex(q);
  const p = new SqlParams();
  const page = pageQuery(CARD_SOURCE, opts.filter, opts.sort, opts, opts.now, p);
  // The page is cut first (an index scan that stops after `limit` rows in the default order), and
  // only its rows are joined to their card, case and latest comment.
  return enriched(q, p, page.ctes, page.select, page.order, opts.escalationProject);
}

/** These cards (in key order), with the same fields as a page row; unknown keys are skipped. */
export async function getCardRows(
  q: Queryable,
  keys: readonly string[],
  escalationProject?: string,
): Promise<CardRow[]> {
  if (keys.length === 0) return [];
  await flushCardIndex(q);
  const p = new SqlParams();
  const select = `SELECT r.* FROM card_index r WHERE r.jira_key = ANY(${p.add(keys, 'text[]')})`;
  return enriched(q, p, [], select, 'r.jira_key', escalationProject);
}

async function enriched(
  q: Queryable,
  p: SqlParams,
  ctes: readonly string[],
  pageSelect: string,
  order: string,
  escalationProject: string | undefined,
): Promise<CardRow[]> {
  const r = await q.query<CardRow>(
    `${withClause([...ctes, `page AS MATERIALIZED (${pageSelect})`])}
     SELECT ${ROW_COLUMNS}, ${pageExtras(p, escalationProject)}
     FROM page r
     JOIN cards k ON k.jira_key = r.jira_key
     LEFT JOIN cases cs ON cs.case_number = r.case_number AND cs.created_date = r.case_created_date
     LEFT JOIN LATERAL (
       SELECT j.body, j.body_format, j.author FROM jira_comments j
       WHERE j.jira_key = r.jira_key ORDER BY j.last_update_date DESC LIMIT 1
     ) lc ON true
     ORDER BY ${order}`,
    p.values,
  );
  return r.rows;
}

/** The number of cards matching `filter` and the facet counts (each facet under the other selections). */
export async function countCardFacets(
  q: Queryable,
  filter: DashboardFilter,
  now: Date,
): Promise<{ total: number; facets: Facets }> {
  await flushCardIndex(q);
  const p = new SqlParams();
  const r = await q.query<{ facet: string | null; value: string | null; count: number }>(
    facetQuery(CARD_SOURCE, filter, now, p),
    p.values,
  );
  return foldFacets(r.rows, filter);
}
