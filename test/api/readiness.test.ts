import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { SYNCED_SOURCES } from '../../src/shared/vocabulary.js';
import { finishRunOnce, startRunAttempt } from '../../src/store/repositories/sync-runs.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createSyncEngine, type SyncEngine } from '../../src/sync/index.js';
import { startOwnPostgres } from '../support/own-postgres.js';
import { FAST_TUNING, syncConfig } from '../sync/support.js';

// /readyz of a web process (sync engine enqueueing only) on a PostgreSQL the test stops and starts.

describe('readiness', () => {
  let pg: Awaited<ReturnType<typeof startOwnPostgres>>;
  let store: Store;
  let sync: SyncEngine;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    pg = await startOwnPostgres();
    const config = syncConfig(pg.url, { SYNC_MAX_AGE_MINUTES: '{"cases":30}' });
    store = await openStore(config.storage, { logger: silentLogger });
    sync = createSyncEngine({
      store,
      config,
      logger: silentLogger,
      role: { work: false, schedule: false },
      tuning: FAST_TUNING,
    });
    await sync.start();
    app = await buildApp({
      config,
      store,
      sync,
      metrics: createMetrics({ defaultMetrics: false }),
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await app?.close();
    await sync?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await pg?.close();
  });

  const succeed = async (job: string) => {
    const id = randomUUID();
    await startRunAttempt(store.db, { id, job, trigger: 'manual' });
    await finishRunOnce(store.db, id, { status: 'succeeded', error: null });
  };
  const ready = async () => {
    const res = await app.inject('/readyz');
    return { code: res.statusCode, body: res.json() };
  };

  it('checks the database, the cache and the job queue, and reports sources that are not fresh', async () => {
    const fresh = await ready();
    expect(fresh.code).toBe(200);
    expect(fresh.body).toMatchObject({
      status: 'degraded',
      checks: {
        database: { backend: 'postgres', ok: true, required: true },
        cache: { backend: 'memory', ok: true, required: false },
        queue: { backend: 'pg-boss', ok: true, required: true, queued: 0 },
      },
    });
    // Never synced: every source is stale.
    expect(fresh.body.sources.map((s: { job: string }) => s.job)).toEqual([...SYNCED_SOURCES]);
    expect(fresh.body.sources.every((s: { ok: boolean }) => !s.ok)).toBe(true);

    for (const job of SYNCED_SOURCES) await succeed(job);
    const ok = await ready();
    expect(ok).toMatchObject({ code: 200, body: { status: 'ok' } });
    expect(ok.body.sources.find((s: { job: string }) => s.job === 'cases')).toMatchObject({
      ok: true,
      maxAgeMinutes: 30,
    });

    // The last successful cases sync 31 minutes ago, beyond its configured bound of 30.
    await store.db.query(
      `UPDATE sync_runs SET finished_at = now() - interval '31 minutes' WHERE job = 'cases'`,
    );
    const stale = await ready();
    expect(stale).toMatchObject({ code: 200, body: { status: 'degraded' } });
    expect(
      stale.body.sources.filter((s: { ok: boolean }) => !s.ok).map((s: { job: string }) => s.job),
    ).toEqual(['cases']);
    await succeed('cases');
    expect((await ready()).body.status).toBe('ok');
  });

  it('turns 503 within 5 s of PostgreSQL going away, and 200 again when it is back', async () => {
    expect((await ready()).code).toBe(200);
    await pg.stop();
    await expect.poll(async () => (await ready()).code, { timeout: 5000, interval: 200 }).toBe(503);
    const down = await ready();
    expect(down.body).toMatchObject({ status: 'down', checks: { database: { ok: false } } });

    await pg.start();
    await expect.poll(async () => (await ready()).code, { timeout: 30_000, interval: 250 }).toBe(200);
    expect((await ready()).body).toMatchObject({
      status: 'ok',
      checks: { database: { ok: true }, queue: { ok: true } },
    });
  });
});
