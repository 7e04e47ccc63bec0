import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notModified, preferredEncoding } from '../../src/api/cached-response.js';
import { registerApiDocs } from '../../src/api/docs.js';
import { apiV1Routes } from '../../src/api/v1.js';
import { silentLogger } from '../../src/lib/logger.js';
import { upsertBugs } from '../../src/store/repositories/bugs.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { openStore, type Store } from '../../src/store/store.js';
import { openTestStore, STORAGE_BACKENDS, storageConfig, type TestStore } from '../support/backends.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { buildTestApp, type Seeded, seedDashboard, testConfig } from './support.js';

// The response cache: the same bytes as the uncached answer, 304 only while nothing it was built
// from changed, a write invalidates exactly the answers built from what it changed, compressed
// forms decode to the same bytes, one role never gets another's body, and processes agree.

const LEGACY = ['cards', 'cases', 'details', 'bugs', 'issues', 'escalations', 'stats'] as const;

const bug = (summary: string, lastChange: Date) => ({
  bugId: '2000005',
  summary,
  status: 'ASSIGNED',
  severity: 'high',
  priority: 'high',
  component: ['kernel'],
  targetRelease: ['4.18.z'],
  assignee: 'kdev@example.com',
  qaContact: 'kqa@example.com',
  lastChangeTime: lastChange,
  internalWhiteboard: 'Telco',
  keywords: [],
  unavailable: false,
  unavailableReason: null,
  raw: {},
});

describe.each(STORAGE_BACKENDS)('response cache on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.rawPayload, headers: res.headers };
  };

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_response_cache');
    seeded = await seedDashboard(t.store);
    app = await buildTestApp(t.store, testConfig(), () => seeded.now);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('serves the original endpoints with the bytes of the uncached answer, an ETag and 304', async () => {
    for (const name of LEGACY) {
      const url = `/api/${name}`;
      const cold = await get(url);
      expect(cold.status, url).toBe(200);
      const warm = await get(url);
      expect(warm.status, url).toBe(200);
      expect(warm.body.equals(cold.body), url).toBe(true);
      expect(warm.headers['content-type'], url).toMatch(/^application\/json/);
      const etag = warm.headers.etag as string;
      expect(etag, url).toMatch(/^"[A-Za-z0-9_-]+"$/);
      expect(warm.headers['cache-control'], url).toBe('private, no-cache');
      const again = await get(url, { 'if-none-match': etag });
      expect(again.status, url).toBe(304);
      expect(again.body.length, url).toBe(0);
      expect((await get(url, { 'if-none-match': '"other"' })).status, url).toBe(200);
    }
  });

  it('compresses for clients that accept it, to the same bytes', async () => {
    const plain = await get('/api/cards');
    const br = await get('/api/cards', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/Accept-Encoding/);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await get('/api/cards', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    // Each representation has its own tag, and any of them validates the body.
    expect(new Set([plain.headers.etag, br.headers.etag, gz.headers.etag]).size).toBe(3);
    const revalidated = await get('/api/cards', {
      'accept-encoding': 'br',
      'if-none-match': br.headers.etag as string,
    });
    expect(revalidated.status).toBe(304);
    expect((await get('/api/cards', { 'accept-encoding': 'identity' })).headers['content-encoding']).toBe(
      undefined,
    );
  });

  it('a write drops exactly the answers built from what it changed', async () => {
    const before = Object.fromEntries(
      await Promise.all(LEGACY.map(async (n) => [n, (await get(`/api/${n}`)).headers.etag as string])),
    );
    await t.store.write(async (tx, ch) =>
      ch.record('bug', await upsertBugs(tx, [bug('ixgbe drops packets under load', seeded.now)])),
    );
    const revalidate = async (n: string) => get(`/api/${n}`, { 'if-none-match': before[n]! });
    // Built from bugs: a new body with the new summary.
    for (const n of ['bugs', 'cards']) {
      const res = await revalidate(n);
      expect(res.status, n).toBe(200);
      expect(res.body.toString(), n).toContain('ixgbe drops packets under load');
      expect(res.headers.etag, n).not.toBe(before[n]);
    }
    // Not built from bugs: still the same body.
    for (const n of ['cases', 'details', 'issues', 'escalations'])
      expect((await revalidate(n)).status, n).toBe(304);
    // The stats read bugs, but this change does not move any figure: same bytes, same tag.
    expect((await revalidate('stats')).status).toBe(304);
  });

  it('caches the read API per URL (any parameter order) and drops it on a write', async () => {
    const url = '/api/v1/cards?account=Acme%20Telco&sort=severity:desc&limit=25';
    const first = await get(url);
    expect(first.status).toBe(200);
    const reordered = await get('/api/v1/cards?limit=25&sort=severity:desc&account=Acme%20Telco');
    expect(reordered.headers.etag).toBe(first.headers.etag);
    expect((await get(url, { 'if-none-match': first.headers.etag as string })).status).toBe(304);
    // A change behind the store's back (no write path, no invalidation) is not seen: the body is cached.
    const c1 = seeded.cases.c1;
    await t.store.db.query(`UPDATE cases SET summary = 'changed behind the cache' WHERE case_number = $1`, [
      c1.caseNumber,
    ]);
    expect((await get(url)).body.toString()).not.toContain('changed behind the cache');
    // Through the store it is a write: the next answer is built anew.
    await t.store.write(async (tx, ch) =>
      ch.record('case', await upsertCases(tx, [{ ...c1, summary: 'changed through the store' }])),
    );
    const fresh = await get(url, { 'if-none-match': first.headers.etag as string });
    expect(fresh.status).toBe(200);
    expect(fresh.body.toString()).toContain('changed through the store');
    // Another query is its own entry; CSV is never served from the JSON entry.
    const csv = await get(url, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  });

  it('keeps one role from another role’s body', async () => {
    // The role as the sign-in hook would set it (here from a header, so one app serves both roles).
    const roles = Fastify();
    roles.decorateRequest('auth', null);
    roles.addHook('onRequest', async (req) => {
      const role = req.headers['x-test-role'] as 'viewer' | 'admin';
      (req as { auth: unknown }).auth = { via: 'token', user: { id: role, role } };
    });
    await registerApiDocs(roles);
    await roles.register(apiV1Routes, { store: t.store, config: testConfig(), now: () => seeded.now });
    await roles.ready();
    try {
      const as = (role: string) =>
        roles.inject({ url: '/api/v1/cases?limit=10', headers: { 'x-test-role': role } });
      const viewer = await as('viewer');
      await t.store.db.query(`UPDATE cases SET owner = 'owner seen by the admin' WHERE case_number = $1`, [
        seeded.cases.c6.caseNumber,
      ]);
      // The viewer's answer is cached; the admin's is built for the admin, from the current data.
      expect((await as('viewer')).body).toBe(viewer.body);
      expect((await as('admin')).body).toContain('owner seen by the admin');
    } finally {
      await roles.close();
    }
  });

  it.skipIf(backend === 'pglite')(
    'agrees across processes: a write in one is seen by the other',
    async () => {
      const other: Store = await openStore(
        storageConfig({
          DATABASE_URL: t.databaseUrl!,
          ...(backend === 'postgres+redis' ? { REDIS_URL: TEST_REDIS_URL } : {}),
        }),
        { logger: silentLogger, migrate: false, redisKeyPrefix: t.redisKeyPrefix },
      );
      const otherApp = await buildTestApp(other, testConfig(), () => seeded.now);
      try {
        // Earlier tests changed cases behind the store's back, which a body this process had
        // (re)built before then does not show; a write through the store makes both build from the same rows.
        const c6 = seeded.cases.c6;
        await t.store.write(async (tx, ch) =>
          ch.record('case', await upsertCases(tx, [{ ...c6, owner: 'before the comparison' }])),
        );
        await get('/api/cases');
        // The second answer is the cached one, with its ETag (a cold answer streams without one).
        const here = await get('/api/cases');
        expect(here.headers.etag).toBeDefined();
        const there = await otherApp.inject('/api/cases');
        expect(there.rawPayload.equals(here.body)).toBe(true);
        const c2 = seeded.cases.c2;
        await other.write(async (tx, ch) =>
          ch.record('case', await upsertCases(tx, [{ ...c2, owner: 'written by the other process' }])),
        );
        // Redis: at once; in-process caches: once the change feed has delivered the event.
        const deadline = Date.now() + 5000;
        let seen = '';
        while (Date.now() < deadline) {
          seen = (await get('/api/cases', { 'if-none-match': here.headers.etag as string })).body.toString();
          if (seen.includes('written by the other process')) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(seen).toContain('written by the other process');
      } finally {
        await otherApp.close();
        await other.close();
      }
    },
  );
});

describe('content negotiation of cached answers', () => {
  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(preferredEncoding('gzip, deflate, br')).toBe('br');
    expect(preferredEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(preferredEncoding('identity')).toBe(undefined);
    expect(preferredEncoding('*')).toBe('br');
    expect(preferredEncoding(undefined)).toBe(undefined);
  });

  it('compares If-None-Match weakly against every representation of the body', () => {
    expect(notModified('"abc"', '"abc"')).toBe(true);
    expect(notModified('W/"abc"', '"abc"')).toBe(true);
    expect(notModified('"x", "abc-br"', '"abc"')).toBe(true);
    expect(notModified('"abc-gz"', '"abc"')).toBe(true);
    expect(notModified('*', '"abc"')).toBe(true);
    expect(notModified('"abcd"', '"abc"')).toBe(false);
    expect(notModified(undefined, '"abc"')).toBe(false);
  });
});
