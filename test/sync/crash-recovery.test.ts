import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { openStore } from '../../src/store/store.js';
import { createSyncEngine, waitForRun } from '../../src/sync/index.js';
import '../../src/sync/helpers/upstreams.js';
import { createTestDatabase } from '../support/databases.js';
import { digestTables as snapshot } from '../support/digest.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { query, until, workerEnv } from '../support/t5g-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The crashing worker's log would only clutter the test output.
const QUIET = { LOG_LEVEL: 'warn' };
const SYNC_JOBS = ['cases', 'details', 'cards', 'issues', 'bugs', 'escalations', 'stats'];

function startWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/sync/fixtures/sync-worker.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('a worker killed in the middle of a sync (PostgreSQL)', () => {
  let sim: RunningSimulator;
  const dbs: Awaited<ReturnType<typeof createTestDatabase>>[] = [];
  beforeAll(async () => {
    sim = await strictSimulator({ cases: 400, seed: 11 });
    // Slow the Portal so the details job takes seconds and the kill lands while it is fetching.
    await simControl(sim, 'faults', { method: 'PUT', body: { portal: { latencyMs: 150 } } });
  });
  afterAll(async () => {
    await sim?.close();
    for (const db of dbs) await db.drop();
  });

  it('ends, after a restart, in the same state as a clean run: nothing lost, nothing twice', {
    timeout: 240_000,
  }, async () => {
    const crashed = await createTestDatabase('crashed');
    const clean = await createTestDatabase('clean');
    dbs.push(crashed, clean);

    let worker = startWorker(workerEnv(sim, crashed.url, QUIET));
    await until(
      'the details job to be half-way',
      async () => {
        const [row] = await query<{ n: number }>(
          crashed.url,
          `SELECT count(*)::int AS n FROM sync_runs
           WHERE job = 'details' AND status = 'running' AND started_at < now() - interval '1 second'`,
        );
        return (row?.n ?? 0) > 0;
      },
      60_000,
    );
    worker.kill('SIGKILL');
    await new Promise((r) => worker.once('exit', r));
    const [partial] = await query<{ n: number }>(crashed.url, 'SELECT count(*)::int AS n FROM case_details');

    worker = startWorker(workerEnv(sim, crashed.url, QUIET));
    try {
      await until(
        'every job to have succeeded after the restart',
        async () => {
          const rows = await query<{ job: string; ok: boolean; busy: boolean }>(
            crashed.url,
            `SELECT job, bool_or(status = 'succeeded') AS ok,
                    bool_or(status IN ('queued', 'running', 'retrying')) AS busy
             FROM sync_runs GROUP BY job`,
          );
          const byJob = new Map(rows.map((r) => [r.job, r]));
          return SYNC_JOBS.every((j) => byJob.get(j)?.ok && !byJob.get(j)?.busy);
        },
        120_000,
      );
    } catch (err) {
      const runs = await query(
        crashed.url,
        `SELECT job, trigger, status, error, started_at, finished_at FROM sync_runs ORDER BY started_at`,
      );
      const jobs = await query(
        crashed.url,
        `SELECT name, state, retry_count, started_on, completed_on FROM pgboss.job ORDER BY created_on`,
      ).catch((e) => [String(e)]);
      throw new Error(
        `${(err as Error).message}\nruns: ${JSON.stringify(runs, null, 1)}\njobs: ${JSON.stringify(jobs, null, 1)}`,
      );
    } finally {
      worker.kill('SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }

    // The clean run: same simulator, same jobs, no crash.
    const config = simulatorConfig(sim, { DATABASE_URL: clean.url, BUGZILLA_API_KEY: 'key' });
    const store = await openStore(config.storage, { logger: silentLogger });
    const sync = createSyncEngine({
      store,
      config,
      logger: silentLogger,
      role: { work: true, schedule: false },
    });
    await sync.start();
    try {
      const run = await waitForRun(store, (await sync.refreshAll()).id);
      expect(run.status).toBe('succeeded');
    } finally {
      await sync.stop();
      await store.close();
    }

    const [afterCrash, afterClean] = await Promise.all([snapshot(crashed.url), snapshot(clean.url)]);
    expect(partial!.n).toBeLessThan(afterClean.case_details!.rows);
    expect(afterClean.cases!.rows).toBeGreaterThan(0);
    expect(afterClean.comments!.rows).toBeGreaterThan(0);
    expect(afterClean.jira_comments!.rows).toBeGreaterThan(0);
    expect(afterCrash).toEqual(afterClean);
  });
});
