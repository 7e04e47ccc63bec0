import { randomUUID } from 'node:crypto';
import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { getRun } from '../../src/store/repositories/sync-runs.js';
import { createSyncEngine, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { casesJob } from '../../src/sync/jobs/cases.js';
import { detailsJob } from '../../src/sync/jobs/details.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { FAST_TUNING, finished, syncConfig } from './support.js';

// Under upstream faults a sync takes seconds, not minutes: an attempt of an upstream request gives
// up after the timeout configured for its kind (a case lookup is not a search page), and a run has a
// deadline past which it is aborted with the reason.

describe('per-request timeouts and the run deadline', () => {
  let sim: RunningSimulator;
  let t: TestStore;
  let engine: SyncEngine | undefined;
  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 21 });
    t = await openTestStore('postgres', 'sync_timeouts');
  });
  afterAll(async () => {
    await engine?.stop();
    await sim?.close();
    await t?.close();
  });

  it('case lookups that hang 20% of the time give up after the configured lookup timeout', {
    timeout: 120_000,
  }, async () => {
    const config = simulatorConfig(sim, {
      DATABASE_URL: t.databaseUrl!,
      UPSTREAM_TIMEOUT_SECONDS: '{"portal.lookup": 0.5, "search": 20}',
    });
    // Short backoff only: the attempt timeouts are the product's, from the configuration above.
    const services = { upstreamRetry: { baseDelayMs: 20, maxDelayMs: 200 } };
    await casesJob.handler(makeJobContext(t.store, config, { job: 'cases', runId: randomUUID(), services }));
    await simControl(sim, 'faults', {
      method: 'PUT',
      body: { portal: { timeoutRate: 0.2, only: 'GET /v1/cases' } },
    });
    try {
      const started = Date.now();
      const ctx = makeJobContext(t.store, config, { job: 'details', runId: randomUUID(), services });
      await detailsJob.handler(ctx);
      const seconds = (Date.now() - started) / 1000;
      const [stored] = (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM case_details'))
        .rows;
      expect(ctx.counters.fetched).toBeGreaterThan(20);
      expect(stored!.n).toBe(ctx.counters.fetched);
      // Dozens of hanging lookups: at 30 s each this took minutes.
      expect(seconds).toBeLessThan(20);
    } finally {
      await simControl(sim, 'faults', { method: 'DELETE' });
    }
  });

  it('aborts a run at its deadline and records why', { timeout: 60_000 }, async () => {
    engine = createSyncEngine({
      store: t.store,
      config: syncConfig(t.databaseUrl),
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: new JobRegistry([
        {
          name: 'slow',
          title: 'Never finishes by itself',
          refresh: 'single',
          timeoutSeconds: 2,
          retry: { limit: 0, delaySeconds: 0, backoff: false },
          handler: (ctx) =>
            new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
            ),
        },
      ]),
      tuning: FAST_TUNING,
    });
    await engine.start();
    const { runId } = await engine.refresh('slow');
    const run = await finished(t.store, runId, 30_000);
    expect(run).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^run deadline passed \(2 s\)/),
    });
    const started = (await getRun(t.store.db, runId))!;
    expect(started.finishedAt!.getTime() - started.startedAt!.getTime()).toBeLessThan(5000);
  });
});
