import { createHash } from 'node:crypto';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import type { CoreMetrics } from '../observability/metrics.js';
import type { UpsertResult } from './bulk-upsert.js';
import type { Cache, CacheHealth } from './cache/cache.js';
import { createMemoryCache } from './cache/memory-cache.js';
import { createRedisCache } from './cache/redis-cache.js';
import { ResponseCache } from './cache/response-cache.js';
import { ANY_ENTITY, ChangeFeed } from './change-feed.js';
import { type Database, openDatabase, type Queryable } from './db.js';
import { migrate } from './migrate.js';
import { PlannerStats } from './planner-stats.js';
import { waitForDatabase } from './wait-for-database.js';

// The storage core every other layer uses: the database (truth), the read cache and the change
// feed, and the one write path that keeps them in order:
//   validate (caller) → bulk upsert in a short transaction → NOTIFY (in the transaction)
//   → COMMIT → cache invalidation.

/** Collects what a write batch changed, per entity. */
export class ChangeSet {
  readonly keys = new Map<string, Set<string>>();

  add(entity: string, keys: Iterable<string>): void {
    const set = this.keys.get(entity) ?? new Set<string>();
    this.keys.set(entity, set);
    for (const k of keys) set.add(k);
  }

  /** Records the inserted and updated keys of an upsert; unchanged rows are not changes. */
  record(entity: string, result: Pick<UpsertResult, 'inserted' | 'updated'>): void {
    if (result.inserted.length + result.updated.length > 0)
      this.add(entity, [...result.inserted, ...result.updated]);
  }

  get entities(): string[] {
    return [...this.keys.keys()];
  }
}

export interface Store {
  readonly db: Database;
  readonly cache: Cache;
  readonly feed: ChangeFeed;
  /** Whole serialised responses per data generation (src/api/cached-response.ts serves them). */
  readonly responses: ResponseCache;
  /** ANALYZE after bulk loads (planner-stats.ts). */
  readonly plannerStats: PlannerStats;
  /** Runs `fn` in one transaction; once it commits, announces and invalidates what `changes` recorded. */
  write<T>(fn: (tx: Queryable, changes: ChangeSet) => Promise<T>): Promise<T>;
  /** Read-through: the cache, else PostgreSQL. */
  read<T>(entities: readonly string[], key: string, load: (q: Queryable) => Promise<T>): Promise<T>;
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}

export interface StoreHealth {
  database: { backend: Database['kind']; ok: boolean; latencyMs?: number; detail?: string };
  cache: CacheHealth;
}

export interface OpenStoreOptions {
  logger: Logger;
  metrics?: CoreMetrics;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Overrides REDIS_KEY_PREFIX (tests: parallel runs on one database do not share cache keys). */
  redisKeyPrefix?: string;
}

/**
 * The cache namespace of one database: instances on different databases can share one Redis
 * database without reading each other's values (the location names host, port and database, or
 * the PGlite directory; never a password).
 */
export const databaseNamespace = (location: string) =>
  createHash('sha256').update(location).digest('hex').slice(0, 12);

export async function openStore(storage: Config['storage'], opts: OpenStoreOptions): Promise<Store> {
  const { logger, metrics } = opts;
  if (storage.databaseUrl) {
    await waitForDatabase(storage.databaseUrl, { maxWaitSeconds: storage.waitSeconds, logger });
  }
  const db = await openDatabase({
    databaseUrl: storage.databaseUrl,
    dataDir: storage.dataDir,
    pglite: { sharedBuffersMb: storage.pgliteSharedBuffersMb, template: storage.pgliteTemplate },
    poolSize: storage.poolSize,
    logger,
  });
  try {
    if (opts.migrate ?? true) await migrate(db);
    const cache = storage.redisUrl
      ? createRedisCache({
          url: storage.redisUrl,
          ttlSeconds: storage.cacheTtlSeconds,
          keyPrefix: `${opts.redisKeyPrefix ?? storage.redisKeyPrefix}${databaseNamespace(db.location)}:`,
          logger,
          metrics,
        })
      : createMemoryCache({
          maxEntries: storage.cacheMaxEntries,
          ttlSeconds: storage.cacheTtlSeconds,
          metrics,
        });
    const feed = new ChangeFeed(db, logger);
    await feed.start();
    if (cache.backend === 'memory') {
      // Without a shared cache, other processes' writes reach this process's cache through the feed.
      feed.subscribe((event) => {
        if (event.entity === ANY_ENTITY) void cache.invalidateAll();
        else if (event.origin !== feed.origin) void cache.invalidate([event.entity]);
      });
    }
    logger.info({ database: db.kind, location: db.location, cache: cache.backend }, 'storage ready');
    const responses = new ResponseCache(cache, {
      maxBytes: storage.responseCacheBytes,
      ttlSeconds: storage.cacheTtlSeconds,
      metrics,
    });
    return makeStore(db, cache, feed, responses, new PlannerStats(db, logger), metrics);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

function makeStore(
  db: Database,
  cache: Cache,
  feed: ChangeFeed,
  responses: ResponseCache,
  plannerStats: PlannerStats,
  metrics?: CoreMetrics,
): Store {
  return {
    db,
    cache,
    feed,
    responses,
    plannerStats,
    async write(fn) {
      const changes = new ChangeSet();
      const result = await db.transaction(async (tx) => {
        const value = await fn(tx, changes);
        for (const [entity, keys] of changes.keys) await feed.publish(tx, entity, [...keys]);
        return value;
      });
      // After COMMIT: the cache may now drop what it held; it can never hold the uncommitted state.
      if (changes.keys.size > 0) {
        await cache.invalidate(changes.entities);
        plannerStats.record(changes.keys);
      }
      if (metrics)
        for (const [entity, keys] of changes.keys)
          metrics.storeWrites.inc({ entity, op: 'upsert' }, keys.size);
      return result;
    },
    read(entities, key, load) {
      return cache.fetch(entities, key, () => load(db));
    },
    async health() {
      const started = Date.now();
      let database: StoreHealth['database'];
      try {
        await withTimeout(db.query('SELECT 1'), 2000);
        database = { backend: db.kind, ok: true, latencyMs: Date.now() - started, detail: db.location };
      } catch (err) {
        database = { backend: db.kind, ok: false, detail: (err as Error).message };
      }
      return {
        database,
        cache: await withTimeout(cache.health(), 2000).catch((err) => ({
          backend: cache.backend,
          ok: false,
          detail: (err as Error).message,
        })),
      };
    },
    async close() {
      await plannerStats.idle();
      await feed.stop().catch(() => undefined);
      await cache.close().catch(() => undefined);
      await db.close();
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
