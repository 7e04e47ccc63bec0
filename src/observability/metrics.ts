import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

// Prometheus metrics owned by the core. Connectors register their own upstream metrics on the same
// registry; `/metrics` serves it.

export interface CoreMetrics {
  registry: Registry;
  cacheRequests: Counter<'backend' | 'result'>;
  cacheErrors: Counter<'backend' | 'operation'>;
  storeWrites: Counter<'entity' | 'op'>;
  httpRequests: Histogram<'method' | 'route' | 'status'>;
  webhookRequests: Counter<'source' | 'outcome'>;
  info: Gauge<'version' | 'database' | 'cache'>;
  /** The text /metrics serves: this registry, or a cluster's aggregate (`clusterScrape`). */
  scrape: () => Promise<string>;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): CoreMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 't5g_' });
  return {
    registry,
    cacheRequests: new Counter({
      name: 't5g_cache_requests_total',
      help: 'Cache lookups by backend and result (hit, miss, fallback: read from PostgreSQL because the cache failed).',
      labelNames: ['backend', 'result'],
      registers: [registry],
    }),
    cacheErrors: new Counter({
      name: 't5g_cache_errors_total',
      help: 'Cache operations that failed and fell back to PostgreSQL.',
      labelNames: ['backend', 'operation'],
      registers: [registry],
    }),
    storeWrites: new Counter({
      name: 't5g_store_rows_written_total',
      help: 'Rows inserted or updated in PostgreSQL, by entity and operation (unchanged rows are not counted).',
      labelNames: ['entity', 'op'],
      registers: [registry],
    }),
    httpRequests: new Histogram({
      name: 't5g_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    webhookRequests: new Counter({
      name: 't5g_webhook_requests_total',
      help: 'Webhook deliveries by source and outcome (applied, stale, ignored, deleted, quarantined, unsigned, bad_signature, bad_request, disabled, failed).',
      labelNames: ['source', 'outcome'],
      registers: [registry],
    }),
    info: new Gauge({
      name: 't5g_info',
      help: 'Build and backend information.',
      labelNames: ['version', 'database', 'cache'],
      registers: [registry],
      // The same in every process of a cluster.
      aggregator: 'max',
    }),
    scrape: () => registry.metrics(),
  };
}
