import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobResult, JobWithMetadata, PgBoss } from 'pg-boss';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/config.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { jobQueueDepth } from '../../store/queries/job-queue.js';
import { type CardIndexUpkeep, keepCardIndexWarm } from '../../store/read-model/card-index-upkeep.js';
import {
  ensureRun,
  lastSuccessPerJob,
  latestUnfinishedRun,
  listRuns,
  type RunTrigger,
  updateRun,
} from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import {
  type AlertGate,
  type AlertSink,
  createLoggingAlertSink,
  createStoreAlertGate,
  rateLimitAlerts,
} from './alerts.js';
import { createBoss, DEFAULT_TUNING, ensureQueue, jobOfQueue, queueName, type WorkerTuning } from './boss.js';
import { createSyncMetrics } from './metrics.js';
import { closeOrphanedRuns, retryRunsOfLostWorkers } from './orphans.js';
import { RUN_ENTITY } from './progress.js';
import { REFRESH_ALL_JOB, refreshAllJob } from './refresh-all.js';
import { createJobRegistry, type JobRegistry } from './registry.js';
import { HANDED_BACK, type JobPayload, runAttempt } from './runner.js';
import { nextCronRun, planSchedules, SCHEDULES, type ScheduleEntry, type SchedulePlan } from './schedules.js';
import {
  type JobDefinition,
  type JobParams,
  type JobServices,
  type JobStatus,
  type QueueHealth,
  type RefreshAllResult,
  type RefreshResult,
  type SyncControl,
  UnknownJobError,
} from './types.js';

// The sync engine of one process. What it does depends on the process's role:
//
//   t5g start   work + schedule   everything in one process (the embedded default, PGlite or PG)
//   t5g worker  work + schedule   any number of them against one PostgreSQL
//   t5g web     neither           enqueues manual refreshes and reads runs; a worker runs them
//
// Several workers share the queues through SKIP LOCKED; each job's queue is `exclusive`, so a job
// never runs twice at once. Every worker may have `schedule` on: pg-boss claims each cron pass in
// the database, so exactly one instance fires a given tick, and another takes over when it stops.
// Workers must share one configuration, since each applies the schedule table at start-up.

type RefreshAllTrigger = 'manual' | 'startup' | 'retry';

export interface SyncRole {
  /** Run job handlers (and pg-boss maintenance: heartbeats, expiry, retention). */
  work: boolean;
  /** Apply the schedule table and take part in firing schedules. */
  schedule: boolean;
}

export interface SyncEngineOptions {
  store: Store;
  config: Config;
  logger: Logger;
  role: SyncRole;
  /** Defaults to the built-in jobs. */
  registry?: JobRegistry;
  /** Where alerts go (rate-limited by the engine); defaults to the log. */
  alerts?: AlertSink;
  /** One alert per job per this many seconds (default 3600). */
  alertWindowSeconds?: number;
  /** Defaults to the `alert_throttle` table, shared by every process. */
  alertGate?: AlertGate;
  services?: JobServices;
  tuning?: Partial<WorkerTuning>;
  /** Defaults to the product's schedule table. */
  schedules?: readonly ScheduleEntry[];
  /** Minimum time between progress writes of one run (default 500 ms, i.e. ≤ 2 writes/s). */
  progressIntervalMs?: number;
  /** How often a worker looks for runs whose worker died (default 60 s). */
  orphanCheckSeconds?: number;
  /** How long stop() lets running handlers finish before pg-boss fails them (default 20 s). */
  stopTimeoutMs?: number;
  /** Registers the engine's metrics (t5g_job_*) here; pass the registry /metrics serves. */
  metricsRegistry?: Registry;
}

export interface SyncEngine extends SyncControl {
  readonly registry: JobRegistry;
  queueHealth(): Promise<QueueHealth>;
  /** The pg-boss instance, for operations tooling and tests; jobs never need it. */
  readonly boss: PgBoss;
  /** What the schedule table gives under this configuration (also logged at start). */
  readonly schedulePlan: SchedulePlan;
  start(): Promise<void>;
  /**
   * A full refresh (trigger `startup`) when some job has never succeeded, e.g. on a fresh database,
   * so the pages fill within a minute instead of at the next schedule. Resolves without one otherwise.
   */
  startupSync(): Promise<RefreshAllResult | undefined>;
  /** Stops taking jobs, lets running ones finish within `stopTimeoutMs`, then fails what is left. */
  stop(): Promise<void>;
}

export function createSyncEngine(opts: SyncEngineOptions): SyncEngine {
  const { store, config, role } = opts;
  const logger = opts.logger.child({ component: 'sync' });
  const tuning: WorkerTuning = { ...DEFAULT_TUNING, ...opts.tuning };
  const registry = opts.registry ?? createJobRegistry([], config.mirror.url ? config.mirror.sources : []);
  const schedulePlan = planSchedules(config, registry, opts.schedules ?? SCHEDULES);
  const alerts = rateLimitAlerts(opts.alerts ?? createLoggingAlertSink(logger), {
    gate: opts.alertGate ?? createStoreAlertGate(store.db),
    windowSeconds: opts.alertWindowSeconds ?? 3600,
    logger,
  });
  const boss = createBoss(store, config, logger, { schedule: role.schedule, supervise: role.work }, tuning);
  const refreshAllDefinition = refreshAllJob({
    plan: async (runId) => {
      const [job] = await boss.findJobs<JobPayload>(queueName(REFRESH_ALL_JOB), { id: runId });
      const runs = job?.data.runs ?? {};
      return { jobs: job?.data.jobs ?? Object.keys(runs), runs };
    },
    prerequisites: (job, within) => registry.prerequisites(job, within),
    start: (job, trigger) => requestRun(job, trigger, { params: {} }),
  });
  const definitions = [...registry.list(), refreshAllDefinition];
  const metrics = opts.metricsRegistry
    ? createSyncMetrics(opts.metricsRegistry, { store, jobs: () => definitions.map((d) => d.name) })
    : undefined;
  const inFlight = new Set<Promise<unknown>>();
  /** Runs aborted by the shutdown, by job id, with their queue: put back in the queue by `stop`. */
  const handedBack = new Map<string, string>();
  /** Attempts running in this process, by job id, with their queue: what `stop` hands back when a
   * handler is still busy after the grace period (it has not noticed the abort yet). */
  const active = new Map<string, string>();
  let lostWorkerTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let orphanTimer: NodeJS.Timeout | undefined;
  let cardIndexUpkeep: CardIndexUpkeep | undefined;
  let started = false;

  async function work(def: JobDefinition) {
    await boss.work(
      queueName(def.name),
      {
        batchSize: tuning.batchSize,
        burstWhenBatchFull: true,
        pollingIntervalSeconds: tuning.pollingIntervalSeconds,
        notifyPollingIntervalSeconds: tuning.notifyPollingIntervalSeconds,
        includeMetadata: true,
        perJobResults: true,
      },
      async (jobs: JobWithMetadata<JobPayload>[]) => {
        // The exclusive queue hands out one job at a time; the loop is for the batch API's shape.
        const results: JobResult[] = [];
        for (const job of jobs) {
          const attempt = runAttempt(def, job, {
            store,
            config,
            logger,
            services: opts.services ?? {},
            alerts,
            progressIntervalMs: opts.progressIntervalMs ?? 500,
            metrics,
            stopping: () => stopping,
          });
          inFlight.add(attempt);
          active.set(job.id, queueName(def.name));
          try {
            const r = await attempt;
            if (r.status === 'handed-back') handedBack.set(job.id, queueName(def.name));
            results.push(
              r.status === 'completed'
                ? { id: job.id, status: 'completed' }
                : {
                    id: job.id,
                    // Final for a job that is retried only after a lost worker (not when handed back).
                    status: r.status === 'failed' && def.retryOnlyAfterWorkerLoss ? 'deadletter' : 'failed',
                    output: { message: r.status === 'failed' ? r.error : HANDED_BACK },
                  },
            );
          } finally {
            inFlight.delete(attempt);
            active.delete(job.id);
          }
        }
        return results;
      },
    );
  }

  /**
   * Puts the runs the shutdown aborted back in the queue, so none is lost: pg-boss's own failure of
   * an active job re-queues it only while it has retries left, and a shutdown is not the job's fault.
   * `retry` re-queues a failed job at once without taking one of its retries; a job pg-boss re-queued
   * for a retry is pulled forward from its backoff delay.
   */
  async function handBack() {
    // A handler still busy after the grace has not recorded itself; its run goes back all the same.
    const stillRunning = [...active].filter(([id]) => !handedBack.has(id));
    for (const [id, queue] of stillRunning) handedBack.set(id, queue);
    for (const [id, queue] of handedBack) {
      try {
        let job = await boss.getJobById(queue, id);
        if (job?.state === 'active') {
          await boss.fail(queue, id, { message: HANDED_BACK });
          job = await boss.getJobById(queue, id);
        }
        if (job?.state === 'failed') await boss.retry(queue, id);
        else if (job?.state === 'retry')
          await boss.update({ name: queue, options: { id, startAfter: new Date() } });
        if (stillRunning.some(([running]) => running === id))
          await store.write(async (tx, changes) => {
            await updateRun(tx, id, { status: 'retrying', error: HANDED_BACK });
            changes.add(RUN_ENTITY, [id]);
          });
        logger.info({ runId: id, job: jobOfQueue(queue) }, 'run handed back to the queue');
      } catch (err) {
        logger.error({ err: errorMessage(err), runId: id }, 'could not hand a run back to the queue');
      }
    }
    handedBack.clear();
  }

  async function retryLostWorkersRuns() {
    try {
      await retryRunsOfLostWorkers(
        boss,
        store,
        definitions.map((d) => d.name),
        logger,
      );
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'lost-worker check failed');
    }
  }

  async function applySchedules() {
    const wanted = new Set(schedulePlan.active.map((s) => `${queueName(s.job)}\u0000${s.key}`));
    for (const existing of await boss.getSchedules()) {
      if (jobOfQueue(existing.name) === undefined) continue;
      if (!wanted.has(`${existing.name}\u0000${existing.key}`)) {
        await boss.unschedule(existing.name, existing.key);
        logger.info({ queue: existing.name, key: existing.key }, 'schedule removed');
      }
    }
    for (const s of schedulePlan.active) {
      const payload: JobPayload = { trigger: 'schedule', params: s.params };
      // `missed: 'once'`: after downtime, one catch-up run per schedule instead of none.
      await boss.schedule(queueName(s.job), s.cron, payload, { tz: 'UTC', key: s.key, missed: 'once' });
    }
    logger.info(
      {
        active: schedulePlan.active.map((s) => `${s.job}:${s.key} ${s.cron}`),
        inactive: schedulePlan.inactive.map((s) => `${s.job}:${s.key} (${s.reason})`),
      },
      'schedules applied',
    );
  }

  async function checkOrphans() {
    try {
      await closeOrphanedRuns(boss, store, alerts, logger, (job) => {
        const def = definitions.find((d) => d.name === job);
        return def?.alertOnFailure !== false;
      });
      await redoLostStartupSync();
    } catch (err) {
      logger.warn({ err: errorMessage(err) }, 'orphaned-run check failed');
    }
  }

  /**
   * A start-up sync whose worker died (killed mid-way on a fresh install) would otherwise leave the
   * jobs it had not started yet until their schedules, hours later. Its runs that were in flight are
   * retried by pg-boss; this starts the whole refresh again. Only for a lost worker: a start-up sync
   * that failed because an upstream is down is left to the schedules and the jobs' own retries.
   */
  async function redoLostStartupSync() {
    const [last] = await listRuns(store.db, { job: REFRESH_ALL_JOB, limit: 1 });
    if (last?.trigger === 'startup' && last.status === 'failed' && /worker lost/.test(last.error ?? '')) {
      const again = await engine.startupSync();
      if (again)
        logger.warn({ lost: last.id, runId: again.id }, 'start-up sync lost its worker; started it again');
    }
  }

  /**
   * Enqueues a run of `job`, or joins the one already queued or running. The queue's exclusive policy
   * makes the send itself the arbiter: it returns null while another run is in flight, and that run
   * is then looked up (queued: in pg-boss; running: its row, which the worker wrote when it started).
   */
  async function requestRun(
    job: string,
    trigger: RunTrigger,
    payload: Omit<JobPayload, 'trigger'>,
  ): Promise<RefreshResult> {
    const queue = queueName(job);
    for (let attempt = 0; attempt < 20; attempt++) {
      const id = randomUUID();
      const sent = await boss.send(queue, { ...payload, trigger } satisfies JobPayload, { id });
      if (sent) {
        await store.write(async (tx, changes) => {
          await ensureRun(tx, { id: sent, job, trigger, status: 'queued' });
          changes.add(RUN_ENTITY, [sent]);
        });
        return { runId: sent, joined: false };
      }
      const [queued] = await boss.findJobs<JobPayload>(queue, { queued: true, limit: 1 });
      if (queued) {
        // A scheduled run waiting for a worker has no row yet; give it one so the caller can follow it.
        await store.write(async (tx, changes) => {
          await ensureRun(tx, {
            id: queued.id,
            job,
            trigger: queued.data?.trigger ?? 'schedule',
            status: queued.state === 'retry' ? 'retrying' : 'queued',
          });
          changes.add(RUN_ENTITY, [queued.id]);
        });
        return { runId: queued.id, joined: true };
      }
      const running = await latestUnfinishedRun(store.db, job);
      if (running) return { runId: running.id, joined: true };
      // In between: the run just finished, or its worker is about to write its row. Try again.
      await sleep(25 * (attempt + 1));
    }
    throw new Error(`could not enqueue or find a run of ${job}`);
  }

  function fullRefreshJobs(): string[] {
    return registry
      .list()
      .filter((d) => d.refresh === 'all')
      .map((d) => d.name);
  }

  /** Starts the jobs with no prerequisite now and leaves the rest to the `refresh-all` run. */
  async function refreshAll(o: { trigger?: RefreshAllTrigger } = {}): Promise<RefreshAllResult> {
    const trigger = o.trigger ?? 'manual';
    const jobs = fullRefreshJobs();
    const within = new Set(jobs);
    const first = jobs.filter((job) => registry.prerequisites(job, within).length === 0);
    const results = await Promise.all(first.map((job) => requestRun(job, trigger, { params: {} })));
    const ids = Object.fromEntries(first.map((job, i) => [job, results[i]!.runId]));
    const whole = await requestRun(REFRESH_ALL_JOB, trigger, { jobs, runs: ids });
    return { id: whole.runId, ids, joined: whole.joined };
  }

  /** What the job monitor shows: the schedules in the queue database (what really fires) and the queues. */
  async function jobStatus(): Promise<JobStatus[]> {
    const now = new Date();
    // The queue counts pg-boss keeps are refreshed only by a supervising worker: counted live instead.
    const [schedules, depth] = await Promise.all([
      boss.getSchedules(),
      jobQueueDepth(
        store.db,
        definitions.map((d) => queueName(d.name)),
      ),
    ]);
    const admin = new Set(engine.adminJobs());
    return definitions.map((def) => {
      const queue = depth.get(queueName(def.name));
      const active = schedules
        .filter((sch) => sch.name === queueName(def.name))
        .map((sch) => ({
          key: sch.key,
          cron: sch.cron,
          timezone: sch.timezone,
          // pg-boss also takes RFC 5545 rules; the product's schedules are all cron expressions.
          nextRunAt: sch.kind === 'cron' ? nextCronRun(sch.cron, sch.timezone || 'UTC', now) : null,
          inactiveBecause: null,
        }));
      const inactive = schedulePlan.inactive
        .filter((sch) => sch.job === def.name && !active.some((a) => a.key === sch.key))
        .map((sch) => ({
          key: sch.key,
          cron: null,
          timezone: null,
          nextRunAt: null,
          inactiveBecause: sch.reason,
        }));
      return {
        job: def.name,
        title: def.title,
        refresh: def.name === REFRESH_ALL_JOB ? 'full-refresh' : def.refresh,
        writesUpstream: admin.has(def.name),
        schedules: [...active, ...inactive],
        queue: queue ?? { queued: 0, deferred: 0, active: 0, failed: 0 },
      };
    });
  }

  /** A new run of a failed run's job, with the parameters the failed one had (a full pass stays full). */
  async function retryRun(run: { id: string; job: string }): Promise<RefreshResult> {
    if (run.job === REFRESH_ALL_JOB) {
      const r = await refreshAll({ trigger: 'retry' });
      return { runId: r.id, joined: r.joined };
    }
    const def = registry.get(run.job);
    if (!def) throw new UnknownJobError(run.job);
    const [failed] = await boss.findJobs<JobPayload>(queueName(def.name), { id: run.id });
    return requestRun(def.name, 'retry', { params: failed?.data?.params ?? {} });
  }

  const engine: SyncEngine = {
    registry,
    boss,
    schedulePlan,

    async start() {
      if (started) return;
      stopping = false;
      await boss.start();
      for (const def of definitions)
        await ensureQueue(boss, def, tuning, config.runDeadlineMinutes * 60, logger);
      if (role.work) for (const def of definitions) await work(def);
      if (role.schedule) await applySchedules();
      if (role.work) {
        // The process that runs the jobs does the writes, so it keeps the read model warm too.
        cardIndexUpkeep = keepCardIndexWarm(store, logger);
        orphanTimer = setInterval(() => void checkOrphans(), (opts.orphanCheckSeconds ?? 60) * 1000);
        orphanTimer.unref();
        void checkOrphans();
        lostWorkerTimer = setInterval(
          () => void retryLostWorkersRuns(),
          tuning.superviseIntervalSeconds * 1000,
        );
        lostWorkerTimer.unref();
      }
      started = true;
      logger.info(
        { work: role.work, schedule: role.schedule, jobs: registry.list().map((d) => d.name) },
        'sync engine started',
      );
    },

    async stop() {
      clearInterval(orphanTimer);
      orphanTimer = undefined;
      clearInterval(lostWorkerTimer);
      lostWorkerTimer = undefined;
      stopping = true;
      // pg-boss stops fetching at once and gives running handlers the grace period; then it fails
      // the jobs still active and aborts their handlers, which record the run as handed back.
      await boss.stop({ graceful: true, timeout: opts.stopTimeoutMs ?? 20_000, close: false });
      if (inFlight.size > 0) await Promise.race([Promise.allSettled([...inFlight]), sleep(2000)]);
      await handBack();
      await boss.stop({ close: true });
      await cardIndexUpkeep?.stop();
      cardIndexUpkeep = undefined;
      started = false;
    },

    async queueHealth() {
      if (!started) return { ok: false, detail: 'the sync engine is not running' };
      const queues = await boss.getQueues(definitions.map((d) => queueName(d.name)));
      const queued = queues.reduce((n, q) => n + q.queuedCount, 0);
      return { ok: true, queued, detail: `${queues.length} queues` };
    },

    refreshableJobs() {
      return registry
        .list()
        .filter((d) => d.refresh !== 'none')
        .map((d) => d.name);
    },

    async refresh(job: string, o: { params?: JobParams } = {}) {
      const def = registry.get(job);
      if (!def || def.refresh === 'none') throw new UnknownJobError(job);
      return requestRun(def.name, 'manual', { params: o.params ?? {} });
    },

    refreshAll,
    jobStatus,
    retryRun,

    adminJobs() {
      return registry
        .list()
        .filter((d) => d.refresh === 'none' && d.name !== REFRESH_ALL_JOB)
        .map((d) => d.name);
    },

    async runAdminJob(job: string) {
      if (!engine.adminJobs().includes(job)) throw new UnknownJobError(job);
      return requestRun(job, 'manual', { params: {} });
    },

    async startupSync() {
      const everSucceeded = await lastSuccessPerJob(store.db);
      const missing = fullRefreshJobs().filter((job) => !everSucceeded[job]);
      if (missing.length === 0) return undefined;
      logger.info({ missing }, 'start-up sync: some jobs have never succeeded');
      return refreshAll({ trigger: 'startup' });
    },
  };
  return engine;
}
