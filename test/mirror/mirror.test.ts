import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { keysOf, parseLegacyDate } from '../../src/mirror/layout.js';
import { fileSource, Mirror, type MirrorSource, redisSource } from '../../src/mirror/mirror.js';
import type { Queryable } from '../../src/store/db.js';
import { createJobRegistry } from '../../src/sync/index.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { TEST_REDIS_URL } from '../support/env.js';
import {
  cardKeyOf,
  caseNumberOf,
  type LegacyLayout,
  legacyLayout,
  writeLayout,
} from '../support/legacy-layout.js';

const count = async (q: Queryable, sql: string, params: unknown[] = []) =>
  (await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]!.n;

/** A mutable layout the mirror reads as if it were the original's Redis. */
const memorySource = (layout: LegacyLayout): MirrorSource => ({
  get: async (key) => (key in layout ? JSON.stringify(layout[key]) : null),
});

describe('legacy dates', () => {
  it('reads every date form the original wrote', () => {
    expect(parseLegacyDate('2022-04-18T21:08:52Z')?.toISOString()).toBe('2022-04-18T21:08:52.000Z');
    expect(parseLegacyDate('2024-12-30T17:37:18.000+0000')?.toISOString()).toBe('2024-12-30T17:37:18.000Z');
    expect(parseLegacyDate('2024-12-30T19:37:18.000+0200')?.toISOString()).toBe('2024-12-30T17:37:18.000Z');
    expect(parseLegacyDate('2023-10-24 18:13')?.toISOString()).toBe('2023-10-24T18:13:00.000Z');
    expect(parseLegacyDate('2026-07-30 14:21:03.123456+00:00')?.toISOString()).toBe(
      '2026-07-30T14:21:03.123Z',
    );
    expect(parseLegacyDate('2025-01-02')?.toISOString()).toBe('2025-01-02T00:00:00.000Z');
    expect(parseLegacyDate(1_735_689_600_000)?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(parseLegacyDate('yesterday')).toBeUndefined();
  });
});

describe.each(['pglite', 'postgres'] as const)('mirror mapping on %s', (backend) => {
  let t: TestStore;
  let layout: LegacyLayout;
  let mirror: Mirror;
  beforeAll(async () => {
    t = await openTestStore(backend, 'mirror');
    // 12 cards; the last two cases exist only inside their card; card 4 is the partial shape.
    layout = legacyLayout(12, { cardsOnly: 2, partial: [4] });
    mirror = new Mirror({ store: t.store, source: memorySource(layout), logger: silentLogger });
  });
  afterAll(async () => t?.close());

  it('maps every key into the tables through the write path, and a second pass writes nothing', async () => {
    const results = await mirror.syncAll();
    expect(results.filter((r) => r.error)).toEqual([]);
    const q = t.store.db;
    expect(await count(q, 'cases')).toBe(12); // 10 from `cases`, 2 auto-created from their cards
    expect(await count(q, 'cards')).toBe(12);
    expect(await count(q, "cases WHERE raw ? 'from_card'")).toBe(2);
    // Comments have no id: author + time + body hash; card 4 (partial) has none.
    expect(await count(q, 'jira_comments')).toBe(22);
    expect(await count(q, 'bugs')).toBe(6);
    expect(await count(q, 'issues WHERE issue_key = $1', ['700'])).toBe(1); // the int id
    expect(await count(q, 'case_issues')).toBe(4);
    expect(await count(q, 'stats_snapshots')).toBe(2);
    expect(await count(q, 'mirrored_users WHERE display_name = $1', ['Ada Lovelace'])).toBe(1);
    expect(await count(q, 'escalations WHERE $1 = ANY(case_numbers)', [caseNumberOf(1)])).toBe(1);
    expect(await count(q, 'case_details WHERE crit_sit')).toBeGreaterThan(0);
    expect(await count(q, "change_log WHERE entity = 'card' AND op = 'insert'")).toBe(12);

    const partial = await q.query<{ assignee_name: string; status: string; case_number: string }>(
      'SELECT assignee_name, status, case_number FROM cards WHERE jira_key = $1',
      [cardKeyOf(4)],
    );
    expect(partial.rows[0]).toEqual({
      assignee_name: 'Robin Fernandez',
      status: 'New',
      case_number: caseNumberOf(4),
    });
    const comment = await q.query<{ body: string }>(
      'SELECT body FROM jira_comments WHERE jira_key = $1 ORDER BY created_at LIMIT 1',
      [cardKeyOf(0)],
    );
    expect(comment.rows[0]!.body).toBe('First & only note on 0');
    // Epoch-ms relief time from a card, and the original's nested stats history kept as is.
    const detail = await q.query<{ relief_at: Date }>(
      'SELECT relief_at FROM case_details WHERE case_number = $1',
      [caseNumberOf(3)],
    );
    expect(new Date(detail.rows[0]!.relief_at).toISOString()).toBe('2025-01-01T00:00:00.000Z');

    const again = await mirror.syncAll();
    expect(again.reduce((n, r) => n + r.written, 0)).toBe(0);
    const cmp = await mirror.compare();
    expect(cmp.map((c) => [c.key, c.mismatches])).toEqual(cmp.map((c) => [c.key, 0]));
    expect(cmp.find((c) => c.key === 'cards')).toMatchObject({ redis: 12, postgres: 12 });
  });

  it('writes only the changed card of the blob, and logs exactly that change', async () => {
    const before = await count(t.store.db, "change_log WHERE entity = 'card'");
    (layout.cards as Record<string, { summary: string }>)[cardKeyOf(3)]!.summary = 'Renamed';
    const r = await mirror.syncKey('cards');
    expect(r).toMatchObject({ records: 12, written: 1, removed: 0 });
    expect(await count(t.store.db, "change_log WHERE entity = 'card'")).toBe(before + 1);
    const row = await t.store.db.query<{ summary: string }>('SELECT summary FROM cards WHERE jira_key = $1', [
      cardKeyOf(3),
    ]);
    expect(row.rows[0]!.summary).toBe('Renamed');
  });

  it('quarantines an invalid record with its reason and keeps the rest; bad JSON quarantines the key', async () => {
    const cards = layout.cards as Record<string, unknown>;
    cards['RUOX-9999'] = { card_status: 'New', summary: 'x', card_created: 'not a date' };
    const r = await mirror.syncKey('cards');
    expect(r).toMatchObject({ written: 1, quarantined: 1 });
    const q = await t.store.db.query<{ reason: string }>(
      "SELECT reason FROM quarantine WHERE source = 'mirror.cards' AND external_id = 'RUOX-9999'",
    );
    expect(q.rows[0]!.reason).toContain('card_created: not a date');
    const cmp = (await mirror.compare()).find((c) => c.key === 'cards')!;
    expect(cmp).toMatchObject({ redis: 13, postgres: 12, quarantined: 1, mismatches: 0 });

    const broken = new Mirror({
      store: t.store,
      source: { get: async (key) => (key === 'issues' ? '{"4000' : JSON.stringify(layout[key] ?? null)) },
      logger: silentLogger,
    });
    const results = await broken.syncAll();
    expect(results.find((x) => x.key === 'issues')!.error).toMatch(/invalid JSON/);
    expect(results.filter((x) => x.error)).toHaveLength(1);
    expect(
      await count(t.store.db, "quarantine WHERE source = 'mirror.issues' AND external_id = '(value)'"),
    ).toBe(1);
    expect(await count(t.store.db, 'issues')).toBe(4); // what was mirrored stays
    await mirror.syncKey('issues');
    expect(await count(t.store.db, "quarantine WHERE source = 'mirror.issues' AND resolved_at IS NULL")).toBe(
      0,
    );
    delete cards['RUOX-9999'];
    await mirror.syncKey('cards');
  });

  it('compare reports exact drift, and reconciliation repairs it', async () => {
    await t.store.write(async (tx) => {
      await tx.query('DELETE FROM cards WHERE jira_key = $1', [cardKeyOf(7)]);
      await tx.query("UPDATE cases SET status = 'Closed' WHERE case_number = $1", [caseNumberOf(1)]);
    });
    (layout.cards as Record<string, { priority: string }>)[cardKeyOf(8)]!.priority = 'Minor';
    delete (layout.stats as Record<string, unknown>)['2025-01-01'];
    const cmp = await mirror.compare();
    const cards = cmp.find((c) => c.key === 'cards')!;
    expect(cards.missing).toEqual({ count: 1, examples: [cardKeyOf(7)] });
    expect(cards.stale).toEqual({ count: 1, examples: [cardKeyOf(8)] });
    expect(cards.mismatches).toBe(2);
    expect(cmp.find((c) => c.key === 'cases')!.drifted).toEqual({ count: 1, examples: [caseNumberOf(1)] });
    expect(cmp.find((c) => c.key === 'stats')!.gone).toEqual({ count: 1, examples: ['2025-01-01'] });

    const { repaired } = await mirror.reconcile();
    expect(repaired).toBe(4);
    const after = await mirror.compare();
    expect(after.reduce((n, c) => n + c.mismatches, 0)).toBe(0);
    expect(await count(t.store.db, 'cards WHERE jira_key = $1', [cardKeyOf(7)])).toBe(1);
    expect(
      await count(t.store.db, "cases WHERE case_number = $1 AND status <> 'Closed'", [caseNumberOf(1)]),
    ).toBe(1);
  });

  it('finds rows of bugs, issues, details and escalations changed behind its back, and repairs them', async () => {
    expect((await mirror.compare()).reduce((n, c) => n + c.mismatches, 0)).toBe(0);
    const escalation = (
      await t.store.db.query<{ issue_key: string }>(
        "SELECT issue_key FROM escalations WHERE issue_key LIKE 'MIRROR-ESC-%' AND status = 'Open'",
      )
    ).rows[0]!.issue_key;
    await t.store.write(async (tx) => {
      await tx.query("UPDATE bugs SET status = 'CLOSED' WHERE bug_id = $1", [String(2_000_002)]);
      await tx.query(
        "UPDATE issues SET title = 'edited in PostgreSQL' WHERE issue_key IN (SELECT issue_key FROM case_issues WHERE case_number = $1)",
        [caseNumberOf(3)],
      );
      await tx.query('UPDATE case_details SET crit_sit = false WHERE case_number = $1', [caseNumberOf(5)]);
      await tx.query("UPDATE escalations SET summary = 'edited' WHERE issue_key = $1", [escalation]);
    });
    const drifted = Object.fromEntries(
      (await mirror.compare()).filter((c) => c.drifted.count > 0).map((c) => [c.key, c.drifted.examples]),
    );
    expect(drifted).toEqual({
      bugs: [caseNumberOf(2)],
      issues: [caseNumberOf(3)],
      details: [caseNumberOf(5)],
      escalations: [escalation],
    });
    const { repaired } = await mirror.reconcile();
    expect(repaired).toBeGreaterThanOrEqual(4);
    expect((await mirror.compare()).reduce((n, c) => n + c.mismatches, 0)).toBe(0);
    expect(
      (
        await t.store.db.query<{ status: string }>('SELECT status FROM bugs WHERE bug_id = $1', [
          String(2_000_002),
        ])
      ).rows[0]!.status,
    ).toBe('NEW');
  });

  it('closes the escalation of a string gone from `escalations` and of a card no longer escalated', async () => {
    const status = async (sql: string, params: unknown[]) =>
      (await t.store.db.query<{ status: string }>(`SELECT status FROM escalations WHERE ${sql}`, params))
        .rows[0]?.status;
    expect(
      await status('$1 = ANY(case_numbers) AND issue_key LIKE $2', [caseNumberOf(1), 'MIRROR-ESC-%']),
    ).toBe('Open');
    expect(await status('issue_key = $1', [`MIRROR-CARD-${cardKeyOf(5)}`])).toBe('Open');
    layout.escalations = [];
    (layout.cards as Record<string, { escalated: boolean }>)[cardKeyOf(5)]!.escalated = false;
    await mirror.syncKey('escalations');
    await mirror.syncKey('cards');
    expect(
      await status('$1 = ANY(case_numbers) AND issue_key LIKE $2', [caseNumberOf(1), 'MIRROR-ESC-%']),
    ).toBe('Closed');
    expect(await status('issue_key = $1', [`MIRROR-CARD-${cardKeyOf(5)}`])).toBe('Closed');
    expect((await mirror.compare()).reduce((n, c) => n + c.mismatches, 0)).toBe(0);
  });
});

describe('mirrored sources', () => {
  it("turn t5g's own jobs for them off, and card creation with the cards", () => {
    const names = createJobRegistry([], ['cases', 'cards'])
      .list()
      .map((j) => j.name);
    expect(names).not.toContain('cases');
    expect(names).not.toContain('cards');
    expect(names).not.toContain('card-creation');
    expect(names).toContain('details');
    expect(
      createJobRegistry()
        .list()
        .map((j) => j.name),
    ).toContain('card-creation');
  });
  it('select the keys the mirror reads (users always)', () => {
    expect(keysOf(['cards'])).toEqual(['cards', 'users', 'timestamp']);
    expect(keysOf(['details'])).toEqual(['details', 'case_bz', 'users']);
  });
});

describe('mirror from a real Redis and from a fake-data file', () => {
  let t: TestStore;
  let redis: Redis;
  beforeAll(async () => {
    t = await openTestStore('postgres', 'mirror_redis');
    // Its own database index on the shared server; only the mirrored keys are touched.
    redis = new Redis(`${TEST_REDIS_URL}/13`);
  });
  afterAll(async () => {
    await redis?.del(
      'cases',
      'cards',
      'bugs',
      'issues',
      'details',
      'case_bz',
      'escalations',
      'stats',
      'users',
      'timestamp',
    );
    redis?.disconnect();
    await t?.close();
  });

  it('mirrors keys written in the original shapes with MSET, then the same file imports to the same rows', async () => {
    const layout = legacyLayout(20, { partial: [5] });
    await writeLayout(redis, layout);
    const mirror = new Mirror({ store: t.store, source: redisSource(redis), logger: silentLogger });
    expect((await mirror.syncAll()).filter((r) => r.error)).toEqual([]);
    expect((await mirror.compare()).every((c) => c.mismatches === 0)).toBe(true);
    expect(await count(t.store.db, 'cards')).toBe(20);

    // The same data from a file: every record is already mirrored with the same content.
    const file = new Mirror({
      store: t.store,
      source: fileSource(JSON.parse(JSON.stringify(layout))),
      logger: silentLogger,
    });
    expect((await file.syncAll()).reduce((n, r) => n + r.written, 0)).toBe(0);
    expect(() => fileSource([1, 2])).toThrow(/JSON object/);
  });
});
