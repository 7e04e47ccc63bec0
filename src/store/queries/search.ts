import type { SearchKind } from '../../shared/vocabulary.js';
import type { Queryable } from '../db.js';

// Global search. One query finds, by what a person types:
//   - a case by its number (leading zeros optional; a number's start lists the cases it begins),
//   - a card by its JIRA key ("KNIECO-1176", any case; or just the number after the dash),
//   - a bug by its Bugzilla id ("2045123", "bz2045123", "#2045123"),
//   - people: engineers (card assignees) and accounts whose name contains the text,
//   - and full text over cases (number, summary, account, product, description), Portal comments
//     and JIRA comments, through their generated tsvector columns and GIN indexes.
// Every match counts in the total and pages in one order: exact identifiers first, then names,
// then the full-text rank; only the page's rows get a headline (ts_headline re-parses a document).

export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

export interface SearchRow {
  kind: SearchKind;
  caseNumber: string | null;
  jiraKey: string | null;
  bugId: string | null;
  /** The engineer's or account's name. */
  name: string | null;
  title: string | null;
  account: string | null;
  status: string | null;
  date: Date | null;
  /** Cards of an engineer, cases of an account. */
  count: number | null;
  rank: number;
  /** The matching passage with matches between MARK_START and MARK_END, not escaped; null when not full text. */
  snippet: string | null;
}

export interface SearchPage {
  total: number;
  rows: SearchRow[];
}

// Ranks: an identifier typed in full beats everything; a name, then an identifier's start, then
// full text (ts_rank is below 1).
const EXACT = 100;
const NAME_EXACT = 90;
const KEY_NUMBER = 80;
const NAME_PART = 50;
const PREFIX = 40;

const SEARCH_SQL = `
WITH input AS (
  SELECT websearch_to_tsquery('english', $1) AS q, $2::text AS num, upper($3::text) AS key,
         $4::text AS bug, $5::text AS pattern, lower($6::text) AS name),
hits AS (
  SELECT 'case' AS kind, c.case_number || '|' || c.created_date::text AS id, c.case_number,
         c.created_date, NULL::text AS extra,
         GREATEST(CASE WHEN ltrim(c.case_number, '0') = i.num THEN ${EXACT}
                       WHEN length(i.num) >= 3 AND starts_with(ltrim(c.case_number, '0'), i.num) THEN ${PREFIX}
                       ELSE 0 END,
                  CASE WHEN c.search_vector @@ i.q THEN ts_rank(c.search_vector, i.q) ELSE 0 END)::float8 AS rank,
         c.last_update AS date
  FROM cases c, input i
  WHERE c.search_vector @@ i.q OR (i.num <> '' AND ltrim(c.case_number, '0') = i.num)
     OR (length(i.num) >= 3 AND starts_with(ltrim(c.case_number, '0'), i.num))
  UNION ALL
  SELECT 'card', k.jira_key, k.case_number, k.case_created_date, NULL,
         (CASE WHEN upper(k.jira_key) = i.key THEN ${EXACT}
               WHEN split_part(k.jira_key, '-', 2) = i.key THEN ${KEY_NUMBER}
               ELSE ${PREFIX} END)::float8,
         k.updated_at
  FROM cards k, input i
  WHERE i.key <> '' AND (upper(k.jira_key) = i.key OR split_part(k.jira_key, '-', 2) = i.key
     OR (position('-' IN i.key) > 1 AND starts_with(upper(k.jira_key), i.key)))
  UNION ALL
  SELECT 'bug', b.bug_id, NULL, NULL, NULL,
         (CASE WHEN b.bug_id = i.bug THEN ${EXACT} ELSE ${PREFIX} END)::float8, b.last_change_time
  FROM bugs b, input i
  WHERE i.bug <> '' AND (b.bug_id = i.bug OR (length(i.bug) >= 4 AND starts_with(b.bug_id, i.bug)))
  UNION ALL
  SELECT 'engineer', k.assignee_name, NULL, NULL, count(*)::text,
         (CASE WHEN lower(k.assignee_name) = i.name THEN ${NAME_EXACT} ELSE ${NAME_PART} END)::float8,
         max(k.updated_at)
  FROM cards k, input i
  WHERE k.assignee_name ILIKE i.pattern ESCAPE '\\'
  GROUP BY k.assignee_name, i.name
  UNION ALL
  SELECT 'account', c.account, NULL, NULL, count(*)::text,
         (CASE WHEN lower(c.account) = i.name THEN ${NAME_EXACT} ELSE ${NAME_PART} END)::float8,
         max(c.last_update)
  FROM cases c, input i
  WHERE c.account ILIKE i.pattern ESCAPE '\\'
  GROUP BY c.account, i.name
  UNION ALL
  SELECT 'comment', m.id::text, m.case_number, m.case_created_date, NULL,
         ts_rank(m.search_vector, i.q)::float8, m.commented_at
  FROM comments m, input i WHERE m.search_vector @@ i.q
  UNION ALL
  SELECT 'jira_comment', j.jira_comment_id, j.case_number, j.case_created_date, j.jira_key,
         ts_rank(j.search_vector, i.q)::float8, j.last_update_date
  FROM jira_comments j, input i WHERE j.search_vector @@ i.q),
page AS (
  SELECT * FROM hits ORDER BY rank DESC, date DESC NULLS LAST, kind, id LIMIT $7 OFFSET $8)
SELECT (SELECT count(*) FROM hits)::int AS total,
       p.kind, p.rank, p.date,
       COALESCE(p.case_number, b1.case_number) AS "caseNumber",
       CASE p.kind WHEN 'card' THEN p.id WHEN 'jira_comment' THEN p.extra END AS "jiraKey",
       CASE p.kind WHEN 'bug' THEN p.id END AS "bugId",
       CASE WHEN p.kind IN ('engineer', 'account') THEN p.id END AS name,
       CASE WHEN p.kind IN ('engineer', 'account') THEN p.extra::int END AS count,
       CASE p.kind WHEN 'card' THEN k.summary WHEN 'bug' THEN b.summary ELSE c.summary END AS title,
       c.account,
       CASE p.kind WHEN 'card' THEN k.status WHEN 'bug' THEN b.status ELSE c.status END AS status,
       CASE p.kind
         WHEN 'case' THEN ts_headline('english', c.summary || ' — ' || left(c.description, 4000), i.q, $9)
         WHEN 'comment' THEN ts_headline('english', left(m.body, 4000), i.q, $9)
         WHEN 'jira_comment' THEN ts_headline('english', left(j.body, 4000), i.q, $9)
       END AS snippet
FROM input i
LEFT JOIN page p ON true
LEFT JOIN cases c ON c.case_number = p.case_number AND c.created_date = p.created_date
LEFT JOIN comments m ON p.kind = 'comment' AND m.id::text = p.id
LEFT JOIN jira_comments j ON p.kind = 'jira_comment' AND j.jira_comment_id = p.id
LEFT JOIN cards k ON p.kind = 'card' AND k.jira_key = p.id
LEFT JOIN bugs b ON p.kind = 'bug' AND b.bug_id = p.id
LEFT JOIN LATERAL (SELECT min(cb.case_number) AS case_number FROM case_bugs cb WHERE cb.bug_id = b.bug_id) b1
  ON p.kind = 'bug'
ORDER BY p.rank DESC, p.date DESC NULLS LAST, p.kind, p.id`;

const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxFragments=2, MaxWords=25, MinWords=8, FragmentDelimiter=" … "`;

/** `%text%` for ILIKE, with LIKE's own wildcards in the text matched literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The forms a typed identifier takes: a case number without leading zeros, a key, a bug id. */
function identifiers(text: string) {
  const t = text.trim();
  const digits = /^\d+$/.test(t) ? t : '';
  const bug = /^(?:bz|bug|rhbz)?\s*#?\s*(\d+)$/i.exec(t)?.[1] ?? '';
  return { num: digits.replace(/^0+/, ''), key: /^[A-Za-z0-9][A-Za-z0-9-]*$/.test(t) ? t : '', bug };
}

export async function searchAll(
  q: Queryable,
  text: string,
  opts: { limit: number; offset: number },
): Promise<SearchPage> {
  const { num, key, bug } = identifiers(text);
  const name = text.trim();
  const r = await q.query<SearchRow & { total: number; kind: SearchKind | null }>(SEARCH_SQL, [
    text,
    num,
    key,
    bug,
    name ? containsPattern(name) : '',
    name,
    opts.limit,
    opts.offset,
    HEADLINE_OPTIONS,
  ]);
  const total = r.rows[0]?.total ?? 0;
  const rows = r.rows.filter((row) => row.kind !== null).map(({ total: _total, ...row }) => row as SearchRow);
  return { total, rows };
}
