import type { Queryable } from '../db.js';

// Global search: full text over cases (number, summary, account, product, description), Portal
// comments and JIRA comments, through their generated tsvector columns and GIN indexes. Each kind
// is ranked and cut to `limit` first; only those rows get a headline.

export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

export interface SearchRow {
  kind: 'case' | 'comment' | 'jira_comment';
  caseNumber: string;
  jiraKey: string | null;
  title: string | null;
  account: string | null;
  status: string | null;
  date: Date;
  rank: number;
  /** The matching passage with matches between MARK_START and MARK_END, not escaped. */
  snippet: string;
}

// Headline text is capped: ts_headline re-parses the whole document.
const SEARCH_SQL = `
WITH query AS (SELECT websearch_to_tsquery('english', $1) AS q),
case_hits AS (
  SELECT c.case_number, c.created_date, ts_rank(c.search_vector, query.q)::float8 AS rank, c.last_update AS date
  FROM cases c, query WHERE c.search_vector @@ query.q ORDER BY rank DESC, c.last_update DESC LIMIT $2),
comment_hits AS (
  SELECT m.id, ts_rank(m.search_vector, query.q)::float8 AS rank, m.commented_at AS date
  FROM comments m, query WHERE m.search_vector @@ query.q ORDER BY rank DESC, m.commented_at DESC LIMIT $2),
jira_hits AS (
  SELECT j.jira_comment_id, ts_rank(j.search_vector, query.q)::float8 AS rank, j.last_update_date AS date
  FROM jira_comments j, query WHERE j.search_vector @@ query.q ORDER BY rank DESC, j.last_update_date DESC LIMIT $2)
SELECT 'case' AS kind, c.case_number AS "caseNumber", NULL AS "jiraKey", c.summary AS title, c.account, c.status,
       h.date, h.rank, ts_headline('english', c.summary || ' — ' || left(c.description, 4000), query.q, $3) AS snippet
FROM case_hits h JOIN cases c ON c.case_number = h.case_number AND c.created_date = h.created_date, query
UNION ALL
SELECT 'comment', m.case_number, NULL, c.summary, c.account, c.status, h.date, h.rank,
       ts_headline('english', left(m.body, 4000), query.q, $3)
FROM comment_hits h JOIN comments m ON m.id = h.id
LEFT JOIN cases c ON c.case_number = m.case_number AND c.created_date = m.case_created_date, query
UNION ALL
SELECT 'jira_comment', j.case_number, j.jira_key, c.summary, c.account, c.status, h.date, h.rank,
       ts_headline('english', left(j.body, 4000), query.q, $3)
FROM jira_hits h JOIN jira_comments j ON j.jira_comment_id = h.jira_comment_id
LEFT JOIN cases c ON c.case_number = j.case_number AND c.created_date = j.case_created_date, query
ORDER BY rank DESC, date DESC
LIMIT $2`;

const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxFragments=2, MaxWords=25, MinWords=8, FragmentDelimiter=" … "`;

export async function searchAll(q: Queryable, text: string, limit: number): Promise<SearchRow[]> {
  const r = await q.query<SearchRow>(SEARCH_SQL, [text, limit, HEADLINE_OPTIONS]);
  return r.rows;
}
