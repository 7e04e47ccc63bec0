import { bulkUpserter, type UpsertResult } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import { type CaseRef, upsertCaseChildren } from './case-parents.js';

/** A Customer Portal case comment. */
export interface CommentRecord extends CaseRef {
  commentId: string;
  author: string | null;
  authorType: string | null;
  body: string;
  isPublic: boolean;
  commentedAt: Date;
  lastModifiedAt: Date | null;
}

const upsert = bulkUpserter({
  table: 'comments',
  entity: 'comment',
  key: ['comment_id'],
  columns: [
    { name: 'comment_id', field: 'commentId', type: 'text' },
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'case_created_date', field: 'caseCreatedDate', type: 'timestamptz' },
    { name: 'author', type: 'text' },
    { name: 'author_type', field: 'authorType', type: 'text' },
    { name: 'body', type: 'text' },
    { name: 'is_public', field: 'isPublic', type: 'boolean' },
    { name: 'commented_at', field: 'commentedAt', type: 'timestamptz' },
    { name: 'last_modified_at', field: 'lastModifiedAt', type: 'timestamptz' },
  ],
});

/** Upserts comments; a comment whose case is not stored is quarantined, never dropped. */
export function upsertComments(
  q: Queryable,
  rows: readonly CommentRecord[],
  runId?: string | null,
): Promise<UpsertResult & { quarantined: number }> {
  return upsertCaseChildren(q, rows, {
    upsert,
    source: 'portal.comment',
    externalId: (c) => c.commentId,
    unknownCaseReason: (c) =>
      `case ${c.caseNumber} (created ${c.caseCreatedDate.toISOString()}) is not stored`,
    runId,
  });
}
