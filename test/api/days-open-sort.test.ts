import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard, makeCase } from '../support/fixtures.js';
import { buildTestApp, DAY, testConfig } from './support.js';

// "Days Open" sorts by the number the cell shows: created → closed for a closed case, created → now
// while open. A case created long ago but closed after a few days sorts among the short ones.
describe.each(['pglite', 'postgres'] as const)('sorting by days open on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  const now = new Date(Date.UTC(2026, 11, 1, 12));
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  // Days shown: 95 (closed), 5 (closed long ago, open for 5 days), 40 (open), 15 (open), 0 (open today).
  const cases = [
    makeCase(1, { status: 'Closed', createdDate: ago(100), closedDate: ago(5), lastUpdate: ago(5) }),
    makeCase(2, { status: 'Closed', createdDate: ago(300), closedDate: ago(295), lastUpdate: ago(295) }),
    makeCase(3, { status: 'Waiting on Red Hat', createdDate: ago(40), lastUpdate: ago(1) }),
    makeCase(4, { status: 'Waiting on Customer', createdDate: ago(15.5), lastUpdate: ago(1) }),
    makeCase(5, { status: 'Waiting on Red Hat', createdDate: ago(0.2), lastUpdate: ago(0.1) }),
  ];

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_days_open');
    await t.store.write(async (tx, changes) => {
      changes.record('case', await upsertCases(tx, cases));
      changes.record(
        'card',
        await upsertCards(
          tx,
          cases.map((c) => makeCard(c)),
        ),
      );
    });
    app = await buildTestApp(t.store, testConfig(), () => now);
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const days = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return (res.json().items as { daysOpen: number | null }[]).map((i) => i.daysOpen);
  };

  it.each(['cards', 'cases'])('orders the %s table by the days shown, both ways', async (table) => {
    expect(await days(`/api/v1/${table}?sort=daysOpen:desc`)).toEqual([95, 40, 15, 5, 0]);
    expect(await days(`/api/v1/${table}?sort=daysOpen:asc`)).toEqual([0, 5, 15, 40, 95]);
  });

  it('pages through the same order', async () => {
    expect(await days('/api/v1/cards?sort=daysOpen:desc&limit=2&offset=2')).toEqual([15, 5]);
  });
});
