import { randomUUID } from 'node:crypto';
import type { RunningSimulator } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNTS, type Counted, countedLink, narrowed } from '../../src/shared/counted.js';
import type { JobDefinition } from '../../src/sync/engine/types.js';
import { cardsJob } from '../../src/sync/jobs/cards.js';
import { escalationsJob } from '../../src/sync/jobs/escalations.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator } from '../sync/fixtures/sim-seed.js';
import { buildTestApp } from './support.js';

// One definition per number: every count the stats, accounts, engineers and home pages show with a
// link is the `total` of the table that link opens, over simulated data (several engineers,
// statuses, closed cases, escalations) synced into the store.
describe.each(['pglite', 'postgres'] as const)('linked counts on %s', (backend) => {
  let sim: RunningSimulator;
  let t: TestStore;
  let app: FastifyInstance;

  const get = async <T>(url: string): Promise<T> => {
    const res = await app.inject({ url });
    expect(res.statusCode, url).toBe(200);
    return res.json() as T;
  };
  /** The total of the table API a count's link opens. */
  const opened = async (counted: Counted) => {
    const url = countedLink(counted, 'api');
    return (await get<{ total: number }>(`${url}${url.includes('?') ? '&' : '?'}limit=1`)).total;
  };

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 250, seed: 5 });
    t = await openTestStore(backend, 'api_linked_counts');
    const config = simulatorConfig(sim);
    await seedFromSimulator(t.store, sim.state);
    for (const job of [cardsJob, escalationsJob] as JobDefinition[])
      await job.handler(makeJobContext(t.store, config, { job: job.name, runId: randomUUID() }));
    app = await buildTestApp(t.store, config);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await t?.close();
    await sim?.close();
  });

  it('stats breakdowns: each severity, status and engineer count is the table its link opens', async () => {
    const stats = await get<Record<string, Record<string, number>>>('/api/v1/stats');
    expect(Object.keys(stats.by_severity!).length).toBeGreaterThan(1);
    expect(stats.by_status!.Closed).toBeGreaterThan(0);
    for (const [severity, n] of Object.entries(stats.by_severity!))
      expect(await opened(narrowed(COUNTS.openCases(), 'severity', severity)), severity).toBe(n);
    for (const [status, n] of Object.entries(stats.by_status!))
      expect(await opened(narrowed(COUNTS.cases(), 'caseStatus', status)), status).toBe(n);
    for (const [engineer, n] of Object.entries(stats.by_engineer!))
      expect(await opened(COUNTS.openCases({ engineer })), engineer).toBe(n);
    for (const [account, n] of Object.entries(stats.by_customer!).slice(0, 5))
      expect(await opened(COUNTS.openCases({ account })), account).toBe(n);
  });

  it('a scoped stats page counts what its links open', async () => {
    const { items } = await get<{ items: { name: string; openCases: number }[] }>('/api/v1/engineers');
    const engineer = items.find((e) => e.openCases > 0)!.name;
    const stats = await get<Record<string, Record<string, number>>>(
      `/api/v1/stats?engineer=${encodeURIComponent(engineer)}`,
    );
    for (const [severity, n] of Object.entries(stats.by_severity!))
      expect(await opened(narrowed(COUNTS.openCases({ engineer }), 'severity', severity))).toBe(n);
    for (const [status, n] of Object.entries(stats.by_status!))
      expect(await opened(narrowed(COUNTS.cases({ engineer }), 'caseStatus', status))).toBe(n);
  });

  it("engineers: each linked count is the table its link opens, and open cases equal the stats'", async () => {
    const stats = await get<Record<string, Record<string, number>>>('/api/v1/stats');
    const { items } = await get<{
      items: {
        name: string;
        cards: number;
        openCases: number;
        highPriority: number;
        escalated: number;
        critSit: number;
      }[];
    }>('/api/v1/engineers');
    expect(items.filter((e) => e.cards > 0).length).toBeGreaterThan(1);
    for (const e of items) {
      const scope = { engineer: e.name };
      expect(e.openCases, e.name).toBe(stats.by_engineer![e.name] ?? 0);
      expect(await opened(COUNTS.openCases(scope))).toBe(e.openCases);
      expect(await opened(COUNTS.cards(scope))).toBe(e.cards);
      expect(await opened(COUNTS.highPriority(scope))).toBe(e.highPriority);
      expect(await opened(COUNTS.onPrioList(scope))).toBe(e.escalated);
      expect(await opened(COUNTS.critSit(scope))).toBe(e.critSit);
    }
  });

  it('accounts: each linked count is the table its link opens', async () => {
    const { items } = await get<{
      items: { name: string; cases: number; openCases: number; highPriority: number; cards: number }[];
    }>('/api/v1/accounts');
    for (const a of items.slice(0, 6)) {
      const scope = { account: a.name };
      expect(await opened(COUNTS.cases(scope))).toBe(a.cases);
      expect(await opened(COUNTS.openCases(scope))).toBe(a.openCases);
      expect(await opened(COUNTS.highPriority(scope))).toBe(a.highPriority);
      expect(await opened(COUNTS.cards(scope))).toBe(a.cards);
    }
  });

  it('home: each internal-status bar is the card table it opens', async () => {
    const { counts } = await get<{ counts: { status: string; count: number }[] }>(
      '/api/v1/cards/status-counts',
    );
    expect(counts.length).toBeGreaterThan(1);
    for (const c of counts)
      expect(
        (await get<{ total: number }>(`/api/v1/cards?internalStatus=${encodeURIComponent(c.status)}&limit=1`))
          .total,
      ).toBe(c.count);
  });

  it('the weekly report by default (and "last 7 days") covers the recent-updates window: same cards', async () => {
    const recent = await get<{ total: number }>('/api/v1/reports/recent?limit=1');
    const weekly = await get<{ total: number; from: string; to: string }>('/api/v1/reports/weekly?limit=1');
    const seven = await get<{ total: number }>('/api/v1/reports/weekly?limit=1&days=7');
    expect(recent.total).toBeGreaterThan(0);
    expect(weekly.total).toBe(recent.total);
    expect(seven.total).toBe(recent.total);
    expect(Date.parse(weekly.to) - Date.parse(weekly.from)).toBe(7 * 86_400_000);
  });
});
