import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushCardIndex } from '../../src/store/read-model/card-index.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { upsertJiraComments } from '../../src/store/repositories/jira-comments.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard } from '../support/fixtures.js';
import { buildTestApp, DAY, type Seeded, seedDashboard, testConfig } from './support.js';

// A card page is one statement on card_index (every shown column is copied there, and the same
// statement reports pending card_index_dirty marks). These tests pin what that must keep: every
// write to a source of a shown column shows on the next read, an empty page a write fills is not
// served stale, the cached facet counts are dropped by a write, and the migration that added the
// latest-comment reference fills it exactly as the flush picks it.
describe.each(['pglite', 'postgres'] as const)('card page on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const row = async (key: string) =>
    (await get('/api/v1/cards?limit=500')).items.find((i: { key: string }) => i.key === key);
  const cacheCount = async (result: 'hit' | 'miss') =>
    (await t.metrics.cacheRequests.get()).values
      .filter((v) => v.labels.result === result)
      .reduce((n, v) => n + v.value, 0);

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_card_page');
    seeded = await seedDashboard(t.store);
    app = await buildTestApp(t.store, testConfig(), () => seeded.now);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('shows a write to each source of a shown column on the next read', async () => {
    const { c1 } = seeded.cases;
    expect(await row('KNIECO-1')).toMatchObject({
      productVersion: '4.18',
      priority: 'Major',
      contributors: ['Carol'],
      labels: ['field', 'Trends'],
      lastComment: { author: 'Alice', format: 'wiki' },
    });

    const at = new Date(seeded.now.getTime() - DAY / 2);
    await t.store.write(async (tx, ch) => {
      ch.record(
        'jira_comment',
        await upsertJiraComments(tx, [
          {
            jiraCommentId: '1003',
            jiraKey: 'KNIECO-1',
            caseNumber: c1.caseNumber,
            caseCreatedDate: c1.createdDate,
            author: 'Dave',
            body: 'Fix verified on the customer cluster',
            bodyFormat: 'adf',
            createdAt: at,
            lastUpdateDate: at,
          },
        ]),
      );
    });
    expect((await row('KNIECO-1')).lastComment).toEqual({
      date: at.toISOString(),
      body: 'Fix verified on the customer cluster',
      format: 'adf',
      author: 'Dave',
    });

    await t.store.write(async (tx, ch) => {
      ch.record(
        'card',
        await upsertCards(tx, [
          makeCard(c1, {
            jiraKey: 'KNIECO-1',
            status: 'Debugging',
            assigneeName: 'Alice',
            assignee: { displayName: 'Alice', accountId: 'a1' },
            contributors: [{ displayName: 'Carol' }, { displayName: 'Erin' }],
            labels: ['field', 'Trends', 'Daily_Telco_OCP'],
            priority: 'Blocker',
            updatedAt: seeded.now,
          }),
        ]),
      );
    });
    expect(await row('KNIECO-1')).toMatchObject({
      contributors: ['Carol', 'Erin'],
      labels: ['field', 'Trends', 'Daily_Telco_OCP'],
      priority: 'Blocker',
      dailyTelco: true,
    });

    await t.store.write(async (tx, ch) => {
      ch.record('case', await upsertCases(tx, [{ ...c1, productVersion: '4.19' }]));
    });
    expect((await row('KNIECO-1')).productVersion).toBe('4.19');
    // The card detail reads the same rows.
    expect((await get('/api/v1/cards/KNIECO-1')).card).toMatchObject({
      productVersion: '4.19',
      priority: 'Blocker',
    });
  });

  it('does not serve an empty page stale when a write has just filled it', async () => {
    const before = await get('/api/v1/cards?account=Umbrella');
    expect(before).toMatchObject({ items: [], total: 0 });
    await t.store.write(async (tx, ch) => {
      const c6 = { ...seeded.cases.c6, account: 'Umbrella' };
      ch.record('case', await upsertCases(tx, [c6]));
      ch.record('card', await upsertCards(tx, [makeCard(c6, { jiraKey: 'KNIECO-6', status: 'New' })]));
    });
    const after = await get('/api/v1/cards?account=Umbrella');
    expect(after.items.map((i: { key: string }) => i.key)).toEqual(['KNIECO-6']);
    expect(after.total).toBe(1);
    expect(after.facets.account).toContainEqual({ value: 'Umbrella', count: 1 });
  });

  it('serves facet counts from the cache until a write changes them', async () => {
    const url = '/api/v1/cards?severity=High';
    const first = await get(url);
    const hits = await cacheCount('hit');
    const again = await get(url);
    // The repeated view is one hit: the whole cached answer (the facet cache behind it is not asked).
    expect(await cacheCount('hit')).toBe(hits + 1);
    expect(again.facets).toEqual(first.facets);
    expect(first.facets.internalStatus).toContainEqual({ value: 'Backlog', count: 1 });

    await t.store.write(async (tx, ch) => {
      ch.record(
        'card',
        await upsertCards(tx, [
          makeCard(seeded.cases.c2, {
            jiraKey: 'KNIECO-2',
            status: 'Eng Working',
            assigneeName: 'Bob',
            assignee: { displayName: 'Bob', accountId: 'b1' },
            labels: ['field', 'PotentialEscalation', 'Daily_Telco_OCP'],
            updatedAt: seeded.now,
          }),
        ]),
      );
    });
    const misses = await cacheCount('miss');
    const after = await get(url);
    // Two misses: the whole answer, then the facet counts it is built from.
    expect(await cacheCount('miss')).toBe(misses + 2);
    expect(after.facets.internalStatus).not.toContainEqual({ value: 'Backlog', count: 1 });
    expect(after.facets.internalStatus).toContainEqual({ value: 'Eng Working', count: 1 });
    expect(after.items.find((i: { key: string }) => i.key === 'KNIECO-2').internalStatus).toBe('Eng Working');
  });

  it('fills the latest-comment reference of migration 0006 as the flush picks it', async () => {
    const db = t.store.db;
    // Two comments of K-2 updated at the same instant: the later-created one is the latest.
    const { c2 } = seeded.cases;
    const at = new Date(seeded.now.getTime() - DAY / 4);
    const tie = (id: string, created: number, body: string) => ({
      jiraCommentId: id,
      jiraKey: 'KNIECO-2',
      caseNumber: c2.caseNumber,
      caseCreatedDate: c2.createdDate,
      author: 'Bob',
      body,
      bodyFormat: 'wiki' as const,
      createdAt: new Date(at.getTime() - created),
      lastUpdateDate: at,
    });
    await t.store.write(async (tx, ch) => {
      ch.record(
        'jira_comment',
        await upsertJiraComments(tx, [tie('2003', 1000, 'edited later'), tie('2002', 0, 'written later')]),
      );
    });
    expect((await row('KNIECO-2')).lastComment.body).toBe('written later');

    const columns = 'jira_key, last_comment_id';
    await db.query(
      'INSERT INTO card_index_dirty (jira_key) SELECT jira_key FROM cards ON CONFLICT DO NOTHING',
    );
    await flushCardIndex(db);
    const flushed = (await db.query(`SELECT ${columns} FROM card_index ORDER BY jira_key`)).rows;
    expect(flushed.filter((r) => r.last_comment_id !== null).length).toBeGreaterThan(3);

    await db.query('UPDATE card_index SET last_comment_id = NULL');
    const migration = readFileSync(
      new URL('../../drizzle/0006_card_index_last_comment_id.sql', import.meta.url),
      'utf8',
    );
    const backfill = migration.split('--> statement-breakpoint').filter((s) => /^UPDATE/m.test(s));
    expect(backfill).toHaveLength(1);
    for (const statement of backfill) await db.query(statement);
    expect((await db.query(`SELECT ${columns} FROM card_index ORDER BY jira_key`)).rows).toEqual(flushed);
  });
});
