import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedBodies, type CachedBodiesOptions } from '../../src/api/cached-response.js';
import { openTestStore, STORAGE_BACKENDS, type TestStore } from '../support/backends.js';

// Large bodies through the response cache (what the original's big maps use): rebuilt in the
// background when what they are built from changes, served past their age only while one rebuild
// replaces them, never served across a write. Each build is numbered, so a test sees which build
// an answer came from and how many ran.

const PAD = 'x'.repeat(4000); // above the size from which bodies are compressed

const waitFor = async (what: string, ok: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(STORAGE_BACKENDS)('cached bodies on %s', (backend) => {
  let t: TestStore;
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_cached_bodies');
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await t?.close();
  });

  /** An app serving one body built from `bug`, under its own key; `builds` counts the builds. */
  async function serve(key: string, opts: CachedBodiesOptions) {
    const app = Fastify();
    apps.push(app);
    const bodies = new CachedBodies(t.store, app.log, opts);
    app.addHook('onClose', async () => {
      bodies.close();
      await bodies.idle();
    });
    const counter = { builds: 0 };
    app.get('/body', (req, reply) =>
      bodies.send(req, reply, {
        entities: ['bug'],
        key,
        async *chunks() {
          const n = ++counter.builds;
          yield `{"build":${n},`;
          yield `"pad":"${PAD}"}`;
        },
      }),
    );
    await app.ready();
    const get = async (headers: Record<string, string> = {}) => {
      const res = await app.inject({ method: 'GET', url: '/body', headers });
      const raw = res.headers['content-encoding'] === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload;
      return {
        status: res.statusCode,
        etag: res.headers.etag as string | undefined,
        encoding: res.headers['content-encoding'],
        build: res.statusCode === 200 ? (JSON.parse(raw.toString()) as { build: number }).build : undefined,
      };
    };
    /** Asks until the answer is a cached one (with Redis, the cache vouches for nothing until connected). */
    const warm = async () => {
      for (let i = 0; i < 50; i++) {
        const res = await get();
        if (res.etag) return res;
        await sleep(20);
      }
      throw new Error('never cached');
    };
    return { get, warm, counter };
  }

  const write = (entity: string) =>
    t.store.write(async (_tx, ch) => {
      ch.add(entity, ['k1']);
    });

  it('rebuilds a body someone asked for when what it is built from changes, before the next request', async () => {
    const {
      get,
      warm: cached,
      counter,
    } = await serve(`t:prebuild:${backend}`, {
      debounceMs: 50,
      minIntervalMs: 0,
    });
    const cold = await get();
    expect(cold).toMatchObject({ status: 200, build: 1, etag: undefined }); // streamed as it was built
    const warm = await cached();
    const n = warm.build!;
    expect((await get()).build).toBe(n);

    await write('bug');
    await waitFor('the background build', () => counter.builds === n + 1);
    await waitFor('the build to be kept', () => t.store.responses.building.size === 0);
    // Served from the prebuilt body: an ETag (a streamed answer has none), compressed, no build.
    const next = await get({ 'accept-encoding': 'gzip, deflate', 'if-none-match': warm.etag! });
    expect(next).toMatchObject({ status: 200, build: n + 1, encoding: 'gzip' });
    expect(next.etag).not.toBe(warm.etag);
    expect(counter.builds).toBe(n + 1);

    // A change to something else neither rebuilds it nor changes its tag.
    await write('case');
    await sleep(300);
    expect(counter.builds).toBe(n + 1);
    expect((await get({ 'if-none-match': next.etag! })).status).toBe(304);
  });

  it('serves a body past its age while one background build replaces it, never across a write', async () => {
    const { get, warm, counter } = await serve(`t:stale:${backend}`, {
      maxAgeSeconds: 1,
      // No rebuild on changes here: what a request sees after a write comes from the request path.
      debounceMs: 60_000,
    });
    const first = await warm();
    const n = first.build!;
    await sleep(1100);
    // Past its age: the same body at once, and one rebuild behind it.
    const stale = await get();
    expect(stale).toMatchObject({ status: 200, build: n, etag: first.etag });
    await waitFor('the rebuild', () => counter.builds === n + 1 && t.store.responses.building.size === 0);
    const rebuilt = await get();
    expect(rebuilt.build).toBe(n + 1);
    expect(counter.builds).toBe(n + 1);

    // Past its age and then a write: the old body is not served, a new one is built for this request.
    await sleep(1100);
    await write('bug');
    const afterWrite = await get({ 'if-none-match': rebuilt.etag! });
    expect(afterWrite).toMatchObject({ status: 200, build: n + 2 });

    // Older than twice its age: built again on the request path (streamed), not served stale.
    await get();
    await sleep(2100);
    const old = await get();
    expect(old).toMatchObject({ status: 200, build: n + 3, etag: undefined });
  });
});
