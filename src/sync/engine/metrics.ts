import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { scrapeCache } from '../../observability/scrape-cache.js';
import { jobQueueDepth } from '../../store/queries/job-queue.js';
import { lastSuccessPerJob } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import { queueName } from './boss.js';

// Prometheus metrics of the sync engine, registered on the process's registry (the one /metrics
// serves) when the engine is given it. Counters count what this process ran; the queue depth and
// last-success gauges are read from PostgreSQL on scrape, so every process reports the same figures.

export interface SyncMetrics {
  /** Finished attempts by job and status: succeeded, retrying (failed, will retry), failed (last attempt), handed-back. */
  runs: Counter<'job' | 'status'>;
  duration: Histogram<'job'>;
  /** Attempts that were a retry of an earlier failed attempt. */
  retries: Counter<'job'>;
}

const reuse = <M>(registry: Registry, name: string, make: () => M): M =>
  (registry.getSingleMetric(name) as M | undefined) ?? make();

/** Registering on a registry that has them already reuses them (several engines in one process). */
export function createSyncMetrics(
  registry: Registry,
  scrape?: { store: Store; jobs: () => string[] },
): SyncMetrics {
  if (scrape) registerSyncGauges(registry, scrape);
  const metrics: SyncMetrics = {
    runs: reuse(
      registry,
      't5g_job_runs_total',
      () =>
        new Counter({
          name: 't5g_job_runs_total',
          help: 'Sync job attempts by job and status (succeeded, retrying, failed, handed-back).',
          labelNames: ['job', 'status'],
          registers: [registry],
        }),
    ),
    duration: reuse(
      registry,
      't5g_job_run_duration_seconds',
      () =>
        new Histogram({
          name: 't5g_job_run_duration_seconds',
          help: 'Duration of sync job attempts, by job.',
          labelNames: ['job'],
          buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
          registers: [registry],
        }),
    ),
    retries: reuse(
      registry,
      't5g_job_retries_total',
      () =>
        new Counter({
          name: 't5g_job_retries_total',
          help: 'Sync job attempts that retried an earlier failed attempt, by job.',
          labelNames: ['job'],
          registers: [registry],
        }),
    ),
  };
  // Present from the start (at zero) for every job, so an alert on retries sees a series before the first one.
  for (const job of scrape?.jobs() ?? []) metrics.retries.inc({ job }, 0);
  return metrics;
}

/** Read from the store, the same in every process: a cluster's aggregated registry keeps the `max`. */
function registerSyncGauges(registry: Registry, s: { store: Store; jobs: () => string[] }) {
  if (registry.getSingleMetric('t5g_job_queue_depth')) return;
  const queues = scrapeCache(async () => {
    const jobs = s.jobs();
    const depth = await jobQueueDepth(s.store.db, jobs.map(queueName));
    return jobs.map((job) => ({ job, ...(depth.get(queueName(job)) ?? { queued: 0, active: 0 }) }));
  });
  const lastSuccess = scrapeCache(() => lastSuccessPerJob(s.store.db));
  new Gauge({
    name: 't5g_job_queue_depth',
    help: 'Sync jobs waiting (queued) or running (active) in the job queue, by job.',
    labelNames: ['job', 'state'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      // An unreachable database leaves the series out rather than failing the whole scrape.
      for (const q of await queues().catch(() => [])) {
        this.set({ job: q.job, state: 'queued' }, q.queued);
        this.set({ job: q.job, state: 'active' }, q.active);
      }
    },
  });
  new Gauge({
    name: 't5g_job_last_success_timestamp_seconds',
    help: 'When each sync job (one per upstream source and data set) last succeeded, Unix time.',
    labelNames: ['job'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      for (const [job, at] of Object.entries(await lastSuccess().catch(() => ({}))))
        this.set({ job }, at.getTime() / 1000);
    },
  });
}
