import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { listRuns } from '../../src/store/repositories/sync-runs.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createSyncEngine, type JobDefinition, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { statsSnapshotJob } from '../../src/sync/jobs/stats-snapshot.js';
import { openTestStore, storageConfig, type TestStore } from '../support/backends.js';
import { FAST_TUNING, finished, syncConfig } from './support.js';

// Two workers (each with its own store and pg-boss, as two processes would have) on one PostgreSQL,
// hammered with refreshes of the same job from both sides: the job never runs twice at once, and
// every run it was asked for runs exactly once.

describe('two workers on one PostgreSQL', () => {
  let t: TestStore;
  let secondStore: Store;
  const engines: SyncEngine[] = [];
  let active = 0;
  let maxActive = 0;
  const executions: { worker: string; runId: string }[] = [];

  const overlapJob = (worker: string): JobDefinition => ({
    name: 'overlap',
    title: 'Records concurrency',
    refresh: 'single',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    handler: async (ctx) => {
      executions.push({ worker, runId: ctx.runId });
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 120));
      active -= 1;
      return { changed: 1 };
    },
  });

  beforeAll(async () => {
    t = await openTestStore('postgres', 'sync_workers');
    secondStore = await openStore(storageConfig({ DATABASE_URL: t.databaseUrl! }), { logger: silentLogger });
    for (const [worker, store] of [
      ['a', t.store],
      ['b', secondStore],
    ] as const) {
      engines.push(
        createSyncEngine({
          store,
          config: syncConfig(t.databaseUrl),
          logger: silentLogger,
          role: { work: true, schedule: true },
          registry: new JobRegistry([statsSnapshotJob, overlapJob(worker)]),
          tuning: FAST_TUNING,
        }),
      );
    }
    await Promise.all(engines.map((e) => e.start()));
  });

  afterAll(async () => {
    await Promise.all(engines.map((e) => e.stop()));
    await secondStore?.close();
    await t?.close();
  });

  it('never runs one job on both at once, and runs each requested run exactly once', async () => {
    const requested = new Set<string>();
    const until = Date.now() + 2500;
    let i = 0;
    while (Date.now() < until) {
      const [a, b] = await Promise.all([engines[0]!.refresh('overlap'), engines[1]!.refresh('overlap')]);
      requested.add(a.runId);
      requested.add(b.runId);
      i += 1;
      await new Promise((r) => setTimeout(r, 15));
    }
    for (const id of requested) expect((await finished(t.store, id)).status).toBe('succeeded');

    expect(maxActive).toBe(1);
    expect(requested.size).toBeGreaterThanOrEqual(5);
    expect(requested.size).toBeLessThan(i * 2); // most refreshes joined a run in flight
    expect(executions.map((e) => e.runId).sort()).toEqual([...requested].sort());

    // The records agree: no two runs of the job overlap in time.
    const runs = (await listRuns(t.store.db, { job: 'overlap', limit: 500 })).sort(
      (x, y) => x.startedAt.getTime() - y.startedAt.getTime(),
    );
    for (let k = 1; k < runs.length; k++) {
      expect(runs[k]!.startedAt.getTime()).toBeGreaterThanOrEqual(runs[k - 1]!.finishedAt!.getTime());
    }
  });

  it('applies the schedule table once, however many workers own the schedule', async () => {
    const schedules = await engines[0]!.boss.getSchedules();
    expect(schedules.map((s) => `${s.name}:${s.key}`)).toEqual(['sync.stats:default']);
  });
});
