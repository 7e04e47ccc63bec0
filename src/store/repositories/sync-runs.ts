import type { RunOutcome } from '../../shared/api/sync.js';
import type { RUN_STATUSES, RUN_TRIGGERS } from '../../shared/vocabulary.js';
import type { Queryable } from '../db.js';

export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
/** A run in one of these states will not change again. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed'];
export const isFinished = (status: RunStatus): boolean => FINISHED_RUN_STATUSES.includes(status);

export interface RunProgress {
  current?: number;
  total?: number;
  phase?: string;
}

export interface SyncRun {
  id: string;
  job: string;
  trigger: RunTrigger;
  status: RunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  fetched: number;
  changed: number;
  quarantined: number;
  upstreamRequests: number;
  progress: RunProgress;
  error: string | null;
  /** Jobs that write upstream: what the run did, would have done, or refused (null for the others). */
  outcome: RunOutcome | null;
  /** A run that succeeded while a job it reads from had failed: what failed. Not fresh. */
  inputError: string | null;
}

const RUN_COLUMNS = `id, job, trigger, status, started_at AS "startedAt", finished_at AS "finishedAt", fetched,
  changed, quarantined, upstream_requests AS "upstreamRequests", progress, error, outcome, input_error AS "inputError"`;

/**
 * Creates the row for a run unless it exists. The sync engine uses the queue's job id as the run id,
 * so whoever gets there first (the process that enqueued it, or the worker that picked it up)
 * creates it and the other leaves it alone.
 */
export async function ensureRun(
  q: Queryable,
  run: { id: string; job: string; trigger: RunTrigger; status: RunStatus },
): Promise<void> {
  await q.query(
    `INSERT INTO sync_runs (id, job, trigger, status) VALUES ($1::uuid, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    [run.id, run.job, run.trigger, run.status],
  );
}

/**
 * Marks an attempt as running, creating the row when the run was enqueued without one (a scheduled
 * run). The start time is when the first attempt began, not when the run was queued; a retry keeps it.
 */
export async function startRunAttempt(
  q: Queryable,
  run: { id: string; job: string; trigger: RunTrigger },
): Promise<SyncRun> {
  const r = await q.query<SyncRun>(
    `INSERT INTO sync_runs (id, job, trigger, status) VALUES ($1::uuid, $2, $3, 'running')
     ON CONFLICT (id) DO UPDATE SET
       status = 'running',
       error = NULL,
       finished_at = NULL,
       started_at = CASE WHEN sync_runs.status = 'queued' THEN now() ELSE sync_runs.started_at END
     RETURNING ${RUN_COLUMNS}`,
    [run.id, run.job, run.trigger],
  );
  return r.rows[0]!;
}

/** Runs not finished yet, oldest first: what the engine checks for runs whose worker vanished. */
export async function listUnfinishedRuns(q: Queryable, olderThanSeconds = 0): Promise<SyncRun[]> {
  const r = await q.query<SyncRun>(
    `SELECT ${RUN_COLUMNS} FROM sync_runs
     WHERE status IN ('queued', 'running', 'retrying') AND started_at <= now() - make_interval(secs => $1)
     ORDER BY started_at`,
    [olderThanSeconds],
  );
  return r.rows;
}

/** The newest unfinished run of a job: the one a manual refresh joins while the job is running. */
export async function latestUnfinishedRun(q: Queryable, job: string): Promise<SyncRun | undefined> {
  const r = await q.query<SyncRun>(
    `SELECT ${RUN_COLUMNS} FROM sync_runs
     WHERE job = $1 AND status IN ('queued', 'running', 'retrying')
     ORDER BY started_at DESC LIMIT 1`,
    [job],
  );
  return r.rows[0];
}

/**
 * Finishes a run unless it already finished, and says whether this call did it: of several processes
 * that notice the same vanished run, only the one that gets `true` raises the alert.
 */
export async function finishRunOnce(
  q: Queryable,
  id: string,
  u: { status: 'succeeded' | 'failed'; error: string | null; inputError?: string | null },
): Promise<boolean> {
  const r = await q.query(
    `UPDATE sync_runs SET status = $2, error = $3, input_error = $4, finished_at = now()
     WHERE id = $1 AND status NOT IN ('succeeded', 'failed')`,
    [id, u.status, u.error, u.inputError ?? null],
  );
  return r.rowCount > 0;
}

export interface RunUpdate {
  status?: RunStatus;
  progress?: RunProgress;
  fetched?: number;
  changed?: number;
  quarantined?: number;
  upstreamRequests?: number;
  error?: string | null;
  finished?: boolean;
  outcome?: RunOutcome;
}

export async function updateRun(q: Queryable, id: string, u: RunUpdate): Promise<SyncRun | undefined> {
  const r = await q.query<SyncRun>(
    `UPDATE sync_runs SET
       status = coalesce($2, status),
       progress = coalesce($3::jsonb, progress),
       fetched = coalesce($4, fetched),
       changed = coalesce($5, changed),
       quarantined = coalesce($6, quarantined),
       upstream_requests = coalesce($7, upstream_requests),
       error = CASE WHEN $8 THEN $9 ELSE error END,
       finished_at = CASE WHEN $10 THEN now() ELSE finished_at END,
       outcome = coalesce($11::jsonb, outcome)
     WHERE id = $1 RETURNING ${RUN_COLUMNS}`,
    [
      id,
      u.status ?? null,
      u.progress ? JSON.stringify(u.progress) : null,
      u.fetched ?? null,
      u.changed ?? null,
      u.quarantined ?? null,
      u.upstreamRequests ?? null,
      'error' in u,
      u.error ?? null,
      u.finished ?? false,
      u.outcome ? JSON.stringify(u.outcome) : null,
    ],
  );
  return r.rows[0];
}

export async function getRun(q: Queryable, id: string): Promise<SyncRun | undefined> {
  const r = await q.query<SyncRun>(`SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id = $1`, [id]);
  return r.rows[0];
}

export async function listRuns(
  q: Queryable,
  opts: { job?: string; status?: RunStatus; limit?: number } = {},
): Promise<SyncRun[]> {
  const r = await q.query<SyncRun>(
    `SELECT ${RUN_COLUMNS} FROM sync_runs
     WHERE ($1::text IS NULL OR job = $1) AND ($2::text IS NULL OR status = $2)
     ORDER BY started_at DESC, id LIMIT $3`,
    [opts.job ?? null, opts.status ?? null, opts.limit ?? 50],
  );
  return r.rows;
}

/** The newest successful run per job: what the header's "cases synced 2 min ago" reads. */
export async function lastSuccessPerJob(q: Queryable): Promise<Record<string, Date>> {
  // A run that succeeded on the output of a failed input (details after a failed cases sync: "0 to
  // read") did not bring anything up to date.
  const r = await q.query<{ job: string; at: Date }>(
    `SELECT job, max(finished_at) AS at FROM sync_runs
     WHERE status = 'succeeded' AND input_error IS NULL GROUP BY job`,
  );
  return Object.fromEntries(r.rows.map((x) => [x.job, x.at]));
}

/**
 * Of these jobs, the ones whose latest attempted run failed or is waiting to retry after a failure
 * (errors in `notFailures` excepted: a run handed back at shutdown did not fail), with the error.
 */
export async function failedInputs(
  q: Queryable,
  jobs: readonly string[],
  notFailures: readonly string[],
): Promise<{ job: string; error: string | null }[]> {
  if (jobs.length === 0) return [];
  const r = await q.query<{ job: string; status: RunStatus; error: string | null }>(
    `SELECT DISTINCT ON (job) job, status, error FROM sync_runs
     WHERE job = ANY($1::text[]) AND status IN ('succeeded', 'failed', 'retrying')
       AND NOT (status = 'retrying' AND error = ANY($2::text[]))
     ORDER BY job, started_at DESC`,
    [jobs, notFailures],
  );
  return r.rows.filter((x) => x.status !== 'succeeded').map(({ job, error }) => ({ job, error }));
}

/** The newest run per job that a worker has taken (queued runs are not news yet). */
export async function latestRunPerJob(q: Queryable): Promise<Map<string, SyncRun>> {
  const r = await q.query<SyncRun>(
    `SELECT DISTINCT ON (job) ${RUN_COLUMNS} FROM sync_runs
     WHERE status <> 'queued' ORDER BY job, started_at DESC`,
  );
  return new Map(r.rows.map((run) => [run.job, run]));
}
