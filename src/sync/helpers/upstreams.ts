import { createUpstreams, type UpstreamMetrics, type Upstreams } from '../../sources/index.js';
import type { SourceDeps } from '../../sources/types.js';
import type { JobContext } from '../engine/types.js';

// How job handlers reach the upstreams. The connectors are built per run around the run's own
// `fetch`, so every request (retries included) counts into that run's `upstreamRequests` and stops
// when the run is aborted. Building them is cheap; the Portal token is exchanged once per run.

declare module '../engine/types.js' {
  interface JobServices {
    /** Shared upstream metrics (prom-client), when the process exposes /metrics. */
    upstreamMetrics?: UpstreamMetrics;
    /** Retry/timeout overrides for the connectors (tests use short ones). */
    upstreamRetry?: SourceDeps['retry'];
  }
}

/** Runs `fn` with connectors bound to this run, and closes them afterwards. */
export async function withUpstreams<T>(
  ctx: JobContext,
  fn: (upstreams: Upstreams) => Promise<T>,
): Promise<T> {
  const upstreams = createUpstreams(ctx.config, {
    logger: ctx.logger,
    fetch: ctx.fetch,
    metrics: ctx.services.upstreamMetrics,
    retry: ctx.services.upstreamRetry,
  });
  try {
    return await fn(upstreams);
  } finally {
    await upstreams.close();
  }
}
