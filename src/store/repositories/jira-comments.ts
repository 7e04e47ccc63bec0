import { bulkUpserter, type UpsertResult } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import { splitByKnownCase } from './case-parents.js';
import { quarantineRecords, resolveQuarantined } from './quarantine.js';

/** A comment on a team card (JIRA). */
export interface JiraCommentRecord {
  jiraCommentId: string;
  jiraKey: string;
  /** The card's case, or null when the card names no stored case: the comment is kept either way. */
  caseNumber: string | null;
  caseCreatedDate: Date | null;
  author: string | null;
  body: string;
  bodyFormat: 'wiki' | 'adf' | 'text';
  createdAt: Date;
  lastUpdateDate: Date;
}

export const JIRA_COMMENT_SOURCE = 'jira.comment';

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

/**
 * Upserts card comments. A comment belongs to its card, not to the card's case: one whose case is
 * not stored is kept without a case reference (the composite foreign key would otherwise refuse
 * it). Only a comment whose card is not stored is quarantined, with the reason.
 */
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
  const ofKnownCard = rows.filter((r) => knownCards.has(r.jiraKey));
  const withRef = ofKnownCard.flatMap((r) =>
    r.caseNumber !== null && r.caseCreatedDate !== null
      ? [{ ...r, caseNumber: r.caseNumber, caseCreatedDate: r.caseCreatedDate }]
      : [],
  );
  const { unknown } = await splitByKnownCase(q, withRef);
  const orphaned = new Set(unknown.map((r) => r.jiraCommentId));
  const kept = ofKnownCard.map((r) =>
    orphaned.has(r.jiraCommentId) ? { ...r, caseNumber: null, caseCreatedDate: null } : r,
  );
  const result = await upsert(q, kept, runId);
  // Comments quarantined before (when a case-less card's comments were refused) are stored now.
  await resolveQuarantined(
    q,
    JIRA_COMMENT_SOURCE,
    kept.map((r) => r.jiraCommentId),
  );
  const quarantined = await quarantineRecords(
    q,
    rows
      .filter((r) => !knownCards.has(r.jiraKey))
      .map((row) => ({
        source: JIRA_COMMENT_SOURCE,
        externalId: row.jiraCommentId,
        payload: row,
        reason: `card ${row.jiraKey} is not stored`,
      })),
    runId,
  );
  return { ...result, quarantined };
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
