import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CachedBody,
  type Encoding,
  MIN_COMPRESSED_BYTES,
  type ResponseCache,
} from '../store/cache/response-cache.js';
import type { Store } from '../store/store.js';
import { wantsCsv } from './csv.js';
import { stableKey } from './views/deps.js';

// Whole responses from the response cache (src/store/cache/response-cache.ts): a repeated read
// costs a generation lookup and a copy, not the queries and the serialisation. Every cached answer
// carries a strong ETag (a hash of its bytes), so `If-None-Match` gets 304 exactly while the bytes
// are the same, and is compressed once per body for clients that accept brotli or gzip.
//
// Two ways in: a route that declares `config.cache` is cached by the hooks below (its handler runs
// only on a miss; the serialised JSON is kept in onSend), and a route that streams a large body
// calls `sendCached`, which streams while cold and stores what it streamed.

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

/**
 * A large JSON body through the cache: served from it when fresh; otherwise built by `chunks`,
 * streamed to this client as it comes and kept once complete. Concurrent misses in this process
 * wait for that one build instead of running their own.
 */
export async function sendCached(
  req: FastifyRequest,
  reply: FastifyReply,
  store: Store,
  spec: {
    entities: readonly string[];
    key: string;
    /** For a body that does not depend on the clock: reused until the data changes. */
    timeless?: boolean;
  },
  chunks: () => AsyncIterable<string>,
): Promise<FastifyReply> {
  const responses = store.responses;
  const maxAge = spec.timeless ? Number.POSITIVE_INFINITY : CLOCK_SECONDS;
  const found = await responses.lookup(spec.entities, spec.key, maxAge);
  if (!found) return reply.type(JSON_TYPE).send(Readable.from(await primed(chunks())));
  if (found.hit) return reply.send(await answer(req, reply, responses, found.slot, found.hit));
  const building = responses.building;
  const pending = building.get(found.slot);
  if (pending) {
    const body = await pending.catch(() => undefined);
    if (body) return reply.send(await answer(req, reply, responses, found.slot, body));
    return reply.type(JSON_TYPE).send(Readable.from(await primed(chunks())));
  }
  let settle!: { resolve: (b: CachedBody) => void; reject: (e: unknown) => void };
  const done = new Promise<CachedBody>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => undefined);
  building.set(found.slot, done);
  const slot = found.slot;
  async function* tee() {
    const parts: Buffer[] = [];
    let complete = false;
    try {
      for await (const chunk of chunks()) {
        const bytes = Buffer.from(chunk);
        parts.push(bytes);
        yield bytes;
      }
      complete = true;
      settle.resolve(await responses.store(slot, Buffer.concat(parts)));
    } catch (err) {
      settle.reject(err);
      throw err;
    } finally {
      // A client that went away ends the stream early: nothing is kept from a partial body.
      if (!complete) settle.reject(new Error('response stream ended early'));
      building.delete(slot);
    }
  }
  return reply.type(JSON_TYPE).send(Readable.from(await primed(tee())));
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
