import { Counter, Histogram, type Registry } from 'prom-client';

// Prometheus metrics of the sync engine, registered on the process's registry (the one /metrics
// serves) when the engine is given it.

export interface SyncMetrics {
  /** Finished attempts by job and outcome: succeeded, retrying (failed, will retry), failed (last attempt). */
  attempts: Counter<'job' | 'outcome'>;
  duration: Histogram<'job'>;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  return {
    attempts: new Counter({
      name: 't5g_sync_attempts_total',
      help: 'Sync job attempts by job and outcome (succeeded, retrying, failed).',
      labelNames: ['job', 'outcome'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 't5g_sync_attempt_duration_seconds',
      help: 'Duration of sync job attempts, by job.',
      labelNames: ['job'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
  };
}
