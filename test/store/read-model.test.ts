import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { keepCardIndexWarm } from '../../src/store/read-model/card-index-upkeep.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard, makeCase } from '../support/fixtures.js';

// The writing process keeps card_index warm: after its own writes the marked rows are recomputed
// without any reader asking, so a page read finds nothing to recompute.
describe.each(['pglite', 'postgres'] as const)('card_index upkeep on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend, 'read_model');
  });
  afterAll(async () => {
    await t?.close();
  });

  const pendingMarks = async () =>
    (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM card_index_dirty')).rows[0]!.n;
  const indexed = async (key: string) =>
    (await t.store.db.query('SELECT 1 FROM card_index WHERE jira_key = $1', [key])).rows.length;

  it('recomputes the rows its own writes marked, and stops cleanly', async () => {
    const upkeep = keepCardIndexWarm(t.store, silentLogger);
    try {
      const c = makeCase(1);
      const card = makeCard(c);
      await t.store.write(async (tx, changes) => {
        changes.record('case', await upsertCases(tx, [c]));
        changes.record('card', await upsertCards(tx, [card]));
      });
      await expect
        .poll(async () => (await pendingMarks()) === 0 && (await indexed(card.jiraKey)) === 1)
        .toBe(true);
    } finally {
      await upkeep.stop();
    }
    // Stopped: a later write leaves its marks for the next reader.
    const later = makeCard(makeCase(1), { jiraKey: 'KNIECO-9002' });
    await t.store.write(async (tx, changes) => changes.record('card', await upsertCards(tx, [later])));
    await new Promise((r) => setTimeout(r, 800));
    expect(await pendingMarks()).toBeGreaterThan(0);
  });
});
