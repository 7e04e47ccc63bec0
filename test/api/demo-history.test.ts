import type { RunningSimulator } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillDemoHistory, DEMO_HISTORY_DAYS, startDemoUpstreams } from '../../src/cli/demo.js';
import { silentLogger } from '../../src/lib/logger.js';
import { saveStatsSnapshot } from '../../src/store/repositories/stats-snapshots.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { buildTestApp } from './support.js';

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// Demo mode backfills a generated daily stats history, so the stats chart has 90 days of history
// from the first start instead of one point; a day that has its own snapshot keeps it.
describe.each(['pglite', 'postgres'] as const)('demo stats history on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let sim: RunningSimulator;

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_demo_history');
    sim = await strictSimulator({ cases: 300, seed: 3 });
    const config = simulatorConfig(sim);
    const yesterday = day(Date.now() - DAY);
    await saveStatsSnapshot(t.store.db, yesterday, { open_cases: 4242 });
    const demo = await startDemoUpstreams(
      { ...config, demo: { ...config.demo, cases: 300, seed: 3 } },
      silentLogger,
      {
        quiet: true,
      },
    );
    try {
      await backfillDemoHistory(t.store, demo.history(), silentLogger);
      // A second start writes nothing new.
      await backfillDemoHistory(t.store, demo.history(), silentLogger);
    } finally {
      await demo.close();
    }
    app = await buildTestApp(t.store, config);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
    await sim?.close();
  });

  it('serves a plausible daily history for the days before today', async () => {
    const res = await app.inject({ url: '/api/v1/stats/history' });
    expect(res.statusCode).toBe(200);
    const h = res.json() as { days: string[]; series: Record<string, (number | null)[]> };
    const open = h.series.open_cases!;
    const known = open.filter((v): v is number => v !== null);
    expect(known.length).toBeGreaterThanOrEqual(DEMO_HISTORY_DAYS - 1);
    expect(Math.min(...known)).toBeGreaterThan(0);
    // The history moves: cases open and close over the weeks.
    expect(new Set(known).size).toBeGreaterThan(5);
    expect(h.series.daily_opened_cases!.some((v) => (v ?? 0) > 0)).toBe(true);
    expect(h.series.high_prio!.every((v, i) => v === null || v <= (open[i] ?? 0))).toBe(true);
    // Yesterday's own snapshot is kept.
    expect(open[h.days.indexOf(day(Date.now() - DAY))]).toBe(4242);
  });

  it('scopes the backfilled history to an account', async () => {
    const stats = (await app.inject({ url: '/api/v1/stats/history' })).json();
    expect(stats.days.length).toBeGreaterThan(0);
    const rows = await t.store.db.query<{ metrics: { by_customer: Record<string, number> } }>(
      `SELECT metrics FROM stats_snapshots WHERE metrics ? 'by_customer' ORDER BY day DESC LIMIT 1`,
    );
    const [account, n] = Object.entries(rows.rows[0]!.metrics.by_customer)[0]!;
    const scoped = (
      await app.inject({ url: `/api/v1/stats/history?account=${encodeURIComponent(account)}` })
    ).json();
    expect(scoped.series.open_cases).toContain(n);
  });
});
