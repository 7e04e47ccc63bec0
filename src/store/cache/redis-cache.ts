import { Redis } from 'ioredis';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { CoreMetrics } from '../../observability/metrics.js';
import type { Cache } from './cache.js';

// Redis in front of PostgreSQL, shared by every process. Keys:
//   <prefix>gen:<entity>     generation counter per entity (INCR on invalidate)
//   <prefix>epoch            bumped after an outage, so invalidations lost while Redis was
//                            unreachable cannot leave stale values behind
//   <prefix>v:<key>|<epoch>|<entity>=<gen>,...   the cached value (JSON, with a TTL)
//   <prefix>r:<key>|<epoch>|<entity>=<gen>,...   a whole HTTP response: hash of its body, ETag,
//                            build time and compressed forms (bytes, with a TTL)
//
// Commands fail fast while disconnected (no offline queue), and every failure falls back to the
// loader: a Redis outage costs latency, never an error page.

export interface RedisCacheOptions {
  url: string;
  ttlSeconds: number;
  keyPrefix?: string;
  logger: Logger;
  metrics?: CoreMetrics;
  /** Per-command timeout; a slow Redis is treated like a down one. */
  commandTimeoutMs?: number;
}

export function createRedisCache(opts: RedisCacheOptions): Cache {
  const prefix = opts.keyPrefix ?? 't5g:';
  const redis = new Redis(opts.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: opts.commandTimeoutMs ?? 1000,
    // Keep trying to come back, but never more often than every 2 s.
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  // Present from the start (at zero): a fallback rate reads 0 rather than "no data" while all is well.
  for (const result of ['hit', 'miss', 'fallback'])
    opts.metrics?.cacheRequests.inc({ backend: 'redis', result }, 0);
  // Set by the first failure of an outage; until an epoch bump succeeds, reads go to PostgreSQL,
  // since values in Redis may predate invalidations lost meanwhile.
  let bypassingSince: Date | undefined;
  const fail = (operation: string, err: unknown) => {
    opts.metrics?.cacheErrors.inc({ backend: 'redis', operation });
    if (!bypassingSince) {
      bypassingSince = new Date();
      // Logged once per outage, not once per request.
      opts.logger.warn(
        { err: errorMessage(err), operation },
        'Redis cache unavailable; reading from PostgreSQL',
      );
    }
  };

  // Leaving the bypass takes one successful epoch bump. A reconnect triggers it, but a stall (a
  // command timeout without a disconnect) never reconnects, so it is also tried at most once a
  // second while bypassing: from the read path and from a timer, whichever comes first.
  const RECOVERY_INTERVAL_MS = 1000;
  let lastRecoveryAttempt = 0;
  let recovering: Promise<void> | undefined;
  const recover = () => {
    if (!bypassingSince || recovering || redis.status !== 'ready') return;
    if (Date.now() - lastRecoveryAttempt < RECOVERY_INTERVAL_MS) return;
    lastRecoveryAttempt = Date.now();
    recovering = redis
      .incr(`${prefix}epoch`)
      .then(() => {
        bypassingSince = undefined;
        opts.logger.info('Redis cache reachable again; cached values from before the outage dropped');
      })
      .catch((err) => fail('epoch', err))
      .finally(() => {
        recovering = undefined;
      });
  };
  const recoveryTimer = setInterval(recover, RECOVERY_INTERVAL_MS);
  recoveryTimer.unref();
  redis.on('error', (err) => fail('connection', err));
  redis.on('ready', () => {
    lastRecoveryAttempt = 0;
    recover();
  });

  const generations = async (entities: readonly string[]) => {
    const gens = await redis.mget(`${prefix}epoch`, ...entities.map((e) => `${prefix}gen:${e}`));
    const [epoch, ...rest] = gens;
    return `${epoch ?? 0}|${entities.map((e, i) => `${e}=${rest[i] ?? 0}`).join(',')}`;
  };
  const versionedKey = async (entities: readonly string[], key: string) =>
    `${prefix}v:${key}|${await generations(entities)}`;

  return {
    backend: 'redis',
    async fetch<T>(entities: readonly string[], key: string, load: () => Promise<T>, ttlSeconds?: number) {
      if (bypassingSince) {
        // Until the epoch is bumped after an outage, values in Redis may predate lost invalidations.
        recover();
        opts.metrics?.cacheRequests.inc({ backend: 'redis', result: 'fallback' });
        return load();
      }
      let k: string;
      try {
        k = await versionedKey(entities, key);
        const hit = await redis.get(k);
        if (hit !== null) {
          opts.metrics?.cacheRequests.inc({ backend: 'redis', result: 'hit' });
          return decode(hit) as T;
        }
      } catch (err) {
        fail('get', err);
        opts.metrics?.cacheRequests.inc({ backend: 'redis', result: 'fallback' });
        return load();
      }
      opts.metrics?.cacheRequests.inc({ backend: 'redis', result: 'miss' });
      const value = await load();
      redis.set(k, encode(value), 'EX', ttlSeconds ?? opts.ttlSeconds).catch((err) => fail('set', err));
      return value;
    },
    async stamp(entities) {
      if (bypassingSince) {
        recover();
        return undefined;
      }
      try {
        return await generations(entities);
      } catch (err) {
        fail('get', err);
        return undefined;
      }
    },
    shared: {
      async get(key, fields) {
        if (bypassingSince) return fields.map(() => null);
        try {
          return await redis.hmgetBuffer(`${prefix}r:${key}`, ...fields);
        } catch (err) {
          fail('get', err);
          return fields.map(() => null);
        }
      },
      async put(key, fields, ttlSeconds) {
        if (bypassingSince) return;
        try {
          await redis
            .multi()
            .hset(`${prefix}r:${key}`, fields)
            .expire(`${prefix}r:${key}`, ttlSeconds)
            .exec();
        } catch (err) {
          fail('set', err);
        }
      },
    },
    async invalidate(entities) {
      if (entities.length === 0) return;
      try {
        const multi = redis.multi();
        for (const e of entities) multi.incr(`${prefix}gen:${e}`);
        await multi.exec();
      } catch (err) {
        // The write is committed; the epoch bump on reconnect drops what this could not.
        fail('invalidate', err);
      }
    },
    async invalidateAll() {
      try {
        await redis.incr(`${prefix}epoch`);
      } catch (err) {
        fail('invalidate', err);
      }
    },
    async health() {
      try {
        const started = Date.now();
        await redis.ping();
        const ping = `ping ${Date.now() - started} ms`;
        // Answering again, but reads still go to PostgreSQL until the epoch bump succeeds.
        if (bypassingSince)
          return {
            backend: 'redis',
            ok: false,
            detail: `${ping}; bypassed since ${bypassingSince.toISOString()}, recovering`,
          };
        return { backend: 'redis', ok: true, detail: ping };
      } catch (err) {
        return { backend: 'redis', ok: false, detail: errorMessage(err) };
      }
    },
    async close() {
      clearInterval(recoveryTimer);
      redis.disconnect();
    },
  };
}

// JSON that keeps Dates as Dates, so a value read from Redis equals the one the loader returned.
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

function decode(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v && typeof v === 'object' && typeof v.$date === 'string' && Object.keys(v).length === 1
      ? new Date(v.$date)
      : v,
  );
}
