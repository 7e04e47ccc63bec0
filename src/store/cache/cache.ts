// The read cache in front of PostgreSQL (the read path of store.ts). PostgreSQL is the truth; a cache
// failure only makes a read slower, never wrong or visible to a user.
//
// Every cached value names the entities it was built from. Each entity has a generation number
// that is part of the key; a committed write bumps the generation of what it changed, so every
// value built from the old data becomes unreachable at once (and ages out). A reader that loaded
// old data concurrently with a write stores it under the old generation, where nobody looks: the
// cache can lag the truth for the length of one read, never run ahead of it.

export type CacheBackend = 'memory' | 'redis';

export interface CacheHealth {
  backend: CacheBackend;
  ok: boolean;
  detail?: string;
}

export interface Cache {
  readonly backend: CacheBackend;
  /** Cached value for `key` built from `entities`, or `load()`'s result (then cached). */
  fetch<T>(entities: readonly string[], key: string, load: () => Promise<T>, ttlSeconds?: number): Promise<T>;
  /**
   * The current generation of these entities (with the cache epoch), as one string that changes
   * whenever a committed write changes any of them; undefined while the cache cannot vouch for it
   * (Redis unreachable or recovering), so nothing is served from a cache keyed by it.
   */
  stamp(entities: readonly string[]): Promise<string | undefined>;
  /** Bytes shared by every process (Redis); absent on the in-process cache. */
  readonly shared?: SharedBytes;
  /** Makes every value built from these entities unreachable. */
  invalidate(entities: readonly string[]): Promise<void>;
  /** Makes every cached value unreachable (when changes may have been missed). */
  invalidateAll(): Promise<void>;
  health(): Promise<CacheHealth>;
  close(): Promise<void>;
}

/** Hashes of bytes in the shared cache: whole responses and their compressed forms. */
export interface SharedBytes {
  /** The fields' values, null where missing (or on any failure: the caller builds instead). */
  get(key: string, fields: readonly string[]): Promise<(Buffer | null)[]>;
  /** Sets fields of the hash and (re)arms its expiry; failures only cost a later rebuild. */
  put(key: string, fields: Record<string, Buffer | string>, ttlSeconds: number): Promise<void>;
}
