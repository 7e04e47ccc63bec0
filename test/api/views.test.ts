import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../support/backends.js';
import { buildTestApp, DAY, type Seeded, seedDashboard, testConfig, XSS } from './support.js';

// Detail, home, reports, search, account/engineer pages and stats on seeded data.

interface SearchHitLike {
  kind: string;
  caseNumber: string | null;
  date: string | null;
}

describe.each(['pglite', 'postgres'] as const)('dashboard views on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_views');
    seeded = await seedDashboard(t.store);
    app = await buildTestApp(t.store, testConfig(), () => seeded.now);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('details a card: case, details, comments of both sources newest first, escalation', async () => {
    const { status, body } = await get('/api/v1/cards/KNIECO-1');
    expect(status).toBe(200);
    expect(body.card).toMatchObject({ key: 'KNIECO-1', prioList: 'yes', critSit: true });
    expect(body.case).toMatchObject({
      caseNumber: seeded.cases.c1.caseNumber,
      severity: 'Urgent',
      description: seeded.cases.c1.description,
      sla: 'breach',
    });
    expect(body.details).toMatchObject({
      critSit: true,
      group: 'Telco Group',
      notifiedUsers: [{ ssoUsername: 'alice', title: 'TAM' }],
    });
    expect(body.comments.map((c: { source: string; id: string }) => `${c.source}:${c.id}`)).toEqual([
      'portal:p-101',
      'jira:1001',
      'jira:1002',
    ]);
    // Stored text is returned as data, unchanged.
    expect(body.comments[1].body).toBe(XSS);
    expect(body.escalations).toEqual([
      expect.objectContaining({ key: 'RHOCPPRIO-1', open: true, status: 'In Progress' }),
    ]);
  });

  it('details a case: bugs and linked issues with severity mismatch and telco priority', async () => {
    const { body } = await get(`/api/v1/cases/${seeded.cases.c5.caseNumber}`);
    expect(body.card).toMatchObject({ key: 'KNIECO-5', caseStatus: 'Customer Escalated' });
    expect(body.bugs).toEqual([
      expect.objectContaining({
        id: '2000005',
        url: 'https://bugzilla.redhat.com/show_bug.cgi?id=2000005',
        severity: 'high',
        targetRelease: ['4.18.z'],
        qaContact: 'kqa@example.com',
      }),
    ]);
    expect(body.issues).toEqual([
      expect.objectContaining({
        key: 'OCPBUGS-5',
        priority: 'Major',
        severity: 'Low',
        severityLevel: 1,
        // Case High (3) vs issue Low (1): the issue is rated lower → the red highlight.
        severityMismatch: 'lower',
        telcoPriority: 'Telco:Priority-1',
        telcoPriorityLevel: 1,
        fixVersions: ['4.19'],
      }),
    ]);
    const noCard = await get(`/api/v1/cases/${seeded.cases.c6.caseNumber}`);
    expect(noCard.body).toMatchObject({ card: null, cards: [], comments: [] });
    expect((await get('/api/v1/cases/12345678')).status).toBe(404);
    expect((await get('/api/v1/cards/NOPE-1')).status).toBe(404);
    const orphan = await get('/api/v1/cards/KNIECO-7');
    expect(orphan.body).toMatchObject({ case: null, card: { key: 'KNIECO-7', caseNumber: null } });
  });

  it('serves the home page: new cases and cards per internal status', async () => {
    const { body } = await get('/api/v1/cases/new?days=7');
    expect(body.items.map((c: { caseNumber: string }) => c.caseNumber)).toEqual([seeded.cases.c6.caseNumber]);
    const month = await get('/api/v1/cases/new?days=31');
    expect(month.body.items.map((c: { severity: string }) => c.severity)).toEqual([
      'Urgent',
      'Urgent',
      'High',
      'High',
    ]);
    const counts = await get('/api/v1/cards/status-counts');
    expect(counts.body).toEqual({
      total: 6,
      counts: [
        { status: 'New', count: 1 },
        { status: 'Backlog', count: 1 },
        { status: 'Debugging', count: 1 },
        { status: 'Eng Working', count: 1 },
        { status: 'Backport', count: 1 },
        { status: 'Done', count: 1 },
      ],
    });
  });

  it('groups reports by account then case status, unknown statuses included', async () => {
    const all = await get('/api/v1/reports/all');
    expect(all.body.total).toBe(6);
    const shape = all.body.accounts.map(
      (a: { account: string; statuses: { status: string; cards: { key: string }[] }[] }) => [
        a.account,
        a.statuses.map((s) => [s.status, s.cards.map((c) => c.key)]),
      ],
    );
    expect(shape).toEqual([
      [
        'Acme Telco',
        [
          ['Waiting on Red Hat', ['KNIECO-1']],
          ['Waiting on Customer', ['KNIECO-2']],
        ],
      ],
      ['Globex', [['Closed', ['KNIECO-3', 'KNIECO-4']]]],
      ['Initech', [['Customer Escalated', ['KNIECO-5']]]],
      [null, [[null, ['KNIECO-7']]]],
    ]);
    // Cards without comments are in the report (the original hid them).
    const k3 = all.body.accounts[1].statuses[0].cards[0];
    expect(k3).toMatchObject({ key: 'KNIECO-3', comments: [] });
    const k5 = all.body.accounts[2].statuses[0].cards[0];
    expect(k5.bugs).toEqual([expect.objectContaining({ id: '2000005', targetRelease: ['4.18.z'] })]);

    const recent = await get('/api/v1/reports/recent');
    const recentCards = recent.body.accounts.flatMap((a: { statuses: { cards: unknown[] }[] }) =>
      a.statuses.flatMap((s) => s.cards),
    );
    expect(recentCards.map((c: { key: string }) => c.key)).toEqual(['KNIECO-1', 'KNIECO-4', 'KNIECO-5']);
    // Only the comments of the last 7 days.
    expect(recentCards[0].comments.map((c: { body: string }) => c.body)).toEqual([XSS]);

    const trends = await get('/api/v1/reports/trends?account=Initech');
    expect(trends.body.total).toBe(1);
    expect(trends.body.accounts[0].statuses[0].cards[0].comments).toHaveLength(1);
    expect((await get('/api/v1/reports/everything')).status).toBe(400);
  });

  it('builds the weekly report for a date range with the newest comment in it', async () => {
    const day = (d: number) => new Date(seeded.now.getTime() - d * DAY).toISOString();
    const { body } = await get(`/api/v1/reports/weekly?from=${day(21)}&to=${day(5)}`);
    const cards = body.accounts.flatMap((a: { statuses: { cards: unknown[] }[] }) =>
      a.statuses.flatMap((s) => s.cards),
    );
    expect(cards.map((c: { key: string }) => c.key)).toEqual(['KNIECO-1', 'KNIECO-2']);
    expect(cards[0].comment.body).toBe('Older note: collected must-gather');
    const week = await get('/api/v1/reports/weekly');
    expect(week.body.total).toBe(3);
  });

  it('searches cases and both comment kinds; snippets escape everything but <mark>', async () => {
    const { body } = await get('/api/v1/search?q=sosreport');
    expect(body.items).toHaveLength(1);
    const hit = body.items[0];
    expect(hit).toMatchObject({
      kind: 'jira_comment',
      jiraKey: 'KNIECO-1',
      caseNumber: seeded.cases.c1.caseNumber,
    });
    expect(hit.snippet).toContain('<mark>sosreport</mark>');
    // The passage around the match holds the end of the <img onerror> payload: escaped.
    expect(hit.snippet).toContain('onerror=alert(2)&gt;');
    expect(hit.snippet).not.toMatch(/<(?!\/?mark>)/);
    const kinds = await get('/api/v1/search?q=upgrade');
    expect(kinds.body.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['case', 'comment']);
    expect((await get('/api/v1/search')).status).toBe(400);
  });

  it('search finds a case by number, a card by key, a bug by id, engineers and accounts by name', async () => {
    const first = async (q: string) => {
      const { status, body } = await get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      expect(status).toBe(200);
      return body.items[0];
    };
    const c1 = seeded.cases.c1.caseNumber;
    expect(await first(c1)).toMatchObject({ kind: 'case', caseNumber: c1, account: 'Acme Telco' });
    // A card by its key in any case, or by the number after the dash; its case comes along.
    expect(await first('knieco-1')).toMatchObject({
      kind: 'card',
      jiraKey: 'KNIECO-1',
      caseNumber: c1,
      jiraUrl: 'https://jira.example.com/browse/KNIECO-1',
      status: 'Debugging',
    });
    expect(await first('KNIECO-7')).toMatchObject({ kind: 'card', jiraKey: 'KNIECO-7', caseNumber: null });
    const bug = await first('bz2000005');
    expect(bug).toMatchObject({
      kind: 'bug',
      bugId: '2000005',
      caseNumber: seeded.cases.c5.caseNumber,
      bugUrl: 'https://bugzilla.redhat.com/show_bug.cgi?id=2000005',
    });
    expect(bug.snippet).toContain('<mark>2000005</mark>');
    expect(await first('2000005')).toMatchObject({ kind: 'bug', bugId: '2000005' });
    // People by part of their name, with what they hold.
    const alice = await first('alic');
    expect(alice).toMatchObject({ kind: 'engineer', name: 'Alice', count: 2 });
    expect(alice.snippet).toBe('<mark>Alic</mark>e · 2 cards assigned');
    expect(await first('acme')).toMatchObject({ kind: 'account', name: 'Acme Telco', count: 2 });
    // LIKE's wildcards are text.
    expect((await get('/api/v1/search?q=%25')).body.total).toBe(0);
  });

  it('search pages through every match with the total', async () => {
    const all = (await get('/api/v1/search?q=upgrade&limit=100')).body;
    expect(all.total).toBe(all.items.length);
    expect(all.total).toBeGreaterThanOrEqual(2);
    const seen: string[] = [];
    for (let offset = 0; offset < all.total; offset++) {
      const { body } = await get(`/api/v1/search?q=upgrade&limit=1&offset=${offset}`);
      expect(body).toMatchObject({ total: all.total, limit: 1, offset });
      expect(body.items).toHaveLength(1);
      seen.push(`${body.items[0].kind}:${body.items[0].caseNumber}:${body.items[0].date}`);
    }
    expect(seen).toEqual(all.items.map((i: SearchHitLike) => `${i.kind}:${i.caseNumber}:${i.date}`));
    const past = (await get(`/api/v1/search?q=upgrade&offset=${all.total}`)).body;
    expect(past).toMatchObject({ total: all.total, items: [] });
    expect((await get('/api/v1/search?q=upgrade&offset=-1')).status).toBe(400);
  });

  it('lists accounts and engineers and details one of each', async () => {
    const { body } = await get('/api/v1/accounts');
    expect(body.items.map((a: { name: string }) => a.name)).toEqual(['Acme Telco', 'Initech', 'Globex']);
    expect(body.items[0]).toMatchObject({ cases: 2, openCases: 2, escalated: 1, critSit: 1, cards: 2 });
    const acme = await get('/api/v1/accounts/Acme%20Telco');
    expect(acme.body).toMatchObject({
      name: 'Acme Telco',
      cardsBySeverity: { Urgent: 1, High: 1 },
      cardsByCaseStatus: { 'Waiting on Red Hat': 1, 'Waiting on Customer': 1 },
    });
    expect(acme.body.stats.open_cases).toBe(2);
    const initech = await get('/api/v1/accounts/Initech');
    expect(initech.body.bugs.map((b: { kind: string; id: string }) => `${b.kind}:${b.id}`)).toEqual([
      'bug:2000005',
      'issue:OCPBUGS-5',
    ]);
    expect((await get('/api/v1/accounts/Nobody')).status).toBe(404);

    const engineers = await get('/api/v1/engineers');
    expect(engineers.body.items.map((e: { name: string }) => e.name)).toEqual(['Bob', 'Alice']);
    const bob = await get('/api/v1/engineers/Bob');
    expect(bob.body).toMatchObject({ summary: { cards: 2, openCases: 2 }, cardsBySeverity: { High: 2 } });
    expect((await get('/api/v1/engineers/Nobody')).status).toBe(404);

    // The list views export as CSV too.
    const csv = await app.inject({ method: 'GET', url: '/api/v1/accounts', headers: { accept: 'text/csv' } });
    expect(csv.body.split('\r\n').slice(0, 2)).toEqual([
      'Account,Cases,Open Cases,High Priority,On Prio-list,Crit Sit,Cards,Last Update',
      expect.stringMatching(/^Acme Telco,2,2,2,1,1,2,/),
    ]);
    const people = await app.inject({ method: 'GET', url: '/api/v1/engineers?format=csv' });
    expect(people.body.trimEnd().split('\r\n')).toHaveLength(3);
    const fresh = await app.inject({ method: 'GET', url: '/api/v1/cases/new?days=7&format=csv' });
    expect(fresh.body.trimEnd().split('\r\n')[1]).toContain('Node not ready after reboot');
  });

  it('serves live stats, the history with gaps as null, and outcomes', async () => {
    const live = await get('/api/v1/stats');
    expect(live.body).toMatchObject({ open_cases: 4, escalated: 1, crit_sit: 1, total_escalations: 1 });
    const acme = await get('/api/v1/stats?account=Acme%20Telco');
    expect(acme.body.open_cases).toBe(2);
    const day = (d: number) => new Date(seeded.now.getTime() - d * DAY).toISOString().slice(0, 10);
    const h = await get(`/api/v1/stats/history?from=${day(4)}&to=${day(0)}`);
    expect(h.body.days).toEqual([day(4), day(3), day(2), day(1), day(0)]);
    expect(h.body.series.open_cases).toEqual([null, 4, null, 5, null]);
    const o = await get('/api/v1/stats/outcomes');
    expect(o.body.relief.Urgent).toMatchObject({ count: 1, mean: 2 });
    expect(o.body.resolution.Low).toMatchObject({ count: 1, median: 58 });
  });
});
