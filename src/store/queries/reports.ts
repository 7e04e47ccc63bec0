import type { DashboardFilter } from '../../shared/api/tables.js';
import type { Queryable } from '../db.js';
import { flushCardIndex } from '../read-model/card-index.js';
import { CARD_SOURCE } from './card-list.js';
import {
  countQuery,
  type OrderTerm,
  pageQuery,
  SqlParams,
  type SqlSource,
  withClause,
} from './dashboard-filter.js';

// The report views (recent updates / all cards / trends, and the weekly report): cards in the
// order they are grouped, account → case status (the original's three first, any other after) →
// most severe first, with their JIRA comments.

export const REPORT_ORDER: readonly OrderTerm[] = [
  { key: 'account', dir: 'asc' },
  { key: 'caseStatusGroup', dir: 'asc' },
  { key: 'caseStatus', dir: 'asc' },
  { key: 'severity', dir: 'desc' },
];

export interface ReportComment {
  jiraKey: string;
  body: string;
  format: string;
  author: string | null;
  updated: Date;
}

/** JIRA comments of these cards updated since `since` (all when null), newest first. */
export async function commentsOf(
  q: Queryable,
  keys: readonly string[],
  since: Date | null,
): Promise<ReportComment[]> {
  if (keys.length === 0) return [];
  const r = await q.query<ReportComment>(
    `SELECT jira_key AS "jiraKey", body, body_format AS format, author, last_update_date AS updated
     FROM jira_comments
     WHERE jira_key = ANY($1::text[]) AND ($2::timestamptz IS NULL OR last_update_date >= $2::timestamptz)
     ORDER BY jira_key, last_update_date DESC`,
    [keys, since?.toISOString() ?? null],
  );
  return r.rows;
}

/** The card keys of one report page, in report order, and how many cards the report has. */
export async function reportPage(
  q: Queryable,
  opts: { filter: DashboardFilter; limit: number; offset: number; now: Date },
): Promise<{ keys: string[]; total: number }> {
  await flushCardIndex(q);
  return keysAndTotal(q, CARD_SOURCE, opts);
}

async function keysAndTotal(
  q: Queryable,
  source: SqlSource,
  opts: { filter: DashboardFilter; limit: number; offset: number; now: Date },
  init?: (p: SqlParams) => void,
) {
  const p = new SqlParams();
  init?.(p);
  const page = pageQuery(source, opts.filter, REPORT_ORDER, opts, opts.now, p);
  const c = new SqlParams();
  init?.(c);
  const [rows, count] = await Promise.all([
    q.query<{ jira_key: string }>(`${withClause(page.ctes)}${page.select}`, p.values),
    q.query<{ n: number }>(countQuery(source, opts.filter, opts.now, c), c.values),
  ]);
  return { keys: rows.rows.map((r) => r.jira_key), total: count.rows[0]?.n ?? 0 };
}

/**
 * The weekly report: cards with a JIRA comment updated in [from, to), each with the newest such
 * comment. $1/$2 are the window in both statements (the source's CTE comes first).
 */
const weeklySource: SqlSource = {
  ctes: [
    `hits AS MATERIALIZED (
       SELECT DISTINCT ON (j.jira_key) j.jira_key
       FROM jira_comments j WHERE j.last_update_date >= $1::timestamptz AND j.last_update_date < $2::timestamptz
       ORDER BY j.jira_key, j.last_update_date DESC)`,
  ],
  from: '(SELECT r.* FROM card_index r JOIN hits h ON h.jira_key = r.jira_key) r',
  tiebreak: CARD_SOURCE.tiebreak,
};

export async function weeklyPage(
  q: Queryable,
  opts: { from: Date; to: Date; filter: DashboardFilter; limit: number; offset: number; now: Date },
): Promise<{ keys: string[]; total: number }> {
  await flushCardIndex(q);
  return keysAndTotal(q, weeklySource, opts, (p) => {
    p.values.push(opts.from.toISOString(), opts.to.toISOString());
  });
}

/** The newest comment of each card in [from, to). */
export async function latestCommentsBetween(q: Queryable, keys: readonly string[], from: Date, to: Date) {
  const r = await q.query<ReportComment>(
    `SELECT DISTINCT ON (jira_key) jira_key AS "jiraKey", body, body_format AS format, author,
            last_update_date AS updated
     FROM jira_comments
     WHERE jira_key = ANY($1::text[]) AND last_update_date >= $2::timestamptz AND last_update_date < $3::timestamptz
     ORDER BY jira_key, last_update_date DESC`,
    [keys, from.toISOString(), to.toISOString()],
  );
  return r.rows;
}
