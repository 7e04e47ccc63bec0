import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';
import { LRUCache } from 'lru-cache';
import type { CoreMetrics } from '../../observability/metrics.js';
import type { Cache } from './cache.js';

// Whole HTTP responses, serialised once per data generation. A body is stored under its key plus
// the stamp of the entities it was built from (store.ts bumps their generation after every
// committed write), so a write makes exactly the bodies built from what it changed unreachable.
// Each process keeps the bodies it serves in memory (bounded by bytes); with Redis they are also
// shared, so one process builds and compresses a body and the others fetch it once. The stamp
// comes from the shared cache on every lookup, so processes agree on what is current.
//
// Bodies also depend on the clock (days open, SLA badges, "updated within"), so one is reused for
// at most `maxAgeSeconds` after it was built; a rebuild with the same bytes keeps its ETag. A caller
// may also ask for a body past that age (never one of an older generation) to serve while it
// rebuilds in the background.

export type Encoding = 'br' | 'gzip';

export interface CachedBody {
  /** Strong validator of the uncompressed bytes: a quoted hash. */
  readonly etag: string;
  readonly body: Buffer;
  /** Epoch milliseconds when it was built. */
  readonly builtAt: number;
}

export interface Lookup {
  /** Key + stamp: where a body built now belongs. */
  readonly slot: string;
  readonly hit?: CachedBody;
  /** Without a hit: the body of this generation that is past its age but within the stale window. */
  readonly stale?: CachedBody;
}

export const ENCODINGS: readonly Encoding[] = ['br', 'gzip'];

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Below this a compressed body saves less than its headers cost. */
export const MIN_COMPRESSED_BYTES = 1024;

// Brotli's default (quality 11) takes seconds per megabyte; 5 compresses JSON better than gzip -9
// at about gzip's speed, and runs once per generation. gzip -9 costs about what -6 does on JSON and
// saves 6-7 % of the bytes (13.3 MB of cards: 779 KB against 835 KB), so it is used where nobody
// waits for it: bodies compressed before they are published.
const compress = (body: Buffer, encoding: Encoding, gzipLevel = 6) =>
  encoding === 'br'
    ? brotliAsync(body, {
        params: {
          [zlib.BROTLI_PARAM_QUALITY]: 5,
          [zlib.BROTLI_PARAM_SIZE_HINT]: body.length,
          [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        },
      })
    : gzipAsync(body, { level: gzipLevel });

export const etagOf = (body: Buffer) =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

interface Entry extends CachedBody {
  encoded: Map<Encoding, Promise<Buffer>>;
}

export class ResponseCache {
  private readonly local: LRUCache<string, Entry>;
  /** Bodies being built in this process, by slot, so concurrent misses share one build. */
  readonly building = new Map<string, Promise<CachedBody>>();

  constructor(
    private readonly cache: Cache,
    private readonly opts: { maxBytes: number; ttlSeconds: number; metrics?: CoreMetrics },
  ) {
    this.local = new LRUCache<string, Entry>({
      maxSize: Math.max(1, opts.maxBytes),
      // The compressed forms come later; they are a fraction of the body.
      sizeCalculation: (e) => Math.max(1, Math.ceil(e.body.length * 1.3)),
      ttl: opts.ttlSeconds * 1000,
    });
  }

  /**
   * The slot for `key` at the current generation of `entities`, and its body if one is fresh (or,
   * as `stale`, one at most `staleSeconds` past `maxAgeSeconds`); undefined: do not cache now.
   */
  async lookup(
    entities: readonly string[],
    key: string,
    maxAgeSeconds: number,
    staleSeconds = 0,
  ): Promise<Lookup | undefined> {
    if (this.opts.maxBytes === 0) return undefined;
    const stamp = await this.cache.stamp(entities);
    if (stamp === undefined) return undefined;
    const slot = `${key}|${stamp}`;
    // Counted with the cache's other lookups: a whole answer served is a cache hit.
    const count = (result: 'hit' | 'miss') =>
      this.opts.metrics?.cacheRequests.inc({ backend: this.cache.backend, result });
    const age = (builtAt: number) => Date.now() - builtAt;
    const fresh = (builtAt: number) => age(builtAt) < maxAgeSeconds * 1000;
    const usable = (builtAt: number) => age(builtAt) < (maxAgeSeconds + staleSeconds) * 1000;
    let entry = this.local.get(slot);
    const shared = this.cache.shared;
    // Another process may have (re)built it: the newer body counts. With an old one here, its
    // build time is asked first, so a body shared by nobody newer is not fetched again.
    if (shared && !(entry && fresh(entry.builtAt))) {
      const newer = (built: Buffer | null | undefined) =>
        !!built && Number(built.toString()) > (entry?.builtAt ?? 0);
      if (!entry || newer((await shared.get(slot, ['built']))[0])) {
        const [etag, built, body] = await shared.get(slot, ['etag', 'built', 'body']);
        if (etag && body && newer(built)) {
          entry = { etag: etag.toString(), builtAt: Number(built!.toString()), body, encoded: new Map() };
          this.local.set(slot, entry);
        }
      }
    }
    if (entry && fresh(entry.builtAt)) {
      count('hit');
      return { slot, hit: entry };
    }
    // A stale body is served only while a rebuild is on its way, so it still counts as a miss.
    count('miss');
    return entry && usable(entry.builtAt) ? { slot, stale: entry } : { slot };
  }

  /**
   * Keeps `body` in `slot` (here, and shared when there is Redis). With `precompress`, its brotli
   * and gzip forms are made first, so no request waits for them once it is found.
   */
  async store(slot: string, body: Buffer, opts: { precompress?: boolean } = {}): Promise<CachedBody> {
    const entry: Entry = { etag: etagOf(body), body, builtAt: Date.now(), encoded: new Map() };
    if (opts.precompress) await this.precompress(slot, entry);
    this.local.set(slot, entry);
    await this.cache.shared?.put(
      slot,
      { etag: entry.etag, built: String(entry.builtAt), body },
      this.opts.ttlSeconds,
    );
    return entry;
  }

  /** Makes every compressed form of a body now (unless made already), with gzip at its best ratio. */
  async precompress(slot: string, cached: CachedBody): Promise<void> {
    if (cached.body.length < MIN_COMPRESSED_BYTES) return;
    for (const encoding of ENCODINGS) await this.encoded(slot, cached, encoding, 9);
  }

  /** The body compressed with `encoding`, made once per body (and shared with other processes). */
  encoded(slot: string, cached: CachedBody, encoding: Encoding, gzipLevel?: number): Promise<Buffer> {
    const entry = cached as Entry;
    let p = entry.encoded.get(encoding);
    if (!p) {
      p = (async () => {
        // Named by the ETag too: a rebuild of the slot with other bytes must not find these.
        const field = `${encoding}:${entry.etag}`;
        const [shared] = (await this.cache.shared?.get(slot, [field])) ?? [null];
        if (shared) return shared;
        const out = await compress(entry.body, encoding, gzipLevel);
        await this.cache.shared?.put(slot, { [field]: out }, this.opts.ttlSeconds);
        return out;
      })();
      entry.encoded.set(encoding, p);
      // A failed compression is retried by the next request, not remembered.
      p.catch(() => entry.encoded.delete(encoding));
    }
    return p;
  }
}
