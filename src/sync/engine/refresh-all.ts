import type { SyncRun } from '../../store/repositories/sync-runs.js';
import { waitForRun } from './run-watch.js';
import type { JobDefinition, RefreshResult } from './types.js';

// `POST /api/v1/refresh` (and the start-up sync) is one `refresh-all` run plus one run per job. Its
// id is "the id of the whole refresh": it has a run row, progress (n of m finished) and an SSE
// stream like any other run. It runs on a worker, so it finishes even when the web process that
// asked for it goes away. It starts each job once the jobs named in its `after` have finished (cases
// before details before bugs, …), whether they succeeded or not: a failed prerequisite leaves the
// stored data as it was, which is still the best input there is. It fails when any run failed; it
// does not retry then nor alert itself (each failed run alerted already); only when its worker died
// does another worker take it over, joining the runs still in flight.

export const REFRESH_ALL_JOB = 'refresh-all';

export interface RefreshAllDeps {
  /** The refresh's jobs and the runs already started for some of them, from the run's payload. */
  plan(runId: string): Promise<{ jobs: string[]; runs: Record<string, string> }>;
  prerequisites(job: string, within: ReadonlySet<string>): string[];
  start(job: string, trigger: 'manual' | 'startup'): Promise<RefreshResult>;
}

export function refreshAllJob(deps: RefreshAllDeps): JobDefinition {
  return {
    name: REFRESH_ALL_JOB,
    title: 'Refresh every source',
    refresh: 'none',
    // A refresh whose worker died is taken over by another worker (the runs it waits for are retried
    // on their own); one that failed because a run failed is not repeated.
    retry: { limit: 3, delaySeconds: 0, backoff: false },
    retryOnlyAfterWorkerLoss: true,
    alertOnFailure: false,
    handler: async (ctx) => {
      const { jobs, runs } = await deps.plan(ctx.runId);
      const within = new Set(jobs);
      const started = new Map(Object.entries(runs).filter(([job]) => within.has(job)));
      const finished = new Map<string, SyncRun>();
      const waiting = new Map<string, Promise<void>>();
      const trigger = ctx.trigger === 'startup' ? 'startup' : 'manual';
      const report = () => {
        const running = [...started.keys()].filter((j) => !finished.has(j));
        ctx.progress({
          current: finished.size,
          total: jobs.length,
          phase: running.length > 0 ? `running ${running.join(', ')}` : 'done',
        });
      };

      while (finished.size < jobs.length) {
        for (const job of jobs) {
          if (started.has(job) || !deps.prerequisites(job, within).every((p) => finished.has(p))) continue;
          started.set(job, (await deps.start(job, trigger)).runId);
        }
        for (const [job, runId] of started) {
          if (finished.has(job) || waiting.has(job)) continue;
          const done = waitForRun(ctx.store, runId, ctx.signal).then((run) => {
            finished.set(job, run);
            waiting.delete(job);
            ctx.counters.fetched += run.fetched;
            ctx.counters.changed += run.changed;
            ctx.counters.quarantined += run.quarantined;
            ctx.counters.upstreamRequests += run.upstreamRequests;
          });
          done.catch(() => undefined); // awaited through the race below; only the first rejection counts
          waiting.set(job, done);
        }
        report();
        // The registry refuses cycles, so something is always running until everything has finished.
        if (waiting.size === 0) throw new Error('refresh stalled: no run to wait for');
        await Promise.race(waiting.values());
      }
      report();

      const failed = [...finished.entries()].filter(([, run]) => run.status === 'failed');
      if (failed.length > 0) {
        const detail = failed.map(([job, run]) => `${job} (${run.error ?? 'unknown error'})`).join('; ');
        throw new Error(`failed: ${detail}`);
      }
      return { summary: `${jobs.length} run(s) succeeded` };
    },
  };
}
