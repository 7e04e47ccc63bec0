import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { RunProgress } from '../../src/store/repositories/sync-runs.js';
import type { Store } from '../../src/store/store.js';
import { countingFetch } from '../../src/sync/engine/runner.js';
import type { JobContext, JobParams, JobServices, RunCounters } from '../../src/sync/engine/types.js';
import '../../src/sync/helpers/upstreams.js';

/**
 * A JobContext for calling one handler directly in a test, without pg-boss: the same counting
 * fetch the engine hands out, counters to assert on, and the progress reports it made.
 */
export function makeJobContext(
  store: Store,
  config: Config,
  opts: {
    job?: string;
    params?: JobParams;
    services?: JobServices;
    runId?: string;
    /** 1 unless a test plays a retry of the run (pg-boss re-runs a job under the same id). */
    attempt?: number;
    /** Stands between the handler and the network (a slow or paused link to an upstream). */
    network?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch;
  } = {},
): JobContext & { progressReports: RunProgress[] } {
  const counters: RunCounters = { fetched: 0, changed: 0, quarantined: 0, upstreamRequests: 0 };
  const controller = new AbortController();
  const progressReports: RunProgress[] = [];
  const fetch = countingFetch(counters, controller.signal);
  return {
    runId: opts.runId ?? '00000000-0000-4000-8000-000000000000',
    job: opts.job ?? 'test',
    trigger: 'manual',
    params: opts.params ?? {},
    attempt: opts.attempt ?? 1,
    store,
    config,
    logger: silentLogger,
    // Short backoff so fault-injection tests finish quickly; the policy's shape is unchanged.
    services: opts.services ?? { upstreamRetry: { baseDelayMs: 20, maxDelayMs: 250, timeoutMs: 3000 } },
    signal: controller.signal,
    counters,
    progress: (p) => progressReports.push(p),
    fetch: opts.network ? opts.network(fetch) : fetch,
    progressReports,
  };
}
