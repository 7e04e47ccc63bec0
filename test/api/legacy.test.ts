import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerApiDocs } from '../../src/api/docs.js';
import { legacyRoutes } from '../../src/api/legacy.js';
import { apiV1Routes } from '../../src/api/v1.js';
import { markSnippet } from '../../src/api/views/search.js';
import { MARK_END, MARK_START } from '../../src/store/queries/search.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard } from '../support/fixtures.js';
import { buildTestApp, type Seeded, seedDashboard, testConfig, XSS } from './support.js';

// The original's /api/* shapes, the OpenAPI document, and the change feed over SSE.
describe.each(['pglite', 'postgres'] as const)('legacy API, OpenAPI and events on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };

  // Every route's options, kept as objects: hooks registered later (the docs' role default) amend them.
  const routes: { method: string | string[]; url: string; config?: { role?: string } }[] = [];
  beforeAll(async () => {
    t = await openTestStore(backend, 'api_legacy');
    seeded = await seedDashboard(t.store);
    app = await buildTestApp(t.store, testConfig(), () => seeded.now);
    const probe = Fastify();
    probe.addHook('onRoute', (r) => {
      routes.push(r);
    });
    await registerApiDocs(probe);
    await probe.register(apiV1Routes, { store: t.store, config: testConfig() });
    await probe.register(legacyRoutes, { store: t.store, config: testConfig() });
    await probe.ready();
    await probe.close();
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('/api/cards keeps the enriched card shape of the original', async () => {
    const { status, body, headers } = await get('/api/cards');
    expect(status).toBe(200);
    expect(headers['content-type']).toMatch(/^application\/json/);
    // Cards whose case is not stored are left out, as in the original.
    expect(Object.keys(body).sort()).toEqual(['KNIECO-1', 'KNIECO-2', 'KNIECO-3', 'KNIECO-4', 'KNIECO-5']);
    const c1 = seeded.cases.c1;
    const k1 = body['KNIECO-1'];
    expect(Object.keys(k1).sort()).toEqual(
      [
        'account',
        'assignee',
        'bugzilla',
        'card_created',
        'card_status',
        'case_created',
        'case_days_open',
        'case_number',
        'case_status',
        'case_updated_date',
        'comments',
        'contributor',
        'crit_sit',
        'daily_telco',
        'description',
        'escalated',
        'escalated_link',
        'group_name',
        'issues',
        'labels',
        'notified_users',
        'potential_escalation',
        'priority',
        'product',
        'relief_at',
        'resolved_at',
        'severity',
        'summary',
        'tags',
      ].sort(),
    );
    expect(k1).toMatchObject({
      card_status: 'Debugging',
      account: 'Acme Telco',
      summary: c1.summary,
      description: c1.description,
      assignee: { displayName: 'Alice', accountId: 'a1', emailAddress: 'alice@example.com' },
      contributor: [{ displayName: 'Carol', accountId: null, emailAddress: null }],
      case_number: c1.caseNumber,
      severity: 'Urgent',
      escalated: true,
      escalated_link: 'https://jira.example.com/browse/RHOCPPRIO-1',
      potential_escalation: false,
      daily_telco: false,
      crit_sit: true,
      group_name: 'Telco Group',
      case_days_open: 30,
      case_created: c1.createdDate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      case_updated_date: c1.lastUpdate.toISOString().slice(0, 16).replace('T', ' '),
      notified_users: [{ ssoUsername: 'alice', title: 'TAM' }],
      bugzilla: null,
      issues: [expect.objectContaining({ id: 'RHOCPPRIO-1' })],
    });
    expect(k1.card_created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    // [body, updated] pairs in JIRA's order, oldest first; the body is data, never rewritten.
    expect(k1.comments).toEqual([
      ['Older note: collected must-gather', expect.stringMatching(/\+0000$/)],
      [XSS, expect.stringMatching(/\+0000$/)],
    ]);
    expect(body['KNIECO-2']).toMatchObject({
      potential_escalation: true,
      daily_telco: true,
      escalated: false,
    });
    expect(body['KNIECO-3']).toMatchObject({ comments: [], assignee: { displayName: null } });
    expect(body['KNIECO-5'].bugzilla).toEqual([
      {
        bugzillaLink: 'https://bugzilla.redhat.com/show_bug.cgi?id=2000005',
        bugzillaNumber: '2000005',
        caseNumber: seeded.cases.c5.caseNumber,
        linkedAt: expect.stringMatching(/Z$/),
        status: 'ASSIGNED',
        summary: 'ixgbe drops packets',
        target_release: ['4.18.z'],
        assignee: 'kdev@example.com',
        last_change_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        internal_whiteboard: 'Telco',
        qa_contact: 'kqa@example.com',
        severity: 'high',
      },
    ]);
  });

  it('/api/cases, /api/details, /api/bugs, /api/issues, /api/escalations use the original names', async () => {
    const cases = (await get('/api/cases')).body;
    expect(Object.keys(cases)).toHaveLength(6);
    const c3 = seeded.cases.c3;
    expect(cases[c3.caseNumber]).toEqual({
      account: 'Globex',
      createdate: c3.createdDate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      description: c3.description,
      last_update: c3.lastUpdate.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      owner: c3.owner,
      problem: c3.summary,
      product: 'OpenShift Container Platform 4.18',
      product_version: '4.18',
      severity: '3 (Normal)',
      status: 'Closed',
      tags: ['shift_telco5g'],
      closeddate: c3.closedDate!.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
    const details = (await get('/api/details')).body;
    expect(details[seeded.cases.c1.caseNumber]).toEqual({
      crit_sit: true,
      group_name: 'Telco Group',
      notified_users: [{ ssoUsername: 'alice', title: 'TAM' }],
      relief_at: expect.stringMatching(/Z$/),
      resolved_at: null,
    });
    const bugs = (await get('/api/bugs')).body;
    expect(Object.keys(bugs)).toEqual([seeded.cases.c5.caseNumber]);
    const issues = (await get('/api/issues')).body;
    expect(issues[seeded.cases.c5.caseNumber]).toEqual([
      {
        id: 'OCPBUGS-5',
        url: 'https://jira.example.com/browse/OCPBUGS-5',
        title: 'DPDK regression',
        status: 'POST',
        updated: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        qa_contact: 'qa@example.com',
        jira_severity: 'Low',
        jira_type: 'Bug',
        assignee: 'dev@example.com',
        fix_versions: ['4.19'],
        priority: 'Major',
        private_keywords: ['Telco', 'Telco:Priority-1'],
      },
    ]);
    expect((await get('/api/escalations')).body).toEqual([seeded.cases.c1.caseNumber]);
  });

  it('/api/stats and /api/ keep their shapes', async () => {
    const stats = (await get('/api/stats')).body;
    expect(stats).toMatchObject({ open_cases: 4, escalated: 1, bugs: { unique: 3, no_target: 0 } });
    expect(stats.by_customer).toEqual({ 'Acme Telco': 2, Initech: 2 });
    const index = (await get('/api/')).body;
    expect(index.endpoints).toContain('http://localhost:80/api/cards');
    expect(index.endpoints).toHaveLength(7);
  });

  it('streams /api/cards in batches: more cards than one batch come out as one object', async () => {
    const c = seeded.cases.c2;
    const extra = Array.from({ length: 1200 }, (_, i) =>
      makeCard(c, { jiraKey: `BULK-${i + 1}`, summary: `${c.caseNumber}: bulk ${i}` }),
    );
    await t.store.write(async (tx, ch) => ch.record('card', await upsertCards(tx, extra)));
    const res = await app.inject({ method: 'GET', url: '/api/cards' });
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(Object.keys(res.json())).toHaveLength(5 + 1200);
  });

  it('publishes an OpenAPI document covering every route, with a docs page', async () => {
    const { status, body } = await get('/api/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/v1/cards',
      '/api/v1/cards/{key}',
      '/api/v1/cards/status-counts',
      '/api/v1/cases',
      '/api/v1/cases/new',
      '/api/v1/cases/{number}',
      '/api/v1/accounts',
      '/api/v1/accounts/{name}',
      '/api/v1/engineers',
      '/api/v1/engineers/{name}',
      '/api/v1/reports/{kind}',
      '/api/v1/reports/weekly',
      '/api/v1/search',
      '/api/v1/stats',
      '/api/v1/stats/history',
      '/api/v1/stats/outcomes',
      '/api/v1/events',
      '/api/cards',
      '/api/cases',
      '/api/stats',
    ])
      expect(body.paths, path).toHaveProperty([path, 'get']);
    const cards = body.paths['/api/v1/cards'].get;
    expect(cards.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['severity', 'prioList', 'account', 'q', 'sort', 'limit', 'offset']),
    );
    expect(Object.keys(cards.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('declares a role on every route', () => {
    const missing: string[] = [];
    for (const r of routes) if (!r.config?.role) missing.push(`${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    expect(routes.length).toBeGreaterThan(25);
  });

  it('streams change-feed events over SSE and ends the stream on shutdown', async () => {
    const sse = await buildTestApp(t.store, testConfig(), () => seeded.now);
    await sse.listen({ port: 0, host: '127.0.0.1' });
    const { port } = sse.server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/events?entities=card`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) return false;
        text += decoder.decode(value);
      }
      return true;
    };
    await readUntil('retry:');
    await t.store.write(async (tx, ch) =>
      ch.record('card', await upsertCards(tx, [makeCard(seeded.cases.c6, { jiraKey: 'KNIECO-6' })])),
    );
    expect(await readUntil('KNIECO-6')).toBe(true);
    expect(text).toContain('event: change\ndata: {"entity":"card","keys":["KNIECO-6"]');
    await sse.close();
    // The server ended the stream: the reader sees its end instead of hanging.
    const rest = await reader.read();
    expect(rest.done || (await reader.read()).done).toBe(true);
  });

  it('escapes search snippets except the <mark> tags', () => {
    expect(markSnippet(`${XSS} ${MARK_START}sosreport${MARK_END}`)).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; sosreport &quot;quoted&quot;, too <mark>sosreport</mark>',
    );
  });
});
