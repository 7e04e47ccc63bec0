import type { DashboardFilter } from '../../shared/api/tables.js';
import type { Queryable } from '../db.js';
import { flushCardIndex, OPEN_ESCALATION } from '../read-model/card-index.js';
import { type OrderTerm, pageQuery, SqlParams, type SqlSource, withClause } from './dashboard-filter.js';
import { countFacets } from './facet-counts.js';

// The case table: every stored case (with or without a card), filtered, sorted and counted with the
// same facets as the card table. Card fields come from the case's card_index row; a case with two
// cards is listed once per card.

export const CASE_SOURCE: SqlSource = {
  ctes: [
    `open_escalated AS MATERIALIZED (
       SELECT DISTINCT unnest(e.case_numbers) AS case_number FROM escalations e WHERE ${OPEN_ESCALATION})`,
  ],
  from: `(SELECT c.case_number, c.created_date AS case_created_date, c.severity, c.severity_label, c.account,
                 c.product, c.status AS case_status, c.summary, c.last_update AS case_last_update,
                 c.closed_date AS case_closed_date, k.jira_key, k.card_status, k.assignee_name,
                 coalesce(k.is_trends, false) AS is_trends,
                 coalesce(k.is_potential_escalation, false) AS is_potential_escalation,
                 coalesce(k.is_daily_telco, false) AS is_daily_telco,
                 coalesce(d.crit_sit, false) AS crit_sit, x.case_number IS NOT NULL AS escalated,
                 CASE WHEN x.case_number IS NOT NULL THEN 2
                      WHEN coalesce(k.is_potential_escalation, false) THEN 1 ELSE 0 END AS prio_rank,
                 k.last_comment_at, k.card_updated_at, c.search_vector
          FROM cases c
          LEFT JOIN case_details d ON d.case_number = c.case_number AND d.case_created_date = c.created_date
          LEFT JOIN card_index k ON k.case_number = c.case_number AND k.case_created_date = c.created_date
          LEFT JOIN open_escalated x ON x.case_number = c.case_number) r`,
  tiebreak: ['r.case_number', 'r.case_created_date', 'r.jira_key'],
  cardJoined: true,
};

export interface CaseRow {
  caseNumber: string;
  createdDate: Date;
  severity: number;
  severityLabel: string;
  account: string;
  summary: string;
  status: string;
  owner: string | null;
  product: string | null;
  productVersion: string | null;
  lastUpdate: Date;
  closedDate: Date | null;
  critSit: boolean;
  escalated: boolean;
  isPotentialEscalation: boolean;
  isTrends: boolean;
  isDailyTelco: boolean;
  jiraKey: string | null;
  cardStatus: string | null;
  assigneeName: string | null;
  lastCommentAt: Date | null;
}

export async function listCases(
  q: Queryable,
  opts: { filter: DashboardFilter; sort: readonly OrderTerm[]; limit: number; offset: number; now: Date },
): Promise<CaseRow[]> {
  await flushCardIndex(q);
  const p = new SqlParams();
  const page = pageQuery(CASE_SOURCE, opts.filter, opts.sort, opts, opts.now, p);
  const r = await q.query<CaseRow>(
    `${withClause([...page.ctes, `page AS MATERIALIZED (${page.select})`])}
     SELECT r.case_number AS "caseNumber", r.case_created_date AS "createdDate", r.severity,
            r.severity_label AS "severityLabel", r.account, r.summary, r.case_status AS status, c.owner, r.product,
            c.product_version AS "productVersion", r.case_last_update AS "lastUpdate",
            r.case_closed_date AS "closedDate", r.crit_sit AS "critSit", r.escalated,
            r.is_potential_escalation AS "isPotentialEscalation", r.is_trends AS "isTrends",
            r.is_daily_telco AS "isDailyTelco", r.jira_key AS "jiraKey", r.card_status AS "cardStatus",
            r.assignee_name AS "assigneeName", r.last_comment_at AS "lastCommentAt"
     FROM page r
     JOIN cases c ON c.case_number = r.case_number AND c.created_date = r.case_created_date
     ORDER BY ${page.order}`,
    p.values,
  );
  return r.rows;
}

export const countCaseFacets = (q: Queryable, filter: DashboardFilter, now: Date) =>
  countFacets(q, CASE_SOURCE, filter, now);
