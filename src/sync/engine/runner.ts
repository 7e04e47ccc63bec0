import type { JobWithMetadata } from 'pg-boss';
import type { Config } from '../../config/config.js';
import { follows } from '../../lib/abort.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Queryable } from '../../store/db.js';
import { appendAudit } from '../../store/repositories/auth.js';
import {
  failedInputs,
  finishRunOnce,
  type RunTrigger,
  startRunAttempt,
  updateRun,
} from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import type { AlertSink } from './alerts.js';
import type { SyncMetrics } from './metrics.js';
import { WORKER_LOST_RETRIED } from './orphans.js';
import { ProgressWriter, RUN_ENTITY } from './progress.js';
import type { JobContext, JobDefinition, JobParams, JobServices, RunCounters } from './types.js';

// One attempt of one run, from the worker's side: mark the run running, give the handler its
// context, then record the outcome. The run id is the pg-boss job id, so every attempt of a run
// (retries included) updates the same `sync_runs` row.
//
//   success            → succeeded, counts, finished_at
//   failure, retries left → retrying, error (pg-boss re-queues it after the backoff delay)
//   failure, last attempt → failed, error, finished_at, then one alert (rate-limited)

/** The payload of every sync job. */
export interface JobPayload {
  trigger: RunTrigger;
  params?: JobParams;
  /** Only on `refresh-all`: every job of the refresh, in registry order. */
  jobs?: string[];
  /** Only on `refresh-all`: the runs started before it, by job. */
  runs?: Record<string, string>;
}

export interface RunnerDeps {
  store: Store;
  config: Config;
  logger: Logger;
  services: JobServices;
  alerts: AlertSink;
  /** Minimum time between progress writes of one run. */
  progressIntervalMs: number;
  metrics?: SyncMetrics;
  /** True once the process is shutting down: an attempt aborted then is handed back, not failed. */
  stopping?: () => boolean;
}

export type AttemptResult =
  | { status: 'completed' }
  | { status: 'failed'; error: string }
  | { status: 'handed-back' };

export const HANDED_BACK = 'handed back to the queue: the worker shut down before the run finished';

/** Card creation, priority sync, bug tagging: the jobs no refresh starts because they write upstream. */
const writesUpstream = (def: JobDefinition) => def.refresh === 'none' && def.name !== 'refresh-all';

/**
 * The audit log's record of a run that wrote (or would have written) upstream, however it was
 * started: the admin route records who asked, this what the run did, scheduled runs included.
 */
async function auditUpstreamRun(
  tx: Queryable,
  job: string,
  runId: string,
  trigger: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await appendAudit(tx, {
    actor: trigger === 'schedule' ? 'scheduler' : null,
    action: 'job.finished',
    target: job,
    detail: { runId, trigger, ...detail },
  });
}

export async function runAttempt(
  def: JobDefinition,
  job: JobWithMetadata<JobPayload>,
  deps: RunnerDeps,
): Promise<AttemptResult> {
  const runId = job.id;
  const trigger = job.data?.trigger ?? 'schedule';
  const attempt = job.retryCount + 1;
  const isLastAttempt = job.retryCount >= job.retryLimit || def.retryOnlyAfterWorkerLoss === true;
  const logger = deps.logger.child({ job: def.name, runId, attempt });
  const { store } = deps;

  await store.write(async (tx, changes) => {
    await startRunAttempt(tx, { id: runId, job: def.name, trigger });
    changes.add(RUN_ENTITY, [runId]);
  });

  // The run's deadline: past it the handler is aborted (its requests with it) and the attempt fails
  // with the reason, so a run slowed down by a faulty upstream ends and is retried instead of
  // holding its queue for an hour.
  const deadlineSeconds = def.timeoutSeconds ?? deps.config.runDeadlineMinutes * 60;
  const deadline = AbortSignal.timeout(deadlineSeconds * 1000);
  const signal = AbortSignal.any([job.signal, deadline]);
  const counters: RunCounters = { fetched: 0, changed: 0, quarantined: 0, upstreamRequests: 0 };
  const progress = new ProgressWriter(store, runId, counters, logger, deps.progressIntervalMs);
  const ctx: JobContext = {
    runId,
    job: def.name,
    trigger,
    params: job.data?.params ?? {},
    attempt,
    store,
    config: deps.config,
    logger,
    services: deps.services,
    signal,
    counters,
    progress: (p) => progress.report(p),
    fetch: countingFetch(counters, signal),
  };
  const started = Date.now();
  if (attempt > 1) deps.metrics?.retries.inc({ job: def.name });
  logger.info({ trigger }, 'run started');

  try {
    const outcome = (await def.handler(ctx)) ?? {};
    const { summary, outcome: record, finalProgress, ...finalCounts } = outcome;
    Object.assign(counters, finalCounts);
    await progress.close();
    // Done, but only as fresh as what it read: when a job it reads from last failed (details after a
    // cases sync that could not reach the Portal has "0 to read"), the run says so and does not count
    // as a fresh sync.
    const failed = await failedInputs(store.db, def.after ?? [], [HANDED_BACK, WORKER_LOST_RETRIED]);
    const inputError = failed.length
      ? `input failed: ${failed.map((f) => `${f.job} (${f.error ?? 'failed'})`).join('; ')}`
      : null;
    await store.write(async (tx, changes) => {
      await updateRun(tx, runId, {
        ...counters,
        progress: { ...progress.current, ...finalProgress, phase: 'done' },
        ...(record ? { outcome: record } : {}),
      });
      await finishRunOnce(tx, runId, { status: 'succeeded', error: null, inputError });
      if (writesUpstream(def))
        await auditUpstreamRun(tx, def.name, runId, trigger, {
          status: 'succeeded',
          ...(record ? { result: record.result, summary: record.summary } : {}),
        });
      changes.add(RUN_ENTITY, [runId]);
    });
    if (inputError) logger.warn({ ...counters, inputError }, 'run succeeded on a failed input: not fresh');
    else logger.info({ ...counters, ms: Date.now() - started, summary }, 'run succeeded');
    observe(deps.metrics, def.name, 'succeeded', started);
    return { status: 'completed' };
  } catch (err) {
    const error =
      deadline.aborted && !job.signal.aborted
        ? `run deadline passed (${formatSeconds(deadlineSeconds)}): ${errorMessage(err)}`
        : errorMessage(err);
    await progress.close();
    if (job.signal.aborted && deps.stopping?.()) {
      // Not a failure of the job: the engine puts it back in the queue for another worker (or this
      // one, restarted), so no alert, and the run stays open.
      await store.write(async (tx, changes) => {
        await updateRun(tx, runId, { ...counters, status: 'retrying', error: HANDED_BACK });
        changes.add(RUN_ENTITY, [runId]);
      });
      observe(deps.metrics, def.name, 'handed-back', started);
      logger.warn({ ms: Date.now() - started }, HANDED_BACK);
      return { status: 'handed-back' };
    }
    let finishedHere = false;
    await store.write(async (tx, changes) => {
      await updateRun(tx, runId, { ...counters, error, ...(isLastAttempt ? {} : { status: 'retrying' }) });
      if (isLastAttempt) finishedHere = await finishRunOnce(tx, runId, { status: 'failed', error });
      if (finishedHere && writesUpstream(def))
        await auditUpstreamRun(tx, def.name, runId, trigger, { status: 'failed', error });
      changes.add(RUN_ENTITY, [runId]);
    });
    observe(deps.metrics, def.name, isLastAttempt ? 'failed' : 'retrying', started);
    if (!isLastAttempt) {
      logger.warn(
        { err: error, retriesLeft: job.retryLimit - job.retryCount },
        'run attempt failed; will retry',
      );
    } else {
      logger.error({ err: error, ms: Date.now() - started }, 'run failed');
      // Only the process that recorded the failure alerts (the orphan check may have got there first).
      if (finishedHere && def.alertOnFailure !== false) {
        await deps.alerts.send({ job: def.name, runId, error, attempts: attempt });
      }
    }
    return { status: 'failed', error };
  }
}

const formatSeconds = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

function observe(metrics: SyncMetrics | undefined, job: string, outcome: string, started: number) {
  metrics?.runs.inc({ job, status: outcome });
  metrics?.duration.observe({ job }, (Date.now() - started) / 1000);
}

/** `fetch` that counts every request into the run and is aborted with the run. */
export function countingFetch(counters: RunCounters, signal: AbortSignal): typeof globalThis.fetch {
  return (input, init) => {
    counters.upstreamRequests += 1;
    // The connectors' HTTP layer links each attempt to the run's signal itself (`withUpstreams`
    // hands it over), at a constant cost. Only other callers get a composite here:
    // `AbortSignal.any` against the run's signal costs time quadratic in the run's requests
    // (src/lib/abort.ts), so it is kept off the path of the thousands of requests of a sync.
    if (init?.signal && follows(init.signal, signal)) return globalThis.fetch(input, init);
    const signals = init?.signal ? [signal, init.signal] : [signal];
    return globalThis.fetch(input, { ...init, signal: AbortSignal.any(signals) });
  };
}
