import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/store/change-feed.js';
import { getCardRows } from '../../src/store/queries/card-list.js';
import { getCaseBundle } from '../../src/store/queries/case-bundle.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { searchCases, upsertCases } from '../../src/store/repositories/cases.js';
import { upsertComments } from '../../src/store/repositories/comments.js';
import { upsertJiraComments } from '../../src/store/repositories/jira-comments.js';
import { listQuarantined } from '../../src/store/repositories/quarantine.js';
import { listStatsSnapshots, saveStatsSnapshot } from '../../src/store/repositories/stats-snapshots.js';
import { getRun, listRuns, startRunAttempt, updateRun } from '../../src/store/repositories/sync-runs.js';
import { getSyncState, saveSyncState } from '../../src/store/repositories/sync-state.js';
import { openTestStore, STORAGE_BACKENDS, type TestStore } from '../support/backends.js';
import { makeCard, makeCase, makeComment } from '../support/fixtures.js';
import { changeLogOf, countStoredCases } from '../support/store-reads.js';

// The same contract on PGlite, on PostgreSQL with the in-process cache, and on PostgreSQL with Redis.
describe.each(STORAGE_BACKENDS)('storage contract on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend, 'contract');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports its backends', async () => {
    const h = await t.store.health();
    expect(h.database).toMatchObject({ ok: true, backend: backend === 'pglite' ? 'pglite' : 'postgres' });
    expect(h.cache).toMatchObject({ ok: true, backend: backend === 'postgres+redis' ? 'redis' : 'memory' });
  });

  it('upserts idempotently and logs only real changes', async () => {
    const cases = [1, 2, 3].map((n) => makeCase(n));
    const first = await t.store.write((tx) => upsertCases(tx, cases));
    expect(first.inserted.sort()).toEqual(cases.map((c) => c.caseNumber).sort());

    const again = await t.store.write((tx) => upsertCases(tx, cases));
    expect(again).toEqual({ inserted: [], updated: [], unchanged: 3 });
    const logAfterRepeat = await changeLogOf(t.store.db, { entity: 'case' });
    expect(logAfterRepeat).toHaveLength(3);
    expect(logAfterRepeat.every((e) => e.op === 'insert')).toBe(true);

    const changed = { ...cases[1]!, owner: 'New Owner', status: 'Waiting on Customer' };
    const second = await t.store.write((tx) => upsertCases(tx, [cases[0]!, changed, cases[2]!]));
    expect(second).toEqual({ inserted: [], updated: [changed.caseNumber], unchanged: 2 });

    const [entry] = await changeLogOf(t.store.db, {
      entity: 'case',
      entityKey: changed.caseNumber,
      limit: 1,
    });
    expect(entry).toMatchObject({ op: 'update' });
    expect(entry!.changes).toEqual({
      owner: [cases[1]!.owner, 'New Owner'],
      status: ['Waiting on Red Hat', 'Waiting on Customer'],
    });
    expect((await getCaseBundle(t.store.db, changed.caseNumber)).case).toMatchObject({ owner: 'New Owner' });
  });

  it('keeps duplicates in one batch down to the last version of each key', async () => {
    const c = makeCase(50);
    const r = await t.store.write((tx) => upsertCases(tx, [c, { ...c, summary: 'last version wins' }]));
    expect(r.inserted).toEqual([c.caseNumber]);
    expect((await getCaseBundle(t.store.db, c.caseNumber)).case?.summary).toBe('last version wins');
  });

  it('quarantines a comment whose case is unknown and stores the rest', async () => {
    const known = makeCase(10);
    await t.store.write((tx) => upsertCases(tx, [known]));
    const orphanCase = makeCase(11);
    const good = [makeComment(known, 1), makeComment(known, 2)];
    const orphan = makeComment(orphanCase, 1);

    const r = await t.store.write((tx) => upsertComments(tx, [...good, orphan]));
    expect(r.inserted).toHaveLength(2);
    expect(r.quarantined).toBe(1);
    const portalComments = async (caseNumber: string) =>
      (await getCaseBundle(t.store.db, caseNumber)).comments.filter((c) => c.source === 'portal');
    expect((await portalComments(known.caseNumber)).map((c) => c.id).sort()).toEqual(
      good.map((c) => c.commentId).sort(),
    );
    const q = await listQuarantined(t.store.db, { source: 'portal.comment' });
    expect(q.items).toHaveLength(1);
    expect(q.items[0]).toMatchObject({
      externalId: orphan.commentId,
      reason: expect.stringContaining('not stored'),
    });
    expect(q.items[0]!.payload).toMatchObject({ body: orphan.body });

    // Once the case arrives, the same comment goes in and its quarantine entry is resolved.
    await t.store.write(async (tx) => {
      await upsertCases(tx, [orphanCase]);
      return upsertComments(tx, [orphan]);
    });
    expect(await portalComments(orphanCase.caseNumber)).toHaveLength(1);
    expect((await listQuarantined(t.store.db, { source: 'portal.comment' })).items).toHaveLength(0);
    expect(
      (await listQuarantined(t.store.db, { source: 'portal.comment', includeResolved: true })).total,
    ).toBe(1);
  });

  it('enforces the composite foreign key itself', async () => {
    const orphan = makeComment(makeCase(999), 1);
    await expect(
      t.store.db.query(
        `INSERT INTO comments (comment_id, case_number, case_created_date, body, commented_at)
         VALUES ($1, $2, $3, $4, now())`,
        [orphan.commentId, orphan.caseNumber, orphan.caseCreatedDate.toISOString(), orphan.body],
      ),
    ).rejects.toThrow(/foreign key/i);
  });

  it('stores cards and their comments, quarantining comments of unknown cards', async () => {
    const c = makeCase(20);
    const card = makeCard(c, { labels: ['field', 'Trends', 'Daily_Telco_OCP'] });
    await t.store.write(async (tx, changes) => {
      changes.record('case', await upsertCases(tx, [c]));
      changes.record('card', await upsertCards(tx, [card]));
    });
    expect(await getCardRows(t.store.db, [card.jiraKey])).toMatchObject([
      { trends: true, dailyTelco: true, isPotentialEscalation: false, assignee: 'Jane Doe' },
    ]);
    const comment = {
      jiraCommentId: '10001',
      jiraKey: card.jiraKey,
      caseNumber: c.caseNumber,
      caseCreatedDate: c.createdDate,
      author: 'Jane Doe',
      body: 'Looked at the must-gather',
      bodyFormat: 'wiki' as const,
      createdAt: new Date('2026-11-01T10:00:00Z'),
      lastUpdateDate: new Date('2026-11-01T10:00:00Z'),
    };
    const r = await t.store.write((tx) =>
      upsertJiraComments(tx, [comment, { ...comment, jiraCommentId: '10002', jiraKey: 'KNIECO-404' }]),
    );
    expect(r.inserted).toEqual(['10001']);
    expect(r.quarantined).toBe(1);
    expect(
      (await getCaseBundle(t.store.db, c.caseNumber)).comments.filter((x) => x.jiraKey === card.jiraKey),
    ).toHaveLength(1);
  });

  it('ranks full-text matches in the summary above matches in the description only', async () => {
    await t.store.write((tx) =>
      upsertCases(tx, [
        makeCase(30, { summary: 'PTP sync lost after upgrade', description: 'grandmaster clock drift' }),
        makeCase(31, { summary: 'Node not ready', description: 'the ptp operator logs show sync errors' }),
        makeCase(32, { summary: 'Unrelated', description: 'nothing to see' }),
      ]),
    );
    const hits = await searchCases(t.store.db, 'ptp sync');
    expect(hits.map((h) => h.caseNumber)).toEqual([makeCase(30).caseNumber, makeCase(31).caseNumber]);
    expect(hits[0]!.rank).toBeGreaterThan(hits[1]!.rank);
    expect(hits[0]!.snippet).toContain('<mark>');
  });

  it('reads through the cache and never serves a value older than the last commit', async () => {
    const c = makeCase(40);
    await t.store.write((tx, changes) => upsertCases(tx, [c]).then((r) => changes.record('case', r)));
    let loads = 0;
    const read = () =>
      t.store.read(['case'], 'count', async (q) => {
        loads++;
        return countStoredCases(q);
      });
    const before = await read();
    expect(await read()).toEqual(before);
    expect(loads).toBe(1);

    await t.store.write(async (tx, changes) => changes.record('case', await upsertCases(tx, [makeCase(41)])));
    const after = await read();
    expect(after.total).toBe(before.total + 1);
    expect(loads).toBe(2);
  });

  it('announces committed writes on the change feed, and nothing for rolled-back ones', async () => {
    const events: ChangeEvent[] = [];
    const off = t.store.feed.subscribe((e) => events.push(e));
    try {
      await expect(
        t.store.write(async (tx, changes) => {
          changes.record('case', await upsertCases(tx, [makeCase(60)]));
          throw new Error('validation failed after the write');
        }),
      ).rejects.toThrow('validation failed');
      expect((await getCaseBundle(t.store.db, makeCase(60).caseNumber)).case).toBeNull();

      await t.store.write(async (tx, changes) =>
        changes.record('case', await upsertCases(tx, [makeCase(61)])),
      );
      // Only this test's keys count: a NOTIFY from an earlier test may still be on its way.
      const ours = new Set([makeCase(60).caseNumber, makeCase(61).caseNumber]);
      const mine = () => events.filter((e) => e.keys?.some((k) => ours.has(k)));
      await expect.poll(() => mine().length).toBe(1);
      expect(mine()[0]).toMatchObject({ entity: 'case', keys: [makeCase(61).caseNumber], count: 1 });
    } finally {
      off();
    }
  });

  it('keeps sync state, run history and stats snapshots', async () => {
    await saveSyncState(t.store.db, 'cases', { cursor: new Date('2026-11-20T00:00:00Z') });
    await saveSyncState(t.store.db, 'cases', { details: { reconcile: 'ok' } });
    expect(await getSyncState(t.store.db, 'cases')).toMatchObject({
      cursor: new Date('2026-11-20T00:00:00Z'),
      details: { reconcile: 'ok' },
    });

    const run = await startRunAttempt(t.store.db, { id: randomUUID(), job: 'cases', trigger: 'manual' });
    await updateRun(t.store.db, run.id, { progress: { current: 5, total: 10, phase: 'details' } });
    await updateRun(t.store.db, run.id, { status: 'succeeded', fetched: 10, changed: 3, finished: true });
    expect(await getRun(t.store.db, run.id)).toMatchObject({
      status: 'succeeded',
      fetched: 10,
      changed: 3,
      progress: { current: 5, total: 10, phase: 'details' },
      finishedAt: expect.any(Date),
    });
    expect((await listRuns(t.store.db, { job: 'cases', status: 'succeeded' })).map((r) => r.id)).toContain(
      run.id,
    );

    await saveStatsSnapshot(t.store.db, '2026-11-22', { open_cases: 10 });
    await saveStatsSnapshot(t.store.db, '2026-11-22', { open_cases: 12 });
    expect(await listStatsSnapshots(t.store.db)).toEqual([
      { day: '2026-11-22', metrics: { open_cases: 12 }, takenAt: expect.any(Date) },
    ]);
  });
});
