import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { getRun } from '../../src/store/repositories/sync-runs.js';
import { createSyncEngine, JobRegistry, type SyncEngine, waitForRun } from '../../src/sync/index.js';
import { casesJob } from '../../src/sync/jobs/cases.js';
import { detailsJob } from '../../src/sync/jobs/details.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { FAST_TUNING } from './support.js';

// With the Portal down, the cases sync fails and the details sync after it has nothing to read: it
// succeeds, but says its input failed, and neither /readyz nor the header counts it as fresh.

describe('a job whose input failed is not fresh', () => {
  let sim: RunningSimulator;
  let t: TestStore;
  let engine: SyncEngine;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 40, seed: 8 });
    t = await openTestStore('postgres', 'sync_input_freshness');
    const config = simulatorConfig(sim, { DATABASE_URL: t.databaseUrl! });
    const once = { limit: 0, delaySeconds: 0, backoff: false };
    engine = createSyncEngine({
      store: t.store,
      config,
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: new JobRegistry([
        { ...casesJob, retry: once },
        { ...detailsJob, retry: once },
      ]),
      services: { upstreamRetry: { maxAttempts: 1, timeoutMs: 2000 } },
      tuning: FAST_TUNING,
    });
    await engine.start();
    app = await buildApp({
      config,
      store: t.store,
      sync: engine,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await app?.close();
    await engine?.stop();
    await sim?.close();
    await t?.close();
  });

  const refresh = async () => {
    const { id } = await engine.refreshAll();
    await waitForRun(t.store, id, AbortSignal.timeout(30_000));
    const latest = async (job: string) => {
      const [run] = (
        await t.store.db.query<{ id: string }>(
          `SELECT id FROM sync_runs WHERE job = $1 ORDER BY started_at DESC LIMIT 1`,
          [job],
        )
      ).rows;
      return (await getRun(t.store.db, run!.id))!;
    };
    return { cases: await latest('cases'), details: await latest('details') };
  };
  const source = async (job: string) => {
    const meta = (await app.inject('/api/v1/meta')).json();
    const ready = (await app.inject('/readyz')).json();
    return {
      meta: meta.sources.find((s: { job: string }) => s.job === job),
      ready: ready.sources.find((s: { job: string }) => s.job === job),
    };
  };

  it('records the failed input on the run and keeps the source stale', { timeout: 90_000 }, async () => {
    await simControl(sim, 'faults', { method: 'PUT', body: { portal: { errorRate: 1 } } });
    const down = await refresh();
    expect(down.cases.status).toBe('failed');
    expect(down.details.status).toBe('succeeded');
    expect(down.details.inputError).toMatch(/^input failed: cases \(/);
    const stale = await source('details');
    expect(stale.meta).toMatchObject({
      lastSuccessAt: null,
      lastError: expect.stringMatching(/input failed/),
    });
    expect(stale.ready).toMatchObject({ ok: false });

    // Once the Portal answers, the next pass is fresh; a later outage does not move that time on.
    await simControl(sim, 'faults', { method: 'DELETE' });
    const up = await refresh();
    expect([up.cases.status, up.details.status]).toEqual(['succeeded', 'succeeded']);
    expect(up.details.inputError).toBeNull();
    const fresh = await source('details');
    expect(fresh.ready).toMatchObject({ ok: true });
    expect(fresh.meta.lastError).toBeNull();

    await simControl(sim, 'faults', { method: 'PUT', body: { portal: { errorRate: 1 } } });
    await refresh();
    await simControl(sim, 'faults', { method: 'DELETE' });
    expect((await source('details')).meta.lastSuccessAt).toBe(fresh.meta.lastSuccessAt);
  });
});
