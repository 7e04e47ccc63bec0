import type { Queryable } from '../../store/db.js';
import type { CaseRef } from '../../store/repositories/case-parents.js';

// Reads and one delete the cards job needs beyond the repositories' upserts.

/**
 * The stored case each case number names: the newest one with that number (numbers have been
 * reused with a new creation date, and a card tracks the current case).
 */
export async function resolveCaseRefs(
  q: Queryable,
  caseNumbers: readonly string[],
): Promise<Map<string, CaseRef>> {
  if (caseNumbers.length === 0) return new Map();
  const r = await q.query<CaseRef>(
    `SELECT DISTINCT ON (case_number) case_number AS "caseNumber", created_date AS "caseCreatedDate"
     FROM cases WHERE case_number = ANY($1::text[])
     ORDER BY case_number, created_date DESC`,
    [[...new Set(caseNumbers)]],
  );
  return new Map(r.rows.map((row) => [row.caseNumber, row]));
}

/** Every stored card key, for telling which cards a full pass no longer sees upstream. */
export async function listCardKeys(q: Queryable): Promise<string[]> {
  const r = await q.query<{ jira_key: string }>('SELECT jira_key FROM cards ORDER BY jira_key');
  return r.rows.map((row) => row.jira_key);
}

/**
 * Deletes stored comments of these cards that JIRA no longer has. Only call it with cards whose
 * comment list was read whole: then a stored comment missing from it was deleted upstream.
 * JIRA comment ids are unique across issues, so one id list covers every card.
 */
export async function pruneCardComments(
  q: Queryable,
  jiraKeys: readonly string[],
  keptCommentIds: readonly string[],
): Promise<string[]> {
  if (jiraKeys.length === 0) return [];
  const r = await q.query<{ jira_comment_id: string }>(
    `DELETE FROM jira_comments
     WHERE jira_key = ANY($1::text[]) AND NOT (jira_comment_id = ANY($2::text[]))
     RETURNING jira_comment_id`,
    [jiraKeys, keptCommentIds],
  );
  return r.rows.map((row) => row.jira_comment_id);
}

/** When JIRA last updated each of these cards, as stored (epoch ms by key; absent = not stored). */
export async function storedUpdateTimes(
  q: Queryable,
  jiraKeys: readonly string[],
): Promise<Map<string, number>> {
  if (jiraKeys.length === 0) return new Map();
  const r = await q.query<{ jira_key: string; updated_at: Date }>(
    'SELECT jira_key, updated_at FROM cards WHERE jira_key = ANY($1::text[])',
    [jiraKeys],
  );
  return new Map(r.rows.map((row) => [row.jira_key, new Date(row.updated_at).getTime()]));
}
