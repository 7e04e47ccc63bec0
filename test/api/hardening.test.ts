import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { Config } from '../../src/config/config.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { fakeSyncControl } from '../support/sync-control.js';
import { seedDashboard, testConfig } from './support.js';

// Bad input never becomes a 500: every route of the whole app (v1, legacy, runs, refresh, docs, UI)
// answers odd values with a 4xx and a message, and nothing is logged at error level. Every request
// parameter is bounded in the route's JSON Schema, so the OpenAPI document states the bounds too.

const sync = fakeSyncControl();

/** Every log line the app writes, parsed. */
function capturingLogger() {
  const lines: { level: number; msg?: string; [k: string]: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines, errors: () => lines.filter((l) => l.level >= 50) };
}

/** Values a client might send by mistake or on purpose. */
const ODD = [
  '\u0000',
  'a\u0000b',
  '99999999999999999999',
  '-1',
  '1e400',
  'NaN',
  '0001-01-01',
  '2026-02-30',
  '9999-12-31T99:99:99Z',
  '',
  ' ',
  '%',
  '[]',
  '{"a":1}',
  "' OR 1=1 --",
  '\uD800',
  'x'.repeat(5000),
];

/** A lone surrogate cannot be encoded; send the bytes a careless client would. */
const enc = (v: string) => (/[\uD800-\uDFFF]/.test(v) ? '%ED%A0%80' : encodeURIComponent(v));

type Operation = { parameters?: { in: string; name: string }[] };

describe.each(['pglite', 'postgres'] as const)('hardening on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let uiDir: string;
  let log: ReturnType<typeof capturingLogger>;
  let base: string;

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_hardening');
    await seedDashboard(t.store);
    uiDir = await mkdtemp(path.join(tmpdir(), 't5g-ui-'));
    await mkdir(path.join(uiDir, 'assets'));
    await writeFile(path.join(uiDir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(uiDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    log = capturingLogger();
    const config: Config = { ...testConfig(), server: { ...testConfig().server, trustProxy: true } };
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: log.logger, sync, uiDir });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
    if (uiDir) await rm(uiDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    log.lines.length = 0;
  });

  const get = (url: string) => app.inject({ url });

  /** A 400 with a message, and no error-level log line for it. */
  async function expectBadRequest(url: string, message?: RegExp) {
    const res = await get(url);
    expect(res.statusCode, url).toBe(400);
    const body = res.json() as { message: string };
    expect(body.message, url).toBeTruthy();
    if (message) expect(body.message, url).toMatch(message);
    expect(log.errors(), url).toEqual([]);
    return body;
  }

  it('caps the stats history range instead of answering millions of days', async () => {
    await expectBadRequest('/api/v1/stats/history?from=0001-01-01&to=9999-12-31', /at most 3660 days/);
    await expectBadRequest('/api/v1/stats/history?from=2026-03-01&to=2026-02-01', /must not be after/);
    await expectBadRequest('/api/v1/stats/history?to=0001-01-01', /1970/);
    const ok = await get('/api/v1/stats/history?from=2020-01-01&to=2029-12-31');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().days).toHaveLength(3653);
  });

  it('caps the weekly report range', async () => {
    await expectBadRequest('/api/v1/reports/weekly?from=2000-01-01&to=2026-01-01', /at most 366 days/);
    await expectBadRequest('/api/v1/reports/weekly?from=2026-02-30', /date/);
    expect((await get('/api/v1/reports/weekly?from=2026-01-01T00:00:00Z&to=2026-01-08')).statusCode).toBe(
      200,
    );
  });

  it('answers the audit cases with 400 and no error log line', async () => {
    for (const url of [
      '/api/v1/cards?q=%00',
      '/api/v1/cases?q=a%00b',
      '/api/v1/cards?account=%00',
      '/api/v1/cards?assignee=Alice&assignee=%00',
      '/api/v1/search?q=%00',
      '/api/v1/accounts/%00',
      '/api/v1/engineers/a%00b',
      '/api/v1/stats?account=%00',
      '/api/v1/stats/history?from=2026-02-30',
      '/api/v1/stats/history?to=2026-13-01',
      '/api/v1/quarantine?offset=99999999999999999999',
      '/api/v1/quarantine?source=%00',
      '/api/v1/runs?job=%00',
      '/api/v1/cards?offset=99999999999999999999',
      '/api/v1/cards?limit=1e400',
      '/api/v1/cases/new?days=1e400',
    ])
      await expectBadRequest(url);
  });

  it('states the bounds in the OpenAPI document', async () => {
    const doc = (await get('/api/openapi.json')).json();
    const history = doc.paths['/api/v1/stats/history'].get.parameters;
    const from = history.find((p: { name: string }) => p.name === 'from');
    expect(from.schema.format).toBe('date');
    expect(from.description).toContain('3660');
    const offset = doc.paths['/api/v1/quarantine'].get.parameters.find(
      (p: { name: string }) => p.name === 'offset',
    );
    expect(offset.schema.maximum).toBe(1_000_000);
  });

  it('bounds every parameter of every route', async () => {
    const doc = (await get('/api/openapi.json')).json();
    const unbounded: string[] = [];
    const check = (where: string, s: Record<string, unknown>) => {
      if (Array.isArray(s.anyOf)) {
        for (const [i, b] of s.anyOf.entries()) check(`${where}|${i}`, b);
        return;
      }
      if (s.enum) return;
      // A format (date, date-time) bounds the length; a pattern need not (`(,key)*`).
      if (s.type === 'string' && s.maxLength === undefined && !s.format) unbounded.push(where);
      if (s.type === 'integer' || s.type === 'number')
        if (s.maximum === undefined || s.minimum === undefined) unbounded.push(where);
      if (s.type === 'array') {
        if (s.maxItems === undefined) unbounded.push(where);
        check(`${where}[]`, s.items as Record<string, unknown>);
      }
    };
    let params = 0;
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>))
      for (const [method, op] of Object.entries(ops))
        for (const param of op.parameters ?? []) {
          params++;
          check(
            `${method} ${p} ${param.name}`,
            (param as unknown as { schema: Record<string, unknown> }).schema,
          );
        }
    expect(params).toBeGreaterThan(50);
    expect(unbounded).toEqual([]);
  });

  it('never answers 500 to odd values in any parameter of any route', async () => {
    const doc = (await get('/api/openapi.json')).json();
    const failures: string[] = [];
    let requests = 0;
    const send = async (method: string, url: string, body?: string, type?: string) => {
      requests++;
      // Event streams stay open: ask over real HTTP and hang up once the status is known.
      const res = await fetch(`${base}${url}`, {
        method,
        ...(body !== undefined ? { body, headers: { 'content-type': type ?? 'application/json' } } : {}),
      });
      if (res.headers.get('content-type')?.startsWith('text/event-stream')) await res.body?.cancel();
      else await res.text();
      if (res.status >= 500) failures.push(`${res.status} ${method} ${url}`);
    };
    for (const [template, ops] of Object.entries(doc.paths as Record<string, Record<string, Operation>>))
      for (const [method, op] of Object.entries(ops)) {
        const params = op.parameters ?? [];
        const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
        const fill = (odd?: { name: string; value: string }) =>
          template.replace(/\{(\w+)\}/g, (_m, name: string) =>
            enc(odd?.name === name ? odd.value : name === 'kind' ? 'all' : 'x'),
          );
        for (const value of ODD) {
          for (const name of pathParams) await send(method, fill({ name, value }));
          for (const p of params.filter((q) => q.in === 'query'))
            await send(method, `${fill()}?${p.name}=${enc(value)}`);
          // A parameter nobody declared, and the same one twice.
          await send(method, `${fill()}?zzz=${enc(value)}`);
        }
        if (method === 'post') {
          await send(method, fill(), '{not json');
          await send(method, fill(), '"\u0000"');
          await send(method, fill(), 'a=b', 'application/x-www-form-urlencoded');
          await send(method, fill(), 'x'.repeat(2_000_000));
        }
      }
    // Paths outside the document: the UI's catch-all, static files, undecodable escapes.
    for (const url of [
      '/%00',
      '/assets/%00',
      '/assets/..%2f..%2fetc%2fpasswd',
      '/%E0%A4%A',
      '/api/%ZZ',
      '/a?b=%ZZ',
    ])
      await send('GET', url);
    expect(requests).toBeGreaterThan(1000);
    expect(failures).toEqual([]);
    expect(log.errors()).toEqual([]);
  });

  it('sends the security headers on every kind of response', async () => {
    const checks: [string, number][] = [
      ['/healthz', 200],
      ['/metrics', 200],
      ['/api/v1/meta', 200],
      ['/api/v1/cards?limit=0', 400],
      ['/api/v1/cards/NOPE-1', 404],
      ['/api/v1/nothing', 404],
      ['/api/openapi.json', 200],
      ['/api/docs/', 200],
      ['/api/', 200],
      ['/table/all', 200],
      ['/api/%ZZ', 400],
    ];
    for (const [url, status] of checks) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['referrer-policy'], url).toBe('same-origin');
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security'], url).toBeUndefined();
    }
    // The pages may run their own scripts; data answers may run nothing.
    for (const url of ['/api/docs/', '/table/all'])
      expect((await get(url)).headers['content-security-policy'], url).toContain("script-src 'self'");
    expect((await get('/api/v1/meta')).headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('never shows credentials of a configured JIRA or Bugzilla URL', async () => {
    // Start-up refuses such a URL (test/config/hardening.test.ts); a Config made another way still
    // never publishes one.
    const base = testConfig();
    const config: Config = {
      ...base,
      jira: { ...base.jira, url: 'https://me:s3cret@jira.example.com' },
      bugzilla: { ...base.bugzilla, url: 'https://bz:s3cret@bugzilla.example.com' },
    };
    const other = await buildApp({ config, store: t.store, metrics: t.metrics, logger: log.logger });
    try {
      const meta = (await other.inject({ url: '/api/v1/meta' })).json();
      expect(meta.jiraUrl).toBe('https://jira.example.com');
      const cards = (await other.inject({ url: '/api/v1/cards' })).json();
      expect(cards.items[0].jiraUrl).toMatch(/^https:\/\/jira\.example\.com\/browse\/KNIECO-\d+$/);
      for (const url of [
        '/api/v1/meta',
        '/api/v1/cards',
        '/api/v1/cards?format=csv',
        '/api/v1/cases',
        '/api/v1/cards/KNIECO-1',
        '/api/v1/cases/new?days=365',
        '/api/v1/search?q=upgrade',
        '/api/v1/reports/all',
        '/api/v1/accounts/Initech',
        '/api/cards',
        '/api/bugs',
      ]) {
        const res = await other.inject({ url });
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).not.toContain('s3cret');
        expect(res.body, url).not.toContain('me:');
      }
    } finally {
      await other.close();
    }
  });

  it('sends HSTS only over https (here: as the trusted proxy reports it)', async () => {
    const res = await app.inject({ url: '/api/v1/meta', headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    // Without TRUST_PROXY the header is anybody's to send, so it is ignored.
    const untrusting = await buildApp({
      config: testConfig(),
      store: t.store,
      metrics: t.metrics,
      logger: log.logger,
    });
    try {
      const plain = await untrusting.inject({
        url: '/api/v1/meta',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await untrusting.close();
    }
  });
});
