import { createPromUpstreamMetrics, createUpstreams } from '../sources/index.js';
import { createNotifyingAlertSink } from '../sync/engine/notify-alerts.js';
import { createSyncEngine, type SyncEngine, type SyncRole } from '../sync/index.js';
import '../sync/helpers/upstreams.js';
import type { Runtime } from './boot.js';

/**
 * The sync engine for a process: `start` and `worker` run handlers and share the schedule; `web`
 * only enqueues manual refreshes and reads runs (a worker runs them).
 */
export function createProcessSyncEngine(rt: Runtime, role: SyncRole): SyncEngine {
  const upstreamMetrics = createPromUpstreamMetrics(rt.metrics.registry);
  const alertUpstreams = createUpstreams(rt.config, { logger: rt.logger, metrics: upstreamMetrics });
  return createSyncEngine({
    store: rt.store,
    config: rt.config,
    // The engine names its own component.
    logger: rt.logger,
    role,
    services: { upstreamMetrics },
    alerts: createNotifyingAlertSink(rt.config, alertUpstreams, rt.logger),
    alertWindowSeconds: rt.config.email.alertWindowSeconds,
    metricsRegistry: rt.metrics.registry,
    stopTimeoutMs: rt.config.server.shutdownTimeoutSeconds * 1000,
  });
}
