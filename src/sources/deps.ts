import type { Logger } from '../lib/logger.js';
import { type Clock, systemClock } from './clock.js';
import { noopUpstreamMetrics, type UpstreamMetrics } from './metrics.js';
import { DEFAULT_HTTP_RETRY_POLICY, type HttpRetryPolicy } from './retry.js';
import type { SourceDeps, UpstreamName } from './types.js';

/** `SourceDeps` with every default filled in, for one upstream. */
export interface ResolvedDeps {
  logger: Logger;
  metrics: UpstreamMetrics;
  fetch: typeof globalThis.fetch;
  /** The connectors' own signal (`SourceDeps.signal`). */
  signal: AbortSignal | undefined;
  clock: Clock;
  random: () => number;
  policy: HttpRetryPolicy;
}

export function resolveDeps(deps: SourceDeps, upstream: UpstreamName): ResolvedDeps {
  const { perUpstream, ...common } = deps.retry ?? {};
  const own = perUpstream?.[upstream];
  // A flat `timeoutMs` override (tests use short ones) applies to every kind of request, unless a
  // per-kind timeout is given too.
  const flat = own?.timeoutMs ?? common.timeoutMs;
  return {
    logger: deps.logger.child({ upstream }),
    metrics: deps.metrics ?? noopUpstreamMetrics,
    // Late-bound so a test that stubs globalThis.fetch after the client was built still takes effect.
    fetch: deps.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    signal: deps.signal,
    clock: deps.clock ?? systemClock,
    random: deps.random ?? Math.random,
    policy: {
      ...DEFAULT_HTTP_RETRY_POLICY,
      ...common,
      ...own,
      timeouts: {
        ...(flat === undefined ? DEFAULT_HTTP_RETRY_POLICY.timeouts : {}),
        ...common.timeouts,
        ...own?.timeouts,
      },
    },
  };
}
