import type { FastifyInstance } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRoutes } from '../../src/api/routes/runs.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertJiraComments } from '../../src/store/repositories/jira-comments.js';
import { quarantineRecords } from '../../src/store/repositories/quarantine.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard, makeCase } from '../support/fixtures.js';
import { buildTestApp, testConfig } from './support.js';

// A card whose case is not stored (it closed outside the Portal query before the first sync) still
// shows its case number and Portal link, keeps its JIRA comments, and shows what the card itself
// says about the case (severity, account, status) where the case's own fields would be.
describe.each(['pglite', 'postgres'] as const)('a card without its stored case on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let ops: FastifyInstance;

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_card_without_case');
    const absent = makeCase(42, { caseNumber: '03307193' });
    const silent = makeCase(43, { caseNumber: '03307194' });
    await t.store.write(async (tx, ch) => {
      ch.record(
        'card',
        await upsertCards(tx, [
          {
            ...makeCard(absent, { jiraKey: 'KNIECO-1117' }),
            caseCreatedDate: null,
            statedSeverity: 'High',
            statedAccount: 'Globex Mobile',
            statedCaseStatus: 'Waiting on Red Hat',
          },
          // A card whose description says nothing about its case.
          { ...makeCard(silent, { jiraKey: 'KNIECO-1118' }), caseCreatedDate: null },
        ]),
      );
      // The comment carries a reference to the case, which is not stored: it is kept all the same.
      ch.record(
        'jira_comment',
        await upsertJiraComments(tx, [
          {
            jiraCommentId: '9001',
            jiraKey: 'KNIECO-1117',
            caseNumber: absent.caseNumber,
            caseCreatedDate: absent.createdDate,
            author: 'Jane Doe',
            body: 'Customer confirmed the workaround.',
            bodyFormat: 'wiki',
            createdAt: new Date('2026-01-02T10:00:00Z'),
            lastUpdateDate: new Date('2026-01-02T10:00:00Z'),
          },
        ]),
      );
    });
    app = await buildTestApp(t.store, testConfig());
    ops = Fastify();
    await ops.register(runRoutes, { store: t.store });
    await ops.ready();
  });
  afterAll(async () => {
    await app?.close();
    await ops?.close();
    await t?.close();
  });

  it('lists and details it with the case number and the case fields the card states', async () => {
    const list = (await app.inject({ url: '/api/v1/cards?sort=jiraKey:asc' })).json();
    expect(list.items).toHaveLength(2);
    expect(list.items[0]).toMatchObject({
      key: 'KNIECO-1117',
      caseNumber: '03307193',
      caseUrl: expect.stringContaining('03307193'),
      caseCreated: null,
      account: 'Globex Mobile',
      severity: 'High',
      caseStatus: 'Waiting on Red Hat',
    });
    // Nothing stated, nothing invented.
    expect(list.items[1]).toMatchObject({
      key: 'KNIECO-1118',
      account: null,
      severity: null,
      caseStatus: null,
    });
    const detail = (await app.inject({ url: '/api/v1/cards/KNIECO-1117' })).json();
    expect(detail.card.caseNumber).toBe('03307193');
    expect(detail.case).toBeNull();
  });

  it('keeps its JIRA comments (without a case reference) instead of quarantining them', async () => {
    const stored = await t.store.db.query<{ case_number: string | null }>(
      `SELECT case_number FROM jira_comments WHERE jira_comment_id = '9001'`,
    );
    expect(stored.rows).toEqual([{ case_number: null }]);
    const list = (await app.inject({ url: '/api/v1/cards?sort=jiraKey:asc' })).json();
    expect(list.items[0].lastComment).toMatchObject({ body: 'Customer confirmed the workaround.' });
    const q = (await ops.inject({ url: '/api/v1/quarantine' })).json();
    expect(q.total).toBe(0);
  });

  it('counts the stated fields in the facets, not as "(none)"', async () => {
    const { facets } = (await app.inject({ url: '/api/v1/cards?limit=1' })).json();
    expect(facets.severity).toEqual(
      expect.arrayContaining([
        { value: 'High', count: 1 },
        { value: null, count: 1 },
      ]),
    );
    expect(facets.account).toEqual(expect.arrayContaining([{ value: 'Globex Mobile', count: 1 }]));
    const filtered = (
      await app.inject({ url: '/api/v1/cards?severity=High&account=Globex%20Mobile' })
    ).json();
    expect(filtered.total).toBe(1);
  });

  it('groups the quarantine by source and kind of reason, with counts and the rows of each group', async () => {
    await quarantineRecords(t.store.db, [
      ...[1, 2, 3].map((i) => ({
        source: 'jira.comment',
        externalId: `77${i}`,
        payload: { i },
        reason: `card KNIECO-${500 + i} is not stored`,
      })),
      { source: 'portal.case', externalId: '0999', payload: {}, reason: 'case_severity: invalid option' },
    ]);
    const grouped = (await ops.inject({ url: '/api/v1/quarantine/reasons' })).json();
    expect(grouped.total).toBe(4);
    expect(grouped.items).toMatchObject([
      { source: 'jira.comment', reason: 'card # is not stored', count: 3, sample: '771' },
      { source: 'portal.case', reason: 'case_severity: invalid option', count: 1, sample: '0999' },
    ]);
    const rows = (
      await ops.inject({
        url: `/api/v1/quarantine?source=jira.comment&reason=${encodeURIComponent('card # is not stored')}`,
      })
    ).json();
    expect(rows.total).toBe(3);
    expect(rows.items.map((r: { externalId: string }) => r.externalId).sort()).toEqual(['771', '772', '773']);
  });
});
