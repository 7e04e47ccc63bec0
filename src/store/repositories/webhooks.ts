import type { Queryable } from '../db.js';

// What the webhook receiver reads and keeps besides the synced rows it writes through the normal
// upserts: the stored version of the record an event names (locked, so a concurrent sync run and
// the event are applied one after the other), and per source a receipt row in `sync_state`
// (`webhook.<source>`): when the last delivery arrived and was applied, what it was, the issues
// deleted upstream, and the cards changed by a webhook whose comments the next cards pass re-reads.

const stateKey = (source: string) => `webhook.${source}`;

/** Deleted-upstream keys kept (the count is always kept), as the cards full pass keeps its missing keys. */
const DELETED_KEYS_KEPT = 200;
/** Ids of comments a webhook deleted, kept so a late or replayed event of one cannot bring it back. */
const DELETED_COMMENTS_KEPT = 1000;
/** Cards waiting for their comments to be re-read; beyond this, the next full pass covers the rest. */
const PENDING_KEPT = 5000;

export interface StoredCardVersion {
  updatedAt: Date;
  caseNumber: string | null;
  caseCreatedDate: Date | null;
}

/** The stored card's JIRA update time and case, locked until the transaction ends; undefined = not stored. */
export async function lockCardVersion(q: Queryable, jiraKey: string): Promise<StoredCardVersion | undefined> {
  const r = await q.query<{ updated_at: Date; case_number: string | null; case_created_date: Date | null }>(
    'SELECT updated_at, case_number, case_created_date FROM cards WHERE jira_key = $1 FOR UPDATE',
    [jiraKey],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    updatedAt: new Date(row.updated_at),
    caseNumber: row.case_number,
    caseCreatedDate: row.case_created_date ? new Date(row.case_created_date) : null,
  };
}

/** The key of the stored card with this JIRA issue id (a comment event that names only the id). */
export async function cardKeyByIssueId(q: Queryable, issueId: string): Promise<string | undefined> {
  const r = await q.query<{ jira_key: string }>(
    "SELECT jira_key FROM cards WHERE raw->>'id' = $1 ORDER BY jira_key LIMIT 1",
    [issueId],
  );
  return r.rows[0]?.jira_key;
}

export interface StoredIssueVersion {
  updatedAt: Date | null;
  privateKeywords: string[] | null;
}

/** The stored linked issue's update time and the field only its own fetch can read; locked. */
export async function lockIssueVersion(
  q: Queryable,
  issueKey: string,
): Promise<StoredIssueVersion | undefined> {
  const r = await q.query<{ updated_at: Date | null; private_keywords: string[] | null }>(
    'SELECT updated_at, private_keywords FROM issues WHERE issue_key = $1 FOR UPDATE',
    [issueKey],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    updatedAt: row.updated_at ? new Date(row.updated_at) : null,
    privateKeywords: row.private_keywords,
  };
}

export interface WebhookReceipt {
  source: string;
  lastReceivedAt: string | null;
  lastAppliedAt: string | null;
  lastEvent: string | null;
  lastKey: string | null;
  lastOutcome: string | null;
  received: number;
  deletedUpstream: number;
  deletedKeys: string[];
  /** Newest first; JIRA never reuses a comment id. */
  deletedComments: string[];
  pendingCommentCheck: string[];
}

function receiptOf(source: string, details: Record<string, unknown> | undefined): WebhookReceipt {
  const d = details ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return {
    source,
    lastReceivedAt: str(d.lastReceivedAt),
    lastAppliedAt: str(d.lastAppliedAt),
    lastEvent: str(d.lastEvent),
    lastKey: str(d.lastKey),
    lastOutcome: str(d.lastOutcome),
    received: typeof d.received === 'number' ? d.received : 0,
    deletedUpstream: typeof d.deletedUpstream === 'number' ? d.deletedUpstream : 0,
    deletedKeys: strs(d.deletedKeys),
    deletedComments: strs(d.deletedComments),
    pendingCommentCheck: strs(d.pendingCommentCheck),
  };
}

/** The receipt of a source; locked with `forUpdate` (the receiver's read-modify-write). */
export async function getWebhookReceipt(
  q: Queryable,
  source: string,
  opts: { forUpdate?: boolean } = {},
): Promise<WebhookReceipt> {
  const r = await q.query<{ details: Record<string, unknown> }>(
    `SELECT details FROM sync_state WHERE source = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [stateKey(source)],
  );
  return receiptOf(source, r.rows[0]?.details);
}

/**
 * Records one verified delivery. The row is created first and then locked, so deliveries applied
 * side by side queue on it and none of their counts or key lists is lost.
 */
export async function recordWebhookReceipt(
  q: Queryable,
  source: string,
  delivery: {
    at: Date;
    event: string;
    key: string | null;
    outcome: string;
    applied: boolean;
    deletedKey?: string;
    deletedComment?: string;
    pendingCard?: string;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO sync_state (source, details) VALUES ($1, '{}'::jsonb) ON CONFLICT (source) DO NOTHING`,
    [stateKey(source)],
  );
  const before = await getWebhookReceipt(q, source, { forUpdate: true });
  const deletedKeys = delivery.deletedKey
    ? [delivery.deletedKey, ...before.deletedKeys.filter((k) => k !== delivery.deletedKey)].slice(
        0,
        DELETED_KEYS_KEPT,
      )
    : before.deletedKeys;
  const deletedComments = delivery.deletedComment
    ? [delivery.deletedComment, ...before.deletedComments.filter((k) => k !== delivery.deletedComment)].slice(
        0,
        DELETED_COMMENTS_KEPT,
      )
    : before.deletedComments;
  const pending = delivery.pendingCard
    ? [...new Set([...before.pendingCommentCheck, delivery.pendingCard])].slice(-PENDING_KEPT)
    : before.pendingCommentCheck;
  const details = {
    lastReceivedAt: delivery.at.toISOString(),
    ...(delivery.applied ? { lastAppliedAt: delivery.at.toISOString() } : {}),
    lastEvent: delivery.event,
    lastKey: delivery.key,
    lastOutcome: delivery.outcome,
    received: before.received + 1,
    deletedUpstream: before.deletedUpstream + (delivery.deletedKey ? 1 : 0),
    deletedKeys,
    deletedComments,
    pendingCommentCheck: pending,
  };
  await q.query(
    `UPDATE sync_state SET details = details || $2::jsonb, updated_at = now() WHERE source = $1`,
    [stateKey(source), JSON.stringify(details)],
  );
}

/** Whether a webhook deleted this comment (a later event of it is stale). */
export async function wasCommentDeleted(q: Queryable, source: string, commentId: string): Promise<boolean> {
  return (await getWebhookReceipt(q, source)).deletedComments.includes(commentId);
}

/** Cards a webhook changed whose comments are not known to be complete (the cards pass re-reads them). */
export async function pendingCommentChecks(q: Queryable, source: string): Promise<string[]> {
  return (await getWebhookReceipt(q, source)).pendingCommentCheck;
}

/** Takes these keys off the re-read list once their comments were read whole; in the pass's transaction. */
export async function clearPendingCommentChecks(
  q: Queryable,
  source: string,
  done: readonly string[],
): Promise<void> {
  if (done.length === 0) return;
  const before = await getWebhookReceipt(q, source, { forUpdate: true });
  const left = before.pendingCommentCheck.filter((k) => !done.includes(k));
  if (left.length === before.pendingCommentCheck.length) return;
  await q.query(
    `UPDATE sync_state SET details = details || $2::jsonb, updated_at = now() WHERE source = $1`,
    [stateKey(source), JSON.stringify({ pendingCommentCheck: left })],
  );
}
