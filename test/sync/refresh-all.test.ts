import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { getRun, type SyncRun } from '../../src/store/repositories/sync-runs.js';
import { createSyncEngine, type JobDefinition, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { FAST_TUNING, finished, Latch, routesApp, syncConfig } from './support.js';

// A full refresh starts each job once its prerequisites (`after`) have finished, follows them in one
// `refresh-all` run, and reports a failure without holding back the jobs that come after it.

describe('full refresh', () => {
  let t: TestStore;
  let engine: SyncEngine;
  let app: FastifyInstance;
  const latch = new Latch();
  let failEnrich = false;

  const job = (name: string, after: string[], body?: () => Promise<void>): JobDefinition => ({
    name,
    title: name,
    refresh: 'all',
    after,
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    handler: async (ctx) => {
      await body?.();
      ctx.counters.fetched = 1;
    },
  });

  beforeAll(async () => {
    t = await openTestStore('pglite', 'sync_refresh_all');
    engine = createSyncEngine({
      store: t.store,
      config: syncConfig(undefined),
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: new JobRegistry([
        job('report', ['extract', 'enrich']),
        job('extract', [], () => latch.wait()),
        job('enrich', ['extract'], async () => {
          if (failEnrich) throw new Error('enrich broke');
        }),
        job('side', []),
      ]),
      tuning: FAST_TUNING,
    });
    await engine.start();
    app = await routesApp(t.store, engine);
  });

  afterAll(async () => {
    await app?.close();
    await engine?.stop();
    await t?.close();
  });

  it('refuses jobs that wait for each other', () => {
    expect(() => new JobRegistry([job('a', ['b']), job('b', ['a'])])).toThrow(
      /wait for each other: a → b → a/,
    );
  });

  it('starts the jobs without prerequisites at once and the others in order, in one refresh-all run', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/refresh' });
    expect(res.statusCode).toBe(202);
    const { id, ids } = res.json() as { id: string; ids: Record<string, string> };
    expect(Object.keys(ids).sort()).toEqual(['extract', 'side']);

    // While extract waits, enrich and report have not started.
    await new Promise((r) => setTimeout(r, 500));
    const whole = await getRun(t.store.db, id);
    expect(whole).toMatchObject({ job: 'refresh-all', status: 'running', progress: { total: 4 } });
    expect(whole!.progress.phase).toMatch(/^running /);
    const early = (await app.inject({ method: 'GET', url: '/api/v1/runs?job=enrich' })).json().items;
    expect(early).toEqual([]);

    latch.open();
    const done = await finished(t.store, id);
    expect(done).toMatchObject({
      status: 'succeeded',
      fetched: 4,
      progress: { current: 4, total: 4, phase: 'done' },
    });

    const last = async (job: string): Promise<SyncRun> => {
      const [run] = (await app.inject({ method: 'GET', url: `/api/v1/runs?job=${job}&limit=1` })).json()
        .items;
      return { ...run, startedAt: new Date(run.startedAt), finishedAt: new Date(run.finishedAt) };
    };
    const [extract, enrich, report] = [await last('extract'), await last('enrich'), await last('report')];
    expect(enrich.startedAt.getTime()).toBeGreaterThanOrEqual(extract.finishedAt!.getTime());
    expect(report.startedAt.getTime()).toBeGreaterThanOrEqual(enrich.finishedAt!.getTime());
    expect([extract, enrich, report].every((r) => r.trigger === 'manual' && r.status === 'succeeded')).toBe(
      true,
    );
  });

  it('fails the whole refresh when a run fails, after running what comes after it anyway', async () => {
    failEnrich = true;
    const { id } = await engine.refreshAll();
    const done = await finished(t.store, id);
    expect(done).toMatchObject({ status: 'failed', error: 'failed: enrich (enrich broke)' });
    const [report] = (await app.inject({ method: 'GET', url: '/api/v1/runs?job=report&limit=1' })).json()
      .items;
    expect(report.status).toBe('succeeded');
    failEnrich = false;
  });

  it('syncs at start-up only while some job has never succeeded', async () => {
    expect(await engine.startupSync()).toBeUndefined();
    await t.store.db.query(`DELETE FROM sync_runs WHERE job = 'side'`);
    const r = await engine.startupSync();
    expect(r).toBeDefined();
    const run = await finished(t.store, r!.id);
    expect(run).toMatchObject({ trigger: 'startup', status: 'succeeded' });
    expect((await getRun(t.store.db, r!.ids.side!))?.trigger).toBe('startup');
  });
});
