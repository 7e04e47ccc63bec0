import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger, silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { DataDirLockedError } from '../../src/store/data-dir-lock.js';
import { openDatabase } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { openStore } from '../../src/store/store.js';
import { DatabaseUnavailableError, waitForDatabase } from '../../src/store/wait-for-database.js';
import { storageConfig } from '../support/backends.js';
import { createTestDatabase } from '../support/databases.js';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/env.js';
import { makeCase } from '../support/fixtures.js';
import { countStoredCases } from '../support/store-reads.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const redisTarget = new URL(TEST_REDIS_URL);

describe('Redis outage', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase('redis_outage');
  });
  afterAll(async () => db?.drop());

  it('keeps reads working when Redis becomes unreachable mid-test, and recovers without stale values', async () => {
    const proxy = await startTcpProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
    const metrics = createMetrics({ defaultMetrics: false });
    const store = await openStore(
      storageConfig({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
      { logger: silentLogger, metrics, redisKeyPrefix: `t5g-test:${Date.now()}:` },
    );
    try {
      const read = () => store.read(['case'], 'count', (q) => countStoredCases(q));
      await store.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(1)])));
      expect((await read()).total).toBe(1);
      // Served from Redis once it is connected (a connection hiccup while it starts makes the first
      // reads bypass it until the epoch is bumped, which is the safe side).
      const hits = async () =>
        (await metrics.cacheRequests.get()).values
          .filter((v) => v.labels.backend === 'redis' && v.labels.result === 'hit')
          .reduce((n, v) => n + v.value, 0);
      await expect
        .poll(
          async () => {
            expect((await read()).total).toBe(1);
            return hits();
          },
          { timeout: 10_000 },
        )
        .toBeGreaterThan(0);

      await proxy.cut();
      // A write while Redis is down: committed to PostgreSQL, the invalidation is lost.
      await store.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(2)])));
      expect((await read()).total).toBe(2);
      expect((await store.health()).cache).toMatchObject({ backend: 'redis', ok: false });
      const errors = (await metrics.cacheErrors.get()).values.reduce((n, v) => n + v.value, 0);
      expect(errors).toBeGreaterThan(0);

      await proxy.restore();
      await expect.poll(async () => (await store.health()).cache.ok, { timeout: 10_000 }).toBe(true);
      // The value cached before the outage (total 1) must not come back.
      await expect.poll(async () => (await read()).total, { timeout: 5000 }).toBe(2);
      expect((await read()).total).toBe(2);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('recovers by itself within seconds after a Redis stall (timeouts, no disconnect) and says so meanwhile', async () => {
    const proxy = await startTcpProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
    const metrics = createMetrics({ defaultMetrics: false });
    const store = await openStore(
      storageConfig({ DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }),
      { logger: silentLogger, metrics, redisKeyPrefix: `t5g-test:${Date.now()}:stall:` },
    );
    const count = async (result: string) =>
      (await metrics.cacheRequests.get()).values
        .filter((v) => v.labels.backend === 'redis' && v.labels.result === result)
        .reduce((n, v) => n + v.value, 0);
    try {
      const read = () => store.read(['case'], 'count', (q) => countStoredCases(q));
      // The database is shared with the other tests of this block: count from what is there.
      await store.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(31)])));
      const before = (await read()).total;
      await expect
        .poll(async () => ((await read()).total === before ? count('hit') : 0), { timeout: 10_000 })
        .toBeGreaterThan(0);

      proxy.stall();
      // The reads time out against the hung Redis and are answered from PostgreSQL.
      expect((await read()).total).toBe(before);
      await store.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(32)])));
      expect((await read()).total).toBe(before + 1);
      expect((await store.health()).cache).toMatchObject({ backend: 'redis', ok: false });
      expect(await count('fallback')).toBeGreaterThan(0);

      proxy.unstall();
      // No reconnect happens; the cache comes back by itself, health says so, and no value from
      // before the stall is served.
      await expect.poll(async () => (await store.health()).cache.ok, { timeout: 10_000 }).toBe(true);
      const hitsBefore = await count('hit');
      await expect
        .poll(
          async () => {
            expect((await read()).total).toBe(before + 1);
            return (await count('hit')) - hitsBefore;
          },
          { timeout: 10_000 },
        )
        .toBeGreaterThan(0);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  it('keeps instances on different databases apart in one shared Redis', async () => {
    const other = await createTestDatabase('redis_namespace');
    const open = (url: string) =>
      openStore(
        storageConfig({
          DATABASE_URL: url,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_KEY_PREFIX: `t5g-ns-${Date.now()}:`,
        }),
        {
          logger: silentLogger,
        },
      );
    const a = await open(db.url);
    const b = await open(other.url);
    try {
      const read = (s: typeof a) => s.read(['case'], 'count', (q) => countStoredCases(q));
      await a.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(11), makeCase(12)])));
      const inA = (await read(a)).total;
      expect(inA).toBeGreaterThanOrEqual(2);
      // Same prefix, same key, same Redis: b still counts its own (empty) database.
      expect((await read(b)).total).toBe(0);
      expect((await read(a)).total).toBe(inA);
    } finally {
      await a.close();
      await b.close();
      await other.drop();
    }
  });

  it('does not block start-up when Redis is down, and /readyz says degraded', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 1 });
    await proxy.cut();
    const config = loadConfig({
      env: { DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, LOG_LEVEL: 'silent' },
      dotEnv: false,
    });
    const started = Date.now();
    const metrics = createMetrics({ defaultMetrics: false });
    const store = await openStore(config.storage, { logger: silentLogger, metrics });
    try {
      expect(Date.now() - started).toBeLessThan(10_000);
      const app = await buildApp({ config, store, metrics, logger: silentLogger });
      const res = await app.inject('/readyz');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'degraded',
        checks: { database: { backend: 'postgres', ok: true }, cache: { backend: 'redis', ok: false } },
      });
      await app.close();
    } finally {
      await store.close();
    }
  });
});

describe('readiness', () => {
  it('answers ok on PGlite and 503 once the database is gone', async () => {
    const config = loadConfig({ env: { DATA_DIR: 'memory://', LOG_LEVEL: 'silent' }, dotEnv: false });
    const metrics = createMetrics({ defaultMetrics: false });
    const store = await openStore(config.storage, { logger: silentLogger, metrics });
    const app = await buildApp({ config, store, metrics, logger: silentLogger });
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const ok = await app.inject('/readyz');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      status: 'ok',
      checks: { database: { backend: 'pglite', ok: true }, cache: { backend: 'memory', ok: true } },
    });
    expect((await app.inject('/metrics')).body).toContain('t5g_cache_requests_total');
    await store.db.close();
    const down = await app.inject('/readyz');
    expect(down.statusCode).toBe(503);
    // The gauges read from the database are left out; the scrape itself still answers.
    const scrape = await app.inject('/metrics');
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toContain('t5g_http_request_duration_seconds');
    expect(down.json()).toMatchObject({ status: 'down', checks: { database: { ok: false } } });
    await app.close();
  });
});

describe('several processes on one PostgreSQL without Redis', () => {
  it('keeps each process cache coherent through the change feed', async () => {
    const db = await createTestDatabase('coherence');
    const config = storageConfig({ DATABASE_URL: db.url });
    const a = await openStore(config, { logger: silentLogger });
    const b = await openStore(config, { logger: silentLogger });
    try {
      const readB = () => b.read(['case'], 'count', (q) => countStoredCases(q));
      expect((await readB()).total).toBe(0);
      expect((await readB()).total).toBe(0); // now cached in B's own memory
      await a.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(1)])));
      await expect.poll(async () => (await readB()).total, { timeout: 5000 }).toBe(1);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});

describe('change feed reconnect without Redis', () => {
  it('treats everything as changed when its connection comes back, so writes missed meanwhile show at once', async () => {
    const db = await createTestDatabase('feed_reconnect');
    const config = storageConfig({ DATABASE_URL: db.url, CACHE_TTL_SECONDS: '3600' });
    const a = await openStore(config, { logger: silentLogger });
    const b = await openStore(config, { logger: silentLogger });
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const readB = () => b.read(['case'], 'count', (q) => countStoredCases(q));
      expect((await readB()).total).toBe(0);
      expect((await readB()).total).toBe(0); // cached in B's memory for an hour
      // Every LISTEN connection of this database drops (as in a PostgreSQL restart), and a write
      // commits while they are down: its notification reaches nobody.
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = $1 AND query LIKE 'LISTEN%'`,
        [new URL(db.url).pathname.slice(1)],
      );
      expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
      await a.write(async (tx, ch) => ch.record('case', await upsertCases(tx, [makeCase(1)])));
      await expect.poll(async () => (await readB()).total, { timeout: 5000 }).toBe(1);
    } finally {
      await admin.end();
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});

describe('PGlite data directory lock', () => {
  it('refuses a second opener of the same directory, and frees it on close', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-lock-'));
    try {
      const first = await openDatabase({ dataDir: dir, logger: silentLogger });
      await expect(openDatabase({ dataDir: dir, logger: silentLogger })).rejects.toBeInstanceOf(
        DataDirLockedError,
      );
      await first.close();
      const again = await openDatabase({ dataDir: dir, logger: silentLogger });
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a stale lock left by a crashed process', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-lock-'));
    try {
      const { writeFileSync } = await import('node:fs');
      const { hostname } = await import('node:os');
      writeFileSync(
        path.join(dir, 't5g.lock'),
        JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), since: 'x' }),
      );
      const db = await openDatabase({ dataDir: dir, logger: silentLogger });
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrations', () => {
  it('apply to an empty PostgreSQL database and re-run as a no-op', async () => {
    const target = await createTestDatabase('migrate');
    const db = await openDatabase({ databaseUrl: target.url, logger: silentLogger });
    try {
      await migrate(db);
      const tables = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      const names = tables.rows.map((r) => r.table_name);
      for (const table of [
        'cases',
        'case_details',
        'comments',
        'cards',
        'jira_comments',
        'bugs',
        'case_bugs',
        'issues',
        'case_issues',
        'escalations',
        'stats_snapshots',
        'sync_state',
        'sync_runs',
        'quarantine',
        'change_log',
      ]) {
        expect(names).toContain(table);
      }
      const applied = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
      );
      await migrate(db);
      const reapplied = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
      );
      expect(reapplied.rows[0]!.n).toBe(applied.rows[0]!.n);
    } finally {
      await db.close();
      await target.drop();
    }
  });
});

describe('start-up wait for PostgreSQL', () => {
  it('retries with backoff, logging each attempt, until the database answers', async () => {
    const pgTarget = new URL(TEST_DATABASE_URL);
    const proxy = await startTcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
    await proxy.cut();
    const url = new URL(TEST_DATABASE_URL);
    url.port = String(proxy.port);
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', format: 'json' });
    logger.warn = ((obj: unknown, msg?: string) => {
      lines.push(String(msg ?? obj));
    }) as typeof logger.warn;
    setTimeout(() => void proxy.restore(), 1200);
    await waitForDatabase(url.toString(), { maxWaitSeconds: 20, logger });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l === 'waiting for PostgreSQL')).toBe(true);
    await proxy.close();
  });

  it('gives up after the configured time with an error naming DATABASE_URL', async () => {
    await expect(
      waitForDatabase('postgres://postgres@127.0.0.1:1/nothing', { maxWaitSeconds: 1, logger: silentLogger }),
    ).rejects.toThrow(DatabaseUnavailableError);
    await expect(
      waitForDatabase('postgres://postgres@127.0.0.1:1/nothing', { maxWaitSeconds: 0, logger: silentLogger }),
    ).rejects.toThrow(/DATABASE_URL/);
  });
});
