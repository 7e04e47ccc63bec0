import { type RunningSimulator, SIM_DEFAULTS } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createSyncEngine, type SyncEngine, waitForRun } from '../../src/sync/index.js';
import '../../src/sync/helpers/upstreams.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

// One full refresh through the engine, every built-in job, as `npm start` does on a fresh database.
describe.each(['pglite', 'postgres'] as const)('a whole sync run on %s', (backend) => {
  let sim: RunningSimulator;
  let t: TestStore;
  let sync: SyncEngine;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 300, seed: 21, smtpPort: 0 });
    t = await openTestStore(backend, 'whole_run');
    const config = simulatorConfig(sim, {
      READ_ONLY: 'true',
      BUGZILLA_API_KEY: 'key',
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
    });
    sync = createSyncEngine({
      store: t.store,
      config,
      logger: silentLogger,
      role: { work: true, schedule: false },
    });
    await sync.start();
    await simControl(sim, 'counters/reset', { method: 'POST' });
    const run = await waitForRun(t.store, (await sync.refreshAll({ trigger: 'startup' })).id);
    expect(run.status).toBe('succeeded');
  });
  afterAll(async () => {
    await sync?.stop();
    await t?.close();
    await sim?.close();
  });

  it('loads everything the simulator holds for the query', async () => {
    const inQuery = sim.state.cases.filter((c) => c.tags?.includes(SIM_DEFAULTS.caseTag));
    const stored = await t.store.db.query<{ n: number; open: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE status <> 'Closed')::int AS open FROM cases`,
    );
    expect(stored.rows[0]).toEqual({
      n: inQuery.length,
      open: inQuery.filter((c) => c.status !== 'Closed').length,
    });

    const cards = sim.state.issues.filter((i) => i.role === 'card');
    const storedCards = await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cards');
    expect(storedCards.rows[0]!.n).toBe(cards.length);

    // Details for every open (or, first seen, recently closed) case the Portal lets us read.
    const recent = Date.now() - 90 * 86_400_000;
    const readableOpen = inQuery.filter(
      (c) => (c.status !== 'Closed' || (c.closed !== undefined && c.closed > recent)) && !c.forbidden,
    );
    const details = await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_details');
    expect(details.rows[0]!.n).toBe(readableOpen.length);

    const runs = await t.store.db.query<{ job: string; status: string }>(
      `SELECT DISTINCT ON (job) job, status FROM sync_runs ORDER BY job, started_at DESC`,
    );
    expect(Object.fromEntries(runs.rows.map((r) => [r.job, r.status]))).toEqual({
      bugs: 'succeeded',
      cards: 'succeeded',
      cases: 'succeeded',
      details: 'succeeded',
      escalations: 'succeeded',
      issues: 'succeeded',
      'refresh-all': 'succeeded',
      stats: 'succeeded',
    });
  });

  it('makes no write on any simulated upstream with READ_ONLY on', async () => {
    const counters = await simControl<{ totals: { requests: number; writes: number } }>(sim, 'counters');
    expect(counters.totals.requests).toBeGreaterThan(0);
    expect(counters.totals.writes).toBe(0);
  });
});
