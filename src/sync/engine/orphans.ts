import type { PgBoss } from 'pg-boss';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { finishRunOnce, listUnfinishedRuns, updateRun } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import type { AlertSink } from './alerts.js';
import { queueName } from './boss.js';
import { RUN_ENTITY } from './progress.js';

// A run's row is finished by the worker that ran its last attempt. When that worker died (SIGKILL,
// OOM, lost machine), pg-boss notices through the missing heartbeat and retries the job elsewhere or,
// after the last retry, fails it, but no handler is left to record that. This check closes such
// rows from pg-boss's verdict and raises the alert the worker could not.

/** Seconds a run must have existed before the check looks at it (a fresh run may not have a job yet). */
const GRACE_SECONDS = 30;

export async function closeOrphanedRuns(
  boss: PgBoss,
  store: Store,
  alerts: AlertSink,
  logger: Logger,
  alertingJobs: (job: string) => boolean,
): Promise<number> {
  let closed = 0;
  for (const run of await listUnfinishedRuns(store.db, GRACE_SECONDS)) {
    let verdict: { status: 'succeeded' | 'failed'; error: string | null } | undefined;
    let attempts = 0;
    try {
      const queue = queueName(run.job);
      const [job] = (await boss.getQueue(queue)) ? await boss.findJobs(queue, { id: run.id }) : [];
      attempts = job ? job.retryCount + 1 : 0;
      if (!job) verdict = { status: 'failed', error: 'the job queue no longer holds this run (worker lost)' };
      else if (job.state === 'completed') verdict = { status: 'succeeded', error: null };
      else if (job.state === 'failed' || job.state === 'cancelled')
        verdict = { status: 'failed', error: outputMessage(job.output) ?? `run ${job.state} (worker lost)` };
    } catch (err) {
      logger.warn({ err: errorMessage(err), runId: run.id }, 'could not check run');
      continue;
    }
    if (!verdict) continue;
    const v = verdict;
    const finishedHere = await store.write(async (tx, changes) => {
      const done = await finishRunOnce(tx, run.id, v);
      if (done) changes.add(RUN_ENTITY, [run.id]);
      return done;
    });
    if (!finishedHere) continue;
    closed += 1;
    logger.warn({ runId: run.id, job: run.job, ...v }, 'closed a run whose worker is gone');
    if (v.status === 'failed' && alertingJobs(run.job)) {
      await alerts.send({ job: run.job, runId: run.id, error: v.error ?? 'failed', attempts });
    }
  }
  return closed;
}

/** What pg-boss stores on a job it failed because its worker stopped sending heartbeats. */
const HEARTBEAT_LOST = 'job heartbeat timeout';
export const WORKER_LOST_RETRIED =
  'worker lost (no heartbeat from it): the run was put back in the queue for another worker at once';

/**
 * A run whose worker died (SIGKILL, OOM, lost machine) is failed by pg-boss's supervisor once its
 * heartbeat is missing, and then waits out the retry delay like a run that failed on its own, a
 * minute or more. The death is not the run's fault and another worker is idle: this puts such runs
 * back in the queue now. Returns the runs it pulled forward.
 */
export async function retryRunsOfLostWorkers(
  boss: PgBoss,
  store: Store,
  jobs: readonly string[],
  logger: Logger,
): Promise<string[]> {
  const retried: string[] = [];
  const now = new Date();
  for (const name of jobs) {
    const queue = queueName(name);
    for (const job of await boss.findJobs(queue, { queued: true, limit: 20 })) {
      if (job.state !== 'retry' || outputMessage(job.output) !== HEARTBEAT_LOST) continue;
      if (job.startAfter.getTime() <= now.getTime()) continue;
      await boss.update({ name: queue, options: { id: job.id, startAfter: now } });
      await store.write(async (tx, changes) => {
        await updateRun(tx, job.id, { status: 'retrying', error: WORKER_LOST_RETRIED });
        changes.add(RUN_ENTITY, [job.id]);
      });
      logger.warn({ runId: job.id, job: name }, WORKER_LOST_RETRIED);
      retried.push(job.id);
    }
  }
  return retried;
}

/** pg-boss keeps a failure's message as `{ message }` (handler results) or `{ value: { message } }`. */
function outputMessage(output: unknown): string | undefined {
  if (!output || typeof output !== 'object') return undefined;
  if ('message' in output && typeof output.message === 'string') return output.message;
  if ('value' in output) return outputMessage(output.value);
  return undefined;
}
