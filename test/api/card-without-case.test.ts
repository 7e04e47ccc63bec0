import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard, makeCase } from '../support/fixtures.js';
import { buildTestApp, testConfig } from './support.js';

// A card whose case is not stored (it closed outside the Portal query before the first sync) still
// shows its case number and Portal link; everything that comes from the case stays empty.
describe.each(['pglite', 'postgres'] as const)('a card without its stored case on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_card_without_case');
    const absent = makeCase(42, { caseNumber: '03307193' });
    await t.store.write(async (tx, ch) =>
      ch.record(
        'card',
        await upsertCards(tx, [{ ...makeCard(absent, { jiraKey: 'KNIECO-1117' }), caseCreatedDate: null }]),
      ),
    );
    app = await buildTestApp(t.store, testConfig());
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('lists and details it with the case number from the card', async () => {
    const list = (await app.inject({ url: '/api/v1/cards' })).json();
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      key: 'KNIECO-1117',
      caseNumber: '03307193',
      caseUrl: expect.stringContaining('03307193'),
      account: null,
      severity: null,
      caseStatus: null,
    });
    const detail = (await app.inject({ url: '/api/v1/cards/KNIECO-1117' })).json();
    expect(detail.card.caseNumber).toBe('03307193');
    expect(detail.case).toBeNull();
  });
});
