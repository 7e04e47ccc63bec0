import type { Queryable } from '../db.js';

// Claims of the card-creation job (table `card_creations`, one row per case; see schema.ts for the
// why). Every function is one statement, so a claim is won or lost atomically by the database,
// whatever the number of runs and workers racing for it.

export type CreationKind = 'create' | 'reopen';

/**
 * How far a claim got. `creating` = the create was about to be sent (JIRA may have the issue, its key
 * unknown); `created` = JIRA has the issue and `jira_key` is set; after that the follow-ups in order;
 * `done` = stored and notified, nothing left to do.
 */
export const CREATION_STEPS = [
  'claimed',
  'creating',
  'created',
  'sprint',
  'transitioned',
  'linked',
  'watched',
  'stored',
  'done',
] as const;
export type CreationStep = (typeof CREATION_STEPS)[number];

export interface CardCreationClaim {
  caseNumber: string;
  kind: CreationKind;
  runId: string | null;
  claimedAt: Date;
  jiraKey: string | null;
  step: CreationStep;
  assignee: string | null;
  attempts: number;
  lastError: string | null;
  reopenLogId: number | null;
  /** Last change of the row (for a claim at `creating`: when its create was sent, or failed). */
  updatedAt: Date;
}

const COLUMNS = `case_number AS "caseNumber", kind, run_id AS "runId", claimed_at AS "claimedAt", jira_key AS "jiraKey",
  step, assignee, attempts, last_error AS "lastError", reopen_log_id AS "reopenLogId", updated_at AS "updatedAt"`;

/** True when `step` is at or past `than`. */
export const reached = (step: CreationStep, than: CreationStep): boolean =>
  CREATION_STEPS.indexOf(step) >= CREATION_STEPS.indexOf(than);

/**
 * Claims a case that has never been claimed. Returns the claim, or undefined when another run
 * holds (or finished) it: the primary key decides, so two runs can never both get it.
 */
export async function claimNewCase(
  q: Queryable,
  c: { caseNumber: string; runId: string; assignee: string | null },
): Promise<CardCreationClaim | undefined> {
  const r = await q.query<CardCreationClaim>(
    `INSERT INTO card_creations (case_number, kind, run_id, assignee)
     VALUES ($1, 'create', $2, $3)
     ON CONFLICT (case_number) DO NOTHING
     RETURNING ${COLUMNS}`,
    [c.caseNumber, c.runId, c.assignee],
  );
  return r.rows[0];
}

/**
 * Takes over an unfinished claim: this holder's own, one an earlier attempt of the same run held
 * (the engine retries a run under the same id, as `<run id>/<attempt>`), one released after a
 * failure, or one whose lease ran out (its worker died). Undefined when another live run holds it
 * or it is done.
 */
export async function resumeClaim(
  q: Queryable,
  c: { caseNumber: string; runId: string; leaseSeconds: number },
): Promise<CardCreationClaim | undefined> {
  const r = await q.query<CardCreationClaim>(
    `UPDATE card_creations
     SET run_id = $2, claimed_at = now(), updated_at = now(),
         attempts = attempts + CASE WHEN run_id IS DISTINCT FROM $2 THEN 1 ELSE 0 END
     WHERE case_number = $1 AND step <> 'done'
       AND (run_id IS NULL OR run_id = $2 OR claimed_at < now() - make_interval(secs => $3)
            OR (split_part(run_id, '/', 1) = split_part($2, '/', 1)
                AND nullif(split_part(run_id, '/', 2), '')::int < nullif(split_part($2, '/', 2), '')::int))
     RETURNING ${COLUMNS}`,
    [c.caseNumber, c.runId, c.leaseSeconds],
  );
  return r.rows[0];
}

/**
 * Claims a finished case again to reopen its card, once per Closed → open change (`logId`). The
 * row is created if the card predates this table.
 */
export async function claimReopen(
  q: Queryable,
  c: { caseNumber: string; runId: string; jiraKey: string; logId: number },
): Promise<CardCreationClaim | undefined> {
  const r = await q.query<CardCreationClaim>(
    `INSERT INTO card_creations AS cc (case_number, kind, run_id, jira_key, step, reopen_log_id)
     VALUES ($1, 'reopen', $2, $3, 'created', $4)
     ON CONFLICT (case_number) DO UPDATE
       SET kind = 'reopen', run_id = $2, claimed_at = now(), updated_at = now(), jira_key = $3,
           step = 'created', attempts = 1, last_error = NULL, reopen_log_id = $4
       WHERE cc.step = 'done' AND coalesce(cc.reopen_log_id, 0) < $4
     RETURNING ${COLUMNS}`,
    [c.caseNumber, c.runId, c.jiraKey, c.logId],
  );
  return r.rows[0];
}

/** The run no longer holds the claim: another run took it over after the lease ran out. */
export class ClaimLostError extends Error {
  constructor(readonly caseNumber: string) {
    super(`card creation for case ${caseNumber}: claim lost to another run`);
    this.name = 'ClaimLostError';
  }
}

/** Records progress; only the holder (same run) may move its claim on. */
export async function advanceClaim(
  q: Queryable,
  caseNumber: string,
  runId: string,
  patch: { step: CreationStep; jiraKey?: string },
): Promise<void> {
  const r = await q.query(
    `UPDATE card_creations SET step = $3, jira_key = coalesce($4, jira_key), last_error = NULL, updated_at = now()
     WHERE case_number = $1 AND run_id = $2`,
    [caseNumber, runId, patch.step, patch.jiraKey ?? null],
  );
  if (r.rowCount === 0) throw new ClaimLostError(caseNumber);
}

/**
 * Releases a claim after a failure so the next run resumes it at once; keeps the error. False when
 * this run no longer held it (another run took it over and carries it on).
 */
export async function releaseClaim(
  q: Queryable,
  caseNumber: string,
  runId: string,
  error: string,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE card_creations SET run_id = NULL, last_error = $3, updated_at = now()
     WHERE case_number = $1 AND run_id = $2`,
    [caseNumber, runId, error.slice(0, 2000)],
  );
  return r.rowCount > 0;
}

/**
 * Finishes a claim that cannot get further (JIRA's workflow has no transition for it), keeping the
 * error: trying again every run would change nothing. False when this run no longer held it.
 */
export async function abandonClaim(
  q: Queryable,
  caseNumber: string,
  runId: string,
  error: string,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE card_creations SET step = 'done', last_error = $3, updated_at = now()
     WHERE case_number = $1 AND run_id = $2`,
    [caseNumber, runId, error.slice(0, 2000)],
  );
  return r.rowCount > 0;
}

/**
 * Drops a claim that never reached JIRA (READ_ONLY blocked the create): nothing was created, so
 * nothing may look created. A claim with a JIRA key is never dropped.
 */
export async function dropUnusedClaim(q: Queryable, caseNumber: string, runId: string): Promise<void> {
  await q.query(
    `DELETE FROM card_creations WHERE case_number = $1 AND run_id = $2 AND jira_key IS NULL AND kind = 'create'`,
    [caseNumber, runId],
  );
}

/** Unfinished claims, oldest first: the ones a run resumes before taking new cases. */
export async function listUnfinishedClaims(q: Queryable): Promise<CardCreationClaim[]> {
  const r = await q.query<CardCreationClaim>(
    `SELECT ${COLUMNS} FROM card_creations WHERE step <> 'done' ORDER BY claimed_at, case_number`,
  );
  return r.rows;
}

// The "New Card(s)" notifications (table `card_notifications`, one row per card and channel),
// claimed beside the cards' claims so each card is announced once per channel, whatever the number
// of runs that worked on it: only the run that holds a card's claim may claim its notification, and
// a sent notification is never claimed again. A notification claimed but not sent (its run lost the
// card's claim before sending, or the send failed) may be claimed by the card's new holder.

export type NotificationChannel = 'mail' | 'slack';
export type NotificationResult = 'sent' | 'blocked' | 'failed';

/** Claims the notification on `channel` of those cases whose card claim this run holds; returns them. */
export async function claimNotifications(
  q: Queryable,
  n: { runId: string; channel: NotificationChannel; caseNumbers: readonly string[] },
): Promise<string[]> {
  if (n.caseNumbers.length === 0) return [];
  const r = await q.query<{ caseNumber: string }>(
    `INSERT INTO card_notifications AS n (case_number, channel, run_id)
     SELECT cc.case_number, $2, $1 FROM card_creations cc
     WHERE cc.case_number = ANY($3::text[]) AND cc.run_id = $1 AND cc.step <> 'done'
     ON CONFLICT (case_number, channel) DO UPDATE
       SET run_id = $1, claimed_at = now(), result = NULL, error = NULL
       WHERE n.sent_at IS NULL
     RETURNING case_number AS "caseNumber"`,
    [n.runId, n.channel, n.caseNumbers],
  );
  return r.rows.map((x) => x.caseNumber).sort();
}

/** Records what the send of claimed notifications did; `sent` (and `blocked`) closes them for good. */
export async function finishNotifications(
  q: Queryable,
  n: {
    runId: string;
    channel: NotificationChannel;
    caseNumbers: readonly string[];
    result: NotificationResult;
    error?: string;
  },
): Promise<void> {
  if (n.caseNumbers.length === 0) return;
  await q.query(
    `UPDATE card_notifications
     SET result = $4, error = $5, sent_at = CASE WHEN $4 = 'failed' THEN NULL ELSE now() END
     WHERE case_number = ANY($3::text[]) AND channel = $2 AND run_id = $1`,
    [n.runId, n.channel, n.caseNumbers, n.result, n.error?.slice(0, 2000) ?? null],
  );
}
