import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CachedBody,
  type Encoding,
  MIN_COMPRESSED_BYTES,
  type ResponseCache,
} from '../store/cache/response-cache.js';
import { ANY_ENTITY } from '../store/change-feed.js';
import type { Store } from '../store/store.js';
import { wantsCsv } from './csv.js';
import { stableKey } from './views/deps.js';

// Whole responses from the response cache (src/store/cache/response-cache.ts): a repeated read
// costs a generation lookup and a copy, not the queries and the serialisation. Every cached answer
// carries a strong ETag (a hash of its bytes), so `If-None-Match` gets 304 exactly while the bytes
// are the same, and is compressed once per body for clients that accept brotli or gzip.
//
// Two ways in: a route that declares `config.cache` is cached by the hooks below (its handler runs
// only on a miss; the serialised JSON is kept in onSend), and a route that serves a large body
// goes through `CachedBodies`, which prebuilds it on data changes and streams it only when cold.
// Either way a cached answer is a Buffer handed to reply.send: Fastify neither serialises nor
// copies it, and no hook compresses it again.

/** A body is reused for at most this long, since views also depend on the clock (days open, SLA). */
export const CLOCK_SECONDS = 60;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Cache the whole JSON answer per URL, caller's role and generation of these entities. */
    cache?: readonly string[];
  }
  interface FastifyRequest {
    responseSlot?: string | null;
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The encoding to send: brotli, else gzip, when the client accepts it (q > 0). */
export function preferredEncoding(header: string | string[] | undefined): Encoding | undefined {
  const accepted = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return undefined;
}

const SUFFIX: Record<Encoding, string> = { br: '-br', gzip: '-gz' };
/** Each encoding is its own representation, so its strong ETag differs from the plain one. */
const etagFor = (etag: string, encoding: Encoding | undefined) =>
  encoding ? `${etag.slice(0, -1)}${SUFFIX[encoding]}"` : etag;

/** If-None-Match (weak comparison, as RFC 9110 asks for it) against any representation of this body. */
export function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const base = etag.slice(1, -1);
  return header.split(',').some((raw) => {
    const t = raw.trim().replace(/^W\//, '');
    if (t === '*') return true;
    const inner = t.replace(/^"|"$/g, '');
    return inner === base || inner === `${base}${SUFFIX.br}` || inner === `${base}${SUFFIX.gzip}`;
  });
}

/** The headers of a cached answer, then 304 or the (compressed) bytes. */
async function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  responses: ResponseCache,
  slot: string,
  body: CachedBody,
): Promise<Buffer | string> {
  const encoding =
    body.body.length >= MIN_COMPRESSED_BYTES ? preferredEncoding(req.headers['accept-encoding']) : undefined;
  reply.header('vary', 'Accept-Encoding');
  // Kept by the browser only (answers may need sign-in), and asked again every time: the ETag
  // makes the question cheap.
  reply.header('cache-control', 'private, no-cache');
  reply.header('etag', etagFor(body.etag, encoding));
  if (notModified(req.headers['if-none-match'], body.etag)) {
    reply.code(304);
    return '';
  }
  reply.type(JSON_TYPE);
  if (!encoding) return body.body;
  reply.header('content-encoding', encoding);
  return responses.encoded(slot, body, encoding);
}

const roleOf = (req: FastifyRequest) => req.auth?.user.role ?? 'anonymous';

/** Route, path parameters and the validated query (so equal queries in any order share one body), per role. */
const keyOf = (req: FastifyRequest) =>
  `${req.routeOptions.url}|${roleOf(req)}|${stableKey(req.params)}|${stableKey(req.query)}`;

/** Caches the JSON answers of every route registered after it (in this scope) that declares `config.cache`. */
export function registerResponseCache(app: FastifyInstance, store: Store) {
  const responses = store.responses;
  app.addHook('preHandler', async (req, reply) => {
    const entities = req.routeOptions.config.cache;
    if (
      !entities ||
      req.method !== 'GET' ||
      wantsCsv(req as FastifyRequest<{ Querystring: { format?: 'json' | 'csv' } }>)
    )
      return;
    const found = await responses.lookup(entities, keyOf(req), CLOCK_SECONDS);
    if (!found) return;
    if (found.hit) {
      req.responseSlot = null;
      return reply.send(await answer(req, reply, responses, found.slot, found.hit));
    }
    req.responseSlot = found.slot;
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const slot = req.responseSlot;
    if (!slot || reply.statusCode !== 200 || typeof payload !== 'string') return payload;
    if (!String(reply.getHeader('content-type') ?? '').startsWith('application/json')) return payload;
    const body = await responses.store(slot, Buffer.from(payload));
    return answer(req, reply, responses, slot, body);
  });
}

/** A large JSON body served through the response cache by `CachedBodies`. */
export interface CachedBodySpec {
  /** The change-feed entities it is built from. */
  entities: readonly string[];
  key: string;
  /** For a body that does not depend on the clock: reused until the data changes. */
  timeless?: boolean;
  /** Builds the body (reading the clock itself: it also runs off the request path). */
  chunks: () => AsyncIterable<string>;
}

export interface CachedBodiesOptions {
  /** Quiet time after a change before the bodies built from it are rebuilt. */
  debounceMs?: number;
  /** Least time between two background builds of one body (at least its last build time). */
  minIntervalMs?: number;
  /** Age after which a clock-dependent body is rebuilt (default CLOCK_SECONDS). */
  maxAgeSeconds?: number;
}

/**
 * Large JSON bodies (the original's big maps) through the response cache, built off the request
 * path where possible, as the original served blobs its sync had precomputed:
 * - a body someone has asked for is rebuilt in the background when the change feed reports a
 *   change to what it is built from (after `debounceMs` of quiet, at most one build at a time), and
 *   published with its brotli and gzip forms made, so the next request only sends bytes;
 * - a clock-dependent body past its age is still served (for at most that age again) while one
 *   background build replaces it: days open move by the day, so this costs no correctness a
 *   client can see, and no request waits for a rebuild;
 * - a body of an older data generation is never served: a request after a write that no
 *   rebuild has caught up with waits for the build under way, or streams the body as it is built
 *   (and keeps it), which is also how the very first request is served.
 * With Redis, a process that finds a body another one published after the same change keeps that
 * one instead of building its own.
 */
export class CachedBodies {
  private readonly wanted = new Map<string, CachedBodySpec>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Background builds under way, by key (at most one each). */
  private readonly active = new Map<string, Promise<unknown>>();
  private readonly last = new Map<string, { end: number; ms: number }>();
  private readonly unsubscribe: () => void;
  private readonly debounceMs: number;
  private readonly minIntervalMs: number;
  private readonly maxAgeSeconds: number;
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly log: FastifyBaseLogger,
    opts: CachedBodiesOptions = {},
  ) {
    this.debounceMs = opts.debounceMs ?? 1000;
    this.minIntervalMs = opts.minIntervalMs ?? 5000;
    this.maxAgeSeconds = opts.maxAgeSeconds ?? CLOCK_SECONDS;
    this.unsubscribe = store.feed.subscribe((event) => {
      for (const spec of this.wanted.values())
        if (event.entity === ANY_ENTITY || spec.entities.includes(event.entity)) this.schedule(spec);
    });
  }

  /** Stops rebuilding (builds under way finish; their bodies are kept). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Background builds under way, for a caller that closes the store after this. */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.active.values()]);
  }

  private maxAge(spec: CachedBodySpec) {
    return spec.timeless ? Number.POSITIVE_INFINITY : this.maxAgeSeconds;
  }

  async send(req: FastifyRequest, reply: FastifyReply, spec: CachedBodySpec): Promise<FastifyReply> {
    const responses = this.store.responses;
    const maxAge = this.maxAge(spec);
    const found = await responses.lookup(spec.entities, spec.key, maxAge, spec.timeless ? 0 : maxAge);
    if (!found) return reply.type(JSON_TYPE).send(Readable.from(await primed(spec.chunks())));
    this.wanted.set(spec.key, spec);
    if (found.hit) return reply.send(await answer(req, reply, responses, found.slot, found.hit));
    if (found.stale) {
      this.build(spec, found.slot);
      return reply.send(await answer(req, reply, responses, found.slot, found.stale));
    }
    const pending = responses.building.get(found.slot);
    if (pending) {
      const body = await pending.catch(() => undefined);
      if (body) return reply.send(await answer(req, reply, responses, found.slot, body));
      return reply.type(JSON_TYPE).send(Readable.from(await primed(spec.chunks())));
    }
    return reply.type(JSON_TYPE).send(Readable.from(await primed(this.tee(spec, found.slot))));
  }

  /** Streams the body to this client as it is built, and keeps it once complete. */
  private async *tee(spec: CachedBodySpec, slot: string) {
    const responses = this.store.responses;
    let settle!: { resolve: (b: CachedBody) => void; reject: (e: unknown) => void };
    const done = new Promise<CachedBody>((resolve, reject) => {
      settle = { resolve, reject };
    });
    done.catch(() => undefined);
    // Concurrent misses in this process wait for this one build instead of running their own.
    responses.building.set(slot, done);
    const parts: Buffer[] = [];
    let complete = false;
    try {
      for await (const chunk of spec.chunks()) {
        const bytes = Buffer.from(chunk);
        parts.push(bytes);
        yield bytes;
      }
      complete = true;
      const body = await responses.store(slot, Buffer.concat(parts));
      settle.resolve(body);
      // Compressed after this client has its answer; the next ones wait for it at most once.
      responses.precompress(slot, body).catch(() => undefined);
    } catch (err) {
      settle.reject(err);
      throw err;
    } finally {
      // A client that went away ends the stream early: nothing is kept from a partial body.
      if (!complete) settle.reject(new Error('response stream ended early'));
      responses.building.delete(slot);
    }
  }

  /** Builds the body for `slot` with no client waiting, unless one is being built already. */
  private build(spec: CachedBodySpec, slot: string): void {
    const responses = this.store.responses;
    if (this.closed || responses.building.has(slot) || this.active.has(spec.key)) return;
    const started = performance.now();
    const body = (async () => {
      const parts: Buffer[] = [];
      for await (const chunk of spec.chunks()) parts.push(Buffer.from(chunk));
      return responses.store(slot, Buffer.concat(parts), { precompress: true });
    })();
    responses.building.set(slot, body);
    const settled = body
      .then(
        () => this.last.set(spec.key, { end: Date.now(), ms: performance.now() - started }),
        (err: unknown) =>
          this.log.warn(
            { err: (err as Error).message, key: spec.key },
            'background build of a cached body failed',
          ),
      )
      .finally(() => {
        responses.building.delete(slot);
        this.active.delete(spec.key);
      });
    this.active.set(spec.key, settled);
  }

  /** A rebuild after a change, once the writes have quietened and not sooner than the last allows. */
  private schedule(spec: CachedBodySpec): void {
    if (this.closed || this.timers.has(spec.key)) return;
    const last = this.last.get(spec.key);
    const earliest = last ? last.end + Math.max(this.minIntervalMs, last.ms) : 0;
    const delay = Math.max(this.debounceMs, earliest - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(spec.key);
      void this.refresh(spec);
    }, delay);
    timer.unref();
    this.timers.set(spec.key, timer);
  }

  private async refresh(spec: CachedBodySpec): Promise<void> {
    const running = this.active.get(spec.key);
    if (running) {
      // That build may have read the data before the change: look again once it is done.
      await running;
      this.schedule(spec);
      return;
    }
    try {
      const found = await this.store.responses.lookup(spec.entities, spec.key, this.maxAge(spec));
      if (found && !found.hit) this.build(spec, found.slot);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, key: spec.key }, 'cached body lookup failed');
    }
  }
}

/**
 * Waits for the stream's first chunk before the answer starts: a body that fails at once (the
 * database unreachable) then becomes an error status (503) instead of a 200 cut off mid-way.
 */
async function primed<T>(source: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const it = source[Symbol.asyncIterator]();
  const head = await it.next();
  return {
    async *[Symbol.asyncIterator]() {
      if (head.done) return;
      yield head.value;
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    },
  };
}
