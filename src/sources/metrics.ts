import { Counter, Histogram, type Registry } from 'prom-client';
import type { UpstreamName } from './types.js';

/** Outcome label of one HTTP attempt: the status code, or how it failed without one. */
export type AttemptOutcome = number | 'timeout' | 'network' | 'body';

/** Hooks the connectors call; implement them to export metrics. All methods must be cheap and never throw. */
export interface UpstreamMetrics {
  /** One attempt (retries count separately), with its outcome and duration. */
  request(e: { upstream: UpstreamName; method: string; outcome: AttemptOutcome; durationMs: number }): void;
  retry(e: { upstream: UpstreamName; reason: string }): void;
  /** A wait the upstream asked for (429 / Retry-After), in ms. */
  rateLimitWait(e: { upstream: UpstreamName; waitMs: number }): void;
  /** A write refused because READ_ONLY is on. */
  readOnlyBlocked(e: { upstream: UpstreamName; action: string }): void;
  /** Records that failed validation and went to quarantine. */
  rejected(e: { upstream: UpstreamName; source: string; count: number }): void;
}

export const noopUpstreamMetrics: UpstreamMetrics = {
  request: () => {},
  retry: () => {},
  rateLimitWait: () => {},
  readOnlyBlocked: () => {},
  rejected: () => {},
};

/**
 * prom-client implementation. Registering twice on the same registry reuses the existing metrics, so several
 * `createUpstreams` calls (tests, a CLI command inside the server process) do not throw on duplicate names.
 */
export function createPromUpstreamMetrics(registry: Registry): UpstreamMetrics {
  const reuse = <M>(name: string, make: () => M): M =>
    (registry.getSingleMetric(name) as M | undefined) ?? make();

  const requests = reuse(
    't5g_upstream_requests_total',
    () =>
      new Counter({
        name: 't5g_upstream_requests_total',
        help: 'HTTP attempts made to an upstream (each retry counts), by outcome',
        labelNames: ['upstream', 'method', 'outcome'] as const,
        registers: [registry],
      }),
  );
  const errors = reuse(
    't5g_upstream_errors_total',
    () =>
      new Counter({
        name: 't5g_upstream_errors_total',
        help: 'Failed upstream attempts by status code or failure kind (timeout, network, body)',
        labelNames: ['upstream', 'status'] as const,
        registers: [registry],
      }),
  );
  const latency = reuse(
    't5g_upstream_request_duration_seconds',
    () =>
      new Histogram({
        name: 't5g_upstream_request_duration_seconds',
        help: 'Duration of one upstream attempt, body included',
        labelNames: ['upstream', 'method'] as const,
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  );
  const retries = reuse(
    't5g_upstream_retries_total',
    () =>
      new Counter({
        name: 't5g_upstream_retries_total',
        help: 'Retries of upstream calls by reason',
        labelNames: ['upstream', 'reason'] as const,
        registers: [registry],
      }),
  );
  const rateLimitWaits = reuse(
    't5g_upstream_rate_limit_waits_total',
    () =>
      new Counter({
        name: 't5g_upstream_rate_limit_waits_total',
        help: 'Waits an upstream asked for with Retry-After or X-RateLimit-Delay',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
  );
  const rateLimitSeconds = reuse(
    't5g_upstream_rate_limit_wait_seconds_total',
    () =>
      new Counter({
        name: 't5g_upstream_rate_limit_wait_seconds_total',
        help: 'Time spent waiting because an upstream rate-limited us',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
  );
  const blocked = reuse(
    't5g_read_only_blocked_total',
    () =>
      new Counter({
        name: 't5g_read_only_blocked_total',
        help: 'Upstream writes refused because READ_ONLY is on',
        labelNames: ['upstream', 'action'] as const,
        registers: [registry],
      }),
  );
  const rejected = reuse(
    't5g_upstream_rejected_records_total',
    () =>
      new Counter({
        name: 't5g_upstream_rejected_records_total',
        help: 'Upstream records that failed validation and were quarantined',
        labelNames: ['upstream', 'source'] as const,
        registers: [registry],
      }),
  );

  return {
    request({ upstream, method, outcome, durationMs }) {
      requests.inc({ upstream, method, outcome: String(outcome) });
      latency.observe({ upstream, method }, durationMs / 1000);
      if (typeof outcome !== 'number' || outcome >= 400) errors.inc({ upstream, status: String(outcome) });
    },
    retry: ({ upstream, reason }) => retries.inc({ upstream, reason }),
    rateLimitWait({ upstream, waitMs }) {
      rateLimitWaits.inc({ upstream });
      rateLimitSeconds.inc({ upstream }, waitMs / 1000);
    },
    readOnlyBlocked: ({ upstream, action }) => blocked.inc({ upstream, action }),
    rejected: ({ upstream, source, count }) => {
      if (count > 0) rejected.inc({ upstream, source }, count);
    },
  };
}
