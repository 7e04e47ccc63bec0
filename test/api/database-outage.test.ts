import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createSyncEngine, type SyncEngine } from '../../src/sync/index.js';
import { startOwnPostgres } from '../support/own-postgres.js';
import { FAST_TUNING, syncConfig } from '../sync/support.js';

// A web process (the sync engine only enqueues) while its PostgreSQL is stopped: the data endpoints
// and the refresh answer 503 with Retry-After and say why, not 500; once the database is back they
// answer as before and a refresh is accepted.

describe('PostgreSQL outage', () => {
  let pg: Awaited<ReturnType<typeof startOwnPostgres>>;
  let store: Store;
  let sync: SyncEngine;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    pg = await startOwnPostgres();
    const config = syncConfig(pg.url);
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
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await sync?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await pg?.close();
  });

  const reads = ['/api/v1/cards', '/api/v1/cases', '/api/v1/stats', '/api/cards', '/api/v1/runs'];

  it('answers 503 with Retry-After while the database is down, and serves again once it is back', {
    timeout: 90_000,
  }, async () => {
    for (const url of reads) expect((await app.inject(url)).statusCode, url).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/refresh' })).statusCode).toBe(202);

    await pg.stop();
    // Nothing from the cache: every read has to reach the database.
    await store.cache.invalidateAll();
    for (const url of reads) {
      const res = await app.inject(url).catch((err) => {
        throw new Error(`${url}: ${err}`);
      });
      expect(res.statusCode, url).toBe(503);
      expect(Number(res.headers['retry-after']), url).toBeGreaterThan(0);
      expect(res.json().message, url).toMatch(/database is unavailable/);
    }
    for (const url of ['/api/v1/refresh', '/api/v1/refresh/cases']) {
      const refresh = await app.inject({ method: 'POST', url });
      expect(refresh.statusCode, url).toBe(503);
      expect(Number(refresh.headers['retry-after']), url).toBeGreaterThan(0);
      expect(refresh.json().message, url).toMatch(/refresh not accepted.*database is unavailable/);
    }

    await pg.start();
    await expect
      .poll(async () => (await app.inject('/api/v1/cards')).statusCode, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(200);
    await expect
      .poll(async () => (await app.inject({ method: 'POST', url: '/api/v1/refresh/cases' })).statusCode, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(202);
  });
});
