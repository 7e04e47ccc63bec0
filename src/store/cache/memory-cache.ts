import { LRUCache } from 'lru-cache';
import type { CoreMetrics } from '../../observability/metrics.js';
import type { Cache } from './cache.js';

/** In-process LRU. Other processes' writes reach it through the change feed (see store.ts). */
export function createMemoryCache(opts: {
  maxEntries: number;
  ttlSeconds: number;
  metrics?: CoreMetrics;
}): Cache {
  const lru = new LRUCache<string, { value: unknown }>({ max: opts.maxEntries, ttl: opts.ttlSeconds * 1000 });
  const generations = new Map<string, number>();
  // Part of every key, so a load that began before invalidateAll stores where nobody looks.
  let epoch = 0;
  const keyFor = (entities: readonly string[], key: string) =>
    `${key}|${epoch}|${entities.map((e) => `${e}=${generations.get(e) ?? 0}`).join(',')}`;
  // Present from the start (at zero), so a rate over them works before the first lookup.
  for (const result of ['hit', 'miss']) opts.metrics?.cacheRequests.inc({ backend: 'memory', result }, 0);
  return {
    backend: 'memory',
    async fetch<T>(entities: readonly string[], key: string, load: () => Promise<T>, ttlSeconds?: number) {
      const k = keyFor(entities, key);
      const hit = lru.get(k);
      if (hit) {
        opts.metrics?.cacheRequests.inc({ backend: 'memory', result: 'hit' });
        return hit.value as T;
      }
      opts.metrics?.cacheRequests.inc({ backend: 'memory', result: 'miss' });
      const value = await load();
      // Stored under the generation read before loading: a concurrent write makes it unreachable.
      lru.set(k, { value }, ttlSeconds ? { ttl: ttlSeconds * 1000 } : undefined);
      return value;
    },
    async stamp(entities) {
      return `${epoch}|${entities.map((e) => `${e}=${generations.get(e) ?? 0}`).join(',')}`;
    },
    async invalidate(entities) {
      for (const e of entities) generations.set(e, (generations.get(e) ?? 0) + 1);
    },
    async invalidateAll() {
      epoch++;
      lru.clear();
    },
    async health() {
      return { backend: 'memory', ok: true, detail: `${lru.size} entries` };
    },
    async close() {
      lru.clear();
    },
  };
}
