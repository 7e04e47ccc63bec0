import { fromPglite, PgBoss, type Queue } from 'pg-boss';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../../store/store.js';
import type { JobDefinition, JobRetryPolicy } from './types.js';

// pg-boss on whichever database the store uses: in-process on PGlite (same single connection, NOTIFY
// delivered in-process) or with its own small pool on PostgreSQL (LISTEN/NOTIFY so a refresh is
// picked up within milliseconds, SKIP LOCKED so several workers share queues).

export interface BossRole {
  /** Run the cron pass (fires schedules). pg-boss claims each pass in the database, so of several
   * instances with this on, exactly one fires a given tick. */
  schedule: boolean;
  /** Run maintenance (expire, heartbeats, retention); claimed the same way. */
  supervise: boolean;
}

/** Polling knobs; tests shrink them. pg-boss needs every interval ≥ 0.5 s. */
export interface WorkerTuning {
  /** > 1 with `burstWhenBatchFull`, else pg-boss sleeps a poll interval after every job. */
  batchSize: number;
  /** Idle poll when NOTIFY is not available. */
  pollingIntervalSeconds: number;
  /** Backstop poll while NOTIFY wakes workers; also how soon a retry whose delay ran out is picked up. */
  notifyPollingIntervalSeconds: number;
  /** How often the cron pass runs (1–45 s). */
  cronMonitorIntervalSeconds: number;
  /** Seconds without a heartbeat before a run whose worker died is failed and retried (≥ 10). */
  heartbeatSeconds: number;
  /** How often maintenance looks for expired jobs and lost heartbeats; a dead worker's run is retried
   * within heartbeatSeconds + this. */
  superviseIntervalSeconds: number;
  /** pg-boss pool size on PostgreSQL. */
  poolSize: number;
}

export const DEFAULT_TUNING: WorkerTuning = {
  batchSize: 5,
  pollingIntervalSeconds: 2,
  notifyPollingIntervalSeconds: 10,
  cronMonitorIntervalSeconds: 30,
  // pg-boss's smallest heartbeat: a SIGKILLed worker's run is failed within 10 + 5 s, and the
  // engine's lost-worker check then retries it at once instead of after the retry delay.
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 5,
  poolSize: 4,
};

export const DEFAULT_JOB_RETRY: JobRetryPolicy = {
  limit: 3,
  delaySeconds: 30,
  backoff: true,
  maxDelaySeconds: 600,
};
const EXPIRY_MARGIN_SECONDS = 60;

/** Queues are namespaced so t5g's rows are easy to tell from anything else using pg-boss here. */
export const queueName = (job: string): string => `sync.${job}`;
export const jobOfQueue = (queue: string): string | undefined =>
  queue.startsWith('sync.') ? queue.slice('sync.'.length) : undefined;

export function createBoss(
  store: Store,
  config: Config,
  logger: Logger,
  role: BossRole = { schedule: false, supervise: false },
  tuning: WorkerTuning = DEFAULT_TUNING,
): PgBoss {
  const common = {
    schedule: role.schedule,
    supervise: role.supervise,
    cronMonitorIntervalSeconds: tuning.cronMonitorIntervalSeconds,
    superviseIntervalSeconds: tuning.superviseIntervalSeconds,
    monitorIntervalSeconds: tuning.superviseIntervalSeconds,
    useListenNotify: true,
    instanceName: 't5g',
  };
  let boss: PgBoss;
  if (store.db.kind === 'pglite') {
    boss = new PgBoss({ ...common, db: fromPglite(store.db.pglite!), backend: 'pglite' });
  } else {
    if (!config.storage.databaseUrl)
      throw new Error('the store is on PostgreSQL but DATABASE_URL is not set');
    boss = new PgBoss({
      ...common,
      connectionString: config.storage.databaseUrl,
      max: tuning.poolSize,
      application_name: 't5g-jobs',
    });
  }
  // Without an 'error' listener an EventEmitter error would crash the process.
  boss.on('error', (err) => logger.error({ err: err.message }, 'job queue error'));
  boss.on('warning', (w) => logger.warn({ data: w.data }, w.message));
  return boss;
}

/**
 * The queue behind a job. `exclusive` allows one job per queue in created, retry or active state
 * together (a unique index on the job table, checked on insert), which is what makes a job
 * single-flight on any number of workers: a second send returns null instead of queueing.
 */
export function queueOptions(
  def: JobDefinition,
  tuning: WorkerTuning,
  runDeadlineSeconds: number,
): Omit<Queue, 'name'> {
  const retry = { ...DEFAULT_JOB_RETRY, ...def.retry };
  return {
    policy: 'exclusive',
    retryLimit: retry.limit,
    retryDelay: retry.delaySeconds,
    retryBackoff: retry.backoff,
    ...(retry.backoff && retry.maxDelaySeconds !== undefined ? { retryDelayMax: retry.maxDelaySeconds } : {}),
    // The runner aborts a run at its deadline and records why; pg-boss's expiry is the backstop for a
    // handler that does not stop then.
    expireInSeconds: (def.timeoutSeconds ?? runDeadlineSeconds) + EXPIRY_MARGIN_SECONDS,
    heartbeatSeconds: tuning.heartbeatSeconds,
    // Run history lives in sync_runs; pg-boss only needs finished jobs long enough to answer lookups.
    deleteAfterSeconds: 24 * 60 * 60,
    notify: true,
  };
}

/** Creates the queue, or brings an existing one's retry/timeout settings in line with the definition. */
export async function ensureQueue(
  boss: PgBoss,
  def: JobDefinition,
  tuning: WorkerTuning,
  runDeadlineSeconds: number,
  logger: Logger,
) {
  const name = queueName(def.name);
  const { policy, ...updatable } = queueOptions(def, tuning, runDeadlineSeconds);
  const existing = await boss.getQueue(name);
  if (!existing) {
    await boss.createQueue(name, { policy, ...updatable });
    return;
  }
  if (existing.policy !== policy) {
    // pg-boss cannot change a queue's policy in place; refusing loudly beats running without single-flight.
    throw new Error(
      `queue ${name} has policy ${existing.policy}, expected ${policy}; delete the queue to fix`,
    );
  }
  await boss.updateQueue(name, updatable);
  logger.debug({ queue: name }, 'queue settings updated');
}
