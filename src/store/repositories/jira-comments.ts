import { bulkUpserter, type UpsertResult } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import { type CaseRef, upsertCaseChildren } from './case-parents.js';

/** A comment on a team card (JIRA). */
export interface JiraCommentRecord extends CaseRef {
  jiraCommentId: string;
  jiraKey: string;
  author: string | null;
  body: string;
  bodyFormat: 'wiki' | 'adf' | 'text';
  createdAt: Date;
  lastUpdateDate: Date;
}

const upsert = bulkUpserter({
  table: 'jira_comments',
  entity: 'jira_comment',
  key: ['jira_comment_id'],
  columns: [
    { name: 'jira_comment_id', field: 'jiraCommentId', type: 'text' },
    { name: 'jira_key', field: 'jiraKey', type: 'text' },
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'case_created_date', field: 'caseCreatedDate', type: 'timestamptz' },
    { name: 'author', type: 'text' },
    { name: 'body', type: 'text' },
    { name: 'body_format', field: 'bodyFormat', type: 'text' },
    { name: 'created_at', field: 'createdAt', type: 'timestamptz' },
    { name: 'last_update_date', field: 'lastUpdateDate', type: 'timestamptz' },
  ],
});

/** Upserts card comments; one whose card or case is not stored is quarantined with the reason. */
export async function upsertJiraComments(
  q: Queryable,
  rows: readonly JiraCommentRecord[],
  runId?: string | null,
): Promise<UpsertResult & { quarantined: number }> {
  const cardKeys = [...new Set(rows.map((r) => r.jiraKey))];
  const stored = cardKeys.length
    ? await q.query<{ jira_key: string }>('SELECT jira_key FROM cards WHERE jira_key = ANY($1::text[])', [
        cardKeys,
      ])
    : { rows: [] };
  const knownCards = new Set(stored.rows.map((r) => r.jira_key));
  return upsertCaseChildren(
    q,
    rows.filter((r) => knownCards.has(r.jiraKey)),
    {
      upsert,
      source: 'jira.comment',
      externalId: (c) => c.jiraCommentId,
      unknownCaseReason: (c) => `case ${c.caseNumber} of card ${c.jiraKey} is not stored`,
      rejected: rows
        .filter((r) => !knownCards.has(r.jiraKey))
        .map((row) => ({ row, reason: `card ${row.jiraKey} is not stored` })),
      runId,
    },
  );
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

/** Deletes these comments (a webhook said JIRA deleted them); returns the ids that were stored. */
export async function deleteJiraComments(q: Queryable, commentIds: readonly string[]): Promise<string[]> {
  if (commentIds.length === 0) return [];
  const r = await q.query<{ jira_comment_id: string }>(
    'DELETE FROM jira_comments WHERE jira_comment_id = ANY($1::text[]) RETURNING jira_comment_id',
    [commentIds],
  );
  return r.rows.map((row) => row.jira_comment_id);
}

/** When JIRA last updated this comment, as stored; undefined when it is not stored. */
export async function storedCommentUpdate(q: Queryable, commentId: string): Promise<Date | undefined> {
  const r = await q.query<{ last_update_date: Date }>(
    'SELECT last_update_date FROM jira_comments WHERE jira_comment_id = $1',
    [commentId],
  );
  const row = r.rows[0];
  return row ? new Date(row.last_update_date) : undefined;
}
