import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { upsertEscalations } from '../../src/store/repositories/escalations.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard } from '../support/fixtures.js';
import { buildTestApp, type Seeded, seedDashboard, testConfig, XSS } from './support.js';

// The card and case tables on seeded data: filters, facets, sort, paging, text search, CSV.
describe.each(['pglite', 'postgres'] as const)('dashboard tables on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };
  const keys = (body: { items: { key: string }[] }) => body.items.map((i) => i.key);

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_tables');
    seeded = await seedDashboard(t.store);
    app = await buildTestApp(t.store, testConfig(), () => seeded.now);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('lists every card, cards without comments or without a case included, in the default order', async () => {
    const { status, body } = await get('/api/v1/cards');
    expect(status).toBe(200);
    expect(body.total).toBe(6);
    // Most severe first; among the High ones, K-2 (potentially on the prio-list) before K-5.
    expect(keys(body)).toEqual(['KNIECO-1', 'KNIECO-2', 'KNIECO-5', 'KNIECO-3', 'KNIECO-4', 'KNIECO-7']);
  });

  it('shapes a row as the table and its expandable row need it', async () => {
    const { body } = await get('/api/v1/cards?caseStatus=Waiting%20on%20Red%20Hat');
    const k1 = body.items[0];
    expect(k1).toMatchObject({
      key: 'KNIECO-1',
      jiraUrl: 'https://jira.example.com/browse/KNIECO-1',
      caseNumber: seeded.cases.c1.caseNumber,
      caseUrl: `https://access.redhat.com/support/cases/#/case/${seeded.cases.c1.caseNumber}`,
      severity: 'Urgent',
      severityOrder: 4,
      prioList: 'yes',
      escalationUrl: 'https://jira.example.com/browse/RHOCPPRIO-1',
      critSit: true,
      summary: 'Cluster upgrade stalls on worker node',
      account: 'Acme Telco',
      caseStatus: 'Waiting on Red Hat',
      internalStatus: 'Debugging',
      assignee: 'Alice',
      contributors: ['Carol'],
      daysOpen: 30,
      sla: 'breach',
      dailyTelco: false,
      trends: true,
      labels: ['field', 'Trends'],
    });
    // The newest JIRA comment, as data: the API never turns it into markup.
    expect(k1.lastComment).toMatchObject({ body: XSS, format: 'wiki', author: 'Alice' });
    expect(new Date(k1.lastComment.date).getTime()).toBeCloseTo(seeded.now.getTime() - 2 * 86_400_000, -4);
  });

  it('derives prio-list, crit sit and the SLA badge', async () => {
    const { body } = await get('/api/v1/cards?limit=500');
    const byKey = Object.fromEntries(body.items.map((i: { key: string }) => [i.key, i]));
    expect(byKey['KNIECO-2']).toMatchObject({
      prioList: 'potentially',
      critSit: false,
      sla: 'warning',
      daysOpen: 12,
    });
    // Closed cases and non-partner accounts never carry the badge.
    expect(byKey['KNIECO-3']).toMatchObject({ prioList: 'no', sla: 'none' });
    expect(byKey['KNIECO-5']).toMatchObject({ sla: 'none', caseStatus: 'Customer Escalated' });
    expect(byKey['KNIECO-7']).toMatchObject({
      caseNumber: null,
      severity: null,
      severityOrder: 0,
      sla: 'none',
    });
    expect(byKey['KNIECO-3'].lastComment).toBeNull();
  });

  it('filters on every facet', async () => {
    const cases: [string, string[]][] = [
      ['severity=High', ['KNIECO-2', 'KNIECO-5']],
      ['severity=Urgent&severity=Low', ['KNIECO-1', 'KNIECO-4']],
      ['prioList=yes', ['KNIECO-1']],
      ['prioList=potentially', ['KNIECO-2']],
      ['prioList=no&severity=Normal', ['KNIECO-3']],
      ['critSit=yes', ['KNIECO-1']],
      ['escalated=yes', ['KNIECO-1']],
      ['product=Red%20Hat%20Enterprise%20Linux', ['KNIECO-4']],
      ['account=Globex', ['KNIECO-3', 'KNIECO-4']],
      ['caseStatus=Customer%20Escalated', ['KNIECO-5']],
      ['internalStatus=Backlog&internalStatus=Backport', ['KNIECO-2', 'KNIECO-5']],
      ['assignee=Bob', ['KNIECO-2', 'KNIECO-5']],
      ['assignee=', ['KNIECO-3', 'KNIECO-7']],
      ['label=Trends', ['KNIECO-1', 'KNIECO-5']],
      ['label=Daily%20Telco', ['KNIECO-2']],
      ['closedNotDone=yes', ['KNIECO-3']],
      ['updatedWithinDays=2', ['KNIECO-1', 'KNIECO-4']],
      ['recent=true', ['KNIECO-1', 'KNIECO-5', 'KNIECO-4']],
      ['q=PTP%20drift', ['KNIECO-2']],
      // Portal comments and JIRA comments are searched too.
      ['q=grandmaster%20holdover', ['KNIECO-2']],
      ['q=KCS', ['KNIECO-4']],
      ['q=knieco-5', ['KNIECO-5']],
    ];
    for (const [query, expected] of cases) {
      const { status, body } = await get(`/api/v1/cards?${query}`);
      expect(status, query).toBe(200);
      expect(keys(body).sort(), query).toEqual([...expected].sort());
      expect(body.total, query).toBe(expected.length);
    }
  });

  it('counts each facet with every other filter applied', async () => {
    const { body } = await get('/api/v1/cards?account=Acme%20Telco&severity=High');
    expect(body.total).toBe(1);
    const f = body.facets;
    // Severity counts ignore the severity selection but keep the account one.
    expect(f.severity).toEqual([
      { value: 'Urgent', count: 1 },
      { value: 'High', count: 1 },
    ]);
    // Account counts ignore the account selection but keep severity = High.
    expect(f.account).toEqual(
      expect.arrayContaining([
        { value: 'Acme Telco', count: 1 },
        { value: 'Initech', count: 1 },
      ]),
    );
    expect(f.account).toHaveLength(2);
    expect(f.prioList).toEqual([{ value: 'potentially', count: 1 }]);
    expect(f.label).toEqual([
      { value: 'Daily Telco', count: 1 },
      { value: 'Potential Escalation', count: 1 },
    ]);
    // A selected value with no rows still shows, with 0.
    const none = await get('/api/v1/cards?account=Nobody');
    expect(none.body.total).toBe(0);
    expect(none.body.facets.account).toContainEqual({ value: 'Nobody', count: 0 });
    // The unfiltered view counts nulls as null.
    const all = await get('/api/v1/cards');
    expect(all.body.facets.assignee).toContainEqual({ value: null, count: 2 });
    expect(all.body.facets.closedNotDone).toEqual([
      { value: 'yes', count: 1 },
      { value: 'no', count: 5 },
    ]);
  });

  it('sorts on several allowlisted columns and pages', async () => {
    const { body } = await get('/api/v1/cards?sort=account:asc,daysOpen:desc&limit=3');
    expect(keys(body)).toEqual(['KNIECO-1', 'KNIECO-2', 'KNIECO-3']);
    expect(body.total).toBe(6);
    const next = await get('/api/v1/cards?sort=account:asc,daysOpen:desc&limit=3&offset=3');
    expect(keys(next.body)).toEqual(['KNIECO-4', 'KNIECO-5', 'KNIECO-7']);
    const desc = await get('/api/v1/cards?sort=lastComment:DESC&limit=2');
    expect(keys(desc.body)).toEqual(['KNIECO-4', 'KNIECO-1']);
  });

  it('rejects unknown sort keys, bad directions and oversized pages', async () => {
    for (const q of [
      'sort=severity;DROP',
      'sort=password:asc',
      'sort=severity:sideways',
      'limit=501',
      'severity=Huge',
    ]) {
      const { status } = await get(`/api/v1/cards?${q}`);
      expect(status, q).toBe(400);
    }
  });

  it('exports the filtered view as CSV with a header and quoted cells', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/cards?account=Acme%20Telco&format=csv' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^Case,Case URL,Severity,On Prio-list\?,Crit Sit\?,Summary,/);
    expect(lines).toHaveLength(3);
    // The comment holds quotes and commas: the cell is quoted, quotes doubled.
    expect(lines[1]).toContain(`"${XSS.replaceAll('"', '""')}"`);
    const viaAccept = await app.inject({
      method: 'GET',
      url: '/api/v1/cards?account=Globex',
      headers: { accept: 'text/csv' },
    });
    expect(viaAccept.headers['content-type']).toMatch(/^text\/csv/);
    expect(viaAccept.body.trimEnd().split('\r\n')).toHaveLength(3);
  });

  it('follows writes: a new escalation and a new card show on the next read', async () => {
    await t.store.write(async (tx, ch) => {
      ch.record(
        'escalation',
        await upsertEscalations(tx, [
          {
            issueKey: 'RHOCPPRIO-3',
            url: null,
            summary: 'DPDK',
            status: 'New',
            caseNumbers: [seeded.cases.c5.caseNumber],
            updatedAt: new Date(),
            raw: {},
          },
        ]),
      );
    });
    let { body } = await get('/api/v1/cards?prioList=yes');
    expect(keys(body).sort()).toEqual(['KNIECO-1', 'KNIECO-5']);
    await t.store.write(async (tx, ch) => {
      ch.record(
        'card',
        await upsertCards(tx, [makeCard(seeded.cases.c6, { jiraKey: 'KNIECO-6', status: 'New' })]),
      );
    });
    ({ body } = await get('/api/v1/cards?account=Initech'));
    expect(keys(body).sort()).toEqual(['KNIECO-5', 'KNIECO-6']);
    expect(body.facets.prioList).toEqual([
      { value: 'yes', count: 1 },
      { value: 'no', count: 1 },
    ]);
  });

  it('lists cases, with or without a card, with the same filters', async () => {
    const { body } = await get('/api/v1/cases?account=Initech');
    expect(body.total).toBe(2);
    const c6 = body.items.find((c: { caseNumber: string }) => c.caseNumber === seeded.cases.c6.caseNumber);
    expect(c6).toMatchObject({ severity: 'Urgent', status: 'Waiting on Red Hat', prioList: 'no' });
    const all = await get('/api/v1/cases?sort=caseNumber:asc&limit=2');
    expect(all.body.total).toBe(6);
    expect(all.body.items.map((c: { caseNumber: string }) => c.caseNumber)).toEqual([
      seeded.cases.c1.caseNumber,
      seeded.cases.c2.caseNumber,
    ]);
    expect(all.body.items[0].card).toMatchObject({ key: 'KNIECO-1', internalStatus: 'Debugging' });
    const csv = await app.inject({ method: 'GET', url: '/api/v1/cases?format=csv&critSit=yes' });
    expect(csv.body.split('\r\n')[0]).toMatch(/^Case,Case URL,Created,Severity/);
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(2);
  });

  it('searches the case text a row shows, kept up to date with the case, and a typed key finds its card', async () => {
    const c2 = seeded.cases.c2;
    const caseRows = (body: { items: { caseNumber: string; card: { key: string } | null }[] }) =>
      body.items.map((i) => `${i.caseNumber}/${i.card?.key ?? '-'}`).sort();
    await t.store.write(async (tx, ch) => {
      ch.record('card', await upsertCards(tx, [makeCard(c2, { jiraKey: 'KNIECO-8', status: 'New' })]));
    });
    // Both cards of the case are found by the case's text, in both tables.
    expect(keys((await get('/api/v1/cards?q=drift')).body).sort()).toEqual(['KNIECO-2', 'KNIECO-8']);
    const both = (await get('/api/v1/cases?q=drift')).body;
    expect(caseRows(both)).toEqual([`${c2.caseNumber}/KNIECO-2`, `${c2.caseNumber}/KNIECO-8`]);
    expect(both.total).toBe(2);
    // A JIRA key typed as is: only that card's row of the case.
    const one = (await get('/api/v1/cases?q=knieco-8')).body;
    expect(caseRows(one)).toEqual([`${c2.caseNumber}/KNIECO-8`]);
    expect(one.total).toBe(1);
    // A case number typed as is: every row of the case.
    expect((await get(`/api/v1/cases?q=${c2.caseNumber}`)).body.total).toBe(2);
    // The case's new text replaces the old one in the card table's search.
    await t.store.write(async (tx, ch) => {
      ch.record('case', await upsertCases(tx, [{ ...c2, summary: 'Timing offset after firmware update' }]));
    });
    expect(keys((await get('/api/v1/cards?q=firmware')).body).sort()).toEqual(['KNIECO-2', 'KNIECO-8']);
    expect((await get('/api/v1/cards?q=drift')).body.total).toBe(0);
    expect((await get('/api/v1/cases?q=firmware')).body.total).toBe(2);
    // Portal comments still match (the case's comment about the grandmaster's holdover).
    expect(keys((await get('/api/v1/cards?q=grandmaster%20holdover')).body).sort()).toEqual([
      'KNIECO-2',
      'KNIECO-8',
    ]);
  });
});
