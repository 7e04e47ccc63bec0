import { createUpstreams, type UpstreamMetrics, type Upstreams } from '../../sources/index.js';
import type { AccessTokenCache, SourceDeps } from '../../sources/types.js';
import type { Queryable } from '../../store/db.js';
import { dropAccessToken, getAccessToken, putAccessToken } from '../../store/repositories/access-tokens.js';
import type { JobContext } from '../engine/types.js';

// How job handlers reach the upstreams. The connectors are built per run around the run's own
// `fetch`, so every request (retries included) counts into that run's `upstreamRequests` and stops
// when the run is aborted. Building them is cheap; the Portal's SSO access token lives in the
// `access_tokens` table, so runs and processes share one until shortly before it expires.

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
    signal: ctx.signal,
    metrics: ctx.services.upstreamMetrics,
    retry: ctx.services.upstreamRetry,
    tokenCache: storeTokenCache(ctx.store.db),
  });
  try {
    return await fn(upstreams);
  } finally {
    await upstreams.close();
  }
}

/** The access-token cache on the store's `access_tokens` table. */
export function storeTokenCache(db: Queryable): AccessTokenCache {
  return {
    get: (key, now) => getAccessToken(db, key, now),
    put: (key, value) => putAccessToken(db, key, value),
    drop: (key, token) => dropAccessToken(db, key, token),
  };
}
