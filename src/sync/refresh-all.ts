import type { SyncRun } from '../store/repositories/sync-runs.js';
import { waitForRun } from './run-watch.js';
import type { JobDefinition } from './types.js';

// `POST /api/v1/refresh` starts (or joins) one run per refreshable job, then one `refresh-all` run
// that waits for all of them. Its id is "the id of the whole refresh": it has a run row, progress
// (n of m finished) and an SSE stream like any other run, and it is run by a worker, so it finishes
// even when the web process that started it goes away. It fails when any of its runs failed; it does
// not retry or alert itself (each failed run already alerted).

export const REFRESH_ALL_JOB = 'refresh-all';

export function refreshAllJob(childRuns: (runId: string) => Promise<Record<string, string>>): JobDefinition {
  return {
    name: REFRESH_ALL_JOB,
    title: 'Refresh every source',
    refresh: 'none',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    alertOnFailure: false,
    handler: async (ctx) => {
      const runs = await childRuns(ctx.runId);
      const jobs = Object.keys(runs);
      const finished = new Map<string, SyncRun>();
      const report = () =>
        ctx.progress({
          current: finished.size,
          total: jobs.length,
          phase:
            finished.size === jobs.length
              ? 'done'
              : `waiting for ${jobs.filter((j) => !finished.has(j)).join(', ')}`,
        });
      report();
      await Promise.all(
        jobs.map(async (job) => {
          const run = await waitForRun(ctx.store, runs[job]!, ctx.signal);
          finished.set(job, run);
          ctx.counters.fetched += run.fetched;
          ctx.counters.changed += run.changed;
          ctx.counters.quarantined += run.quarantined;
          ctx.counters.upstreamRequests += run.upstreamRequests;
          report();
        }),
      );
      const failed = [...finished.entries()].filter(([, run]) => run.status === 'failed');
      if (failed.length > 0)
        throw new Error(
          `failed: ${failed.map(([job, run]) => `${job} (${run.error ?? 'unknown error'})`).join('; ')}`,
        );
      return { summary: `${jobs.length} run(s) succeeded` };
    },
  };
}
