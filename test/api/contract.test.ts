import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { errorSchema } from '../../src/shared/api/common.js';
import { cardDetailSchema, caseDetailSchema } from '../../src/shared/api/detail.js';
import { newCasesSchema, statusCountsSchema } from '../../src/shared/api/home.js';
import {
  legacyBugsSchema,
  legacyCardsSchema,
  legacyCasesSchema,
  legacyDetailsSchema,
  legacyEscalationsSchema,
  legacyIssuesSchema,
  legacyStatsSchema,
} from '../../src/shared/api/legacy.js';
import {
  accountListSchema,
  accountPageSchema,
  engineerListSchema,
  engineerPageSchema,
} from '../../src/shared/api/people.js';
import { reportSchema, weeklySchema } from '../../src/shared/api/reports.js';
import { searchSchema } from '../../src/shared/api/search.js';
import { historySchema, outcomesSchema, statsSchema } from '../../src/shared/api/stats.js';
import { metaSchema, quarantineSchema, runListSchema, runSchema } from '../../src/shared/api/sync.js';
import { cardTableSchema, caseTableSchema } from '../../src/shared/api/tables.js';
import { webhookStatusSchema } from '../../src/shared/api/webhooks.js';
import { quarantineRecords } from '../../src/store/repositories/quarantine.js';
import { startRunAttempt, updateRun } from '../../src/store/repositories/sync-runs.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { type Seeded, seedDashboard, testConfig } from './support.js';

// The UI's types are the shared schemas' wire types; this parses what every v1 route (and every
// route of the original's API, whose big maps are streamed by hand) really sends
// with those schemas, strictly (every object schema is strict: an unknown key fails, as does a
// missing one or a value of another type), so the UI and the API cannot drift apart.
describe('API responses match the shared schemas', () => {
  let t: TestStore;
  let app: FastifyInstance;
  let seeded: Seeded;
  let runId: string;

  beforeAll(async () => {
    t = await openTestStore('pglite', 'api_contract');
    seeded = await seedDashboard(t.store);
    const run = await startRunAttempt(t.store.db, { id: randomUUID(), job: 'cases', trigger: 'manual' });
    await updateRun(t.store.db, run.id, {
      status: 'succeeded',
      progress: { current: 3, total: 3, phase: 'done' },
      fetched: 3,
      finished: true,
    });
    await startRunAttempt(t.store.db, { id: randomUUID(), job: 'refresh-all', trigger: 'manual' });
    runId = run.id;
    await quarantineRecords(t.store.db, [
      { source: 'portal', externalId: '0999', payload: { bad: true }, reason: 'severity: invalid' },
    ]);
    app = await buildApp({
      config: testConfig(),
      store: t.store,
      metrics: t.metrics,
      logger: silentLogger,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const c1 = () => seeded.cases.c1.caseNumber;
  const routes: [string, () => string, z.ZodType][] = [
    ['card table', () => '/api/v1/cards', cardTableSchema],
    ['card table, filtered', () => '/api/v1/cards?severity=Urgent&label=Trends&q=upgrade', cardTableSchema],
    ['case table', () => '/api/v1/cases?sort=caseCreated:desc', caseTableSchema],
    ['status counts', () => '/api/v1/cards/status-counts', statusCountsSchema],
    ['card detail', () => '/api/v1/cards/KNIECO-1', cardDetailSchema],
    ['card without a case', () => '/api/v1/cards/KNIECO-7', cardDetailSchema],
    ['case detail', () => `/api/v1/cases/${c1()}`, caseDetailSchema],
    ['case without a card', () => `/api/v1/cases/${seeded.cases.c6.caseNumber}`, caseDetailSchema],
    ['new cases', () => '/api/v1/cases/new?days=30', newCasesSchema],
    ['recent report', () => '/api/v1/reports/recent', reportSchema],
    ['all report', () => '/api/v1/reports/all', reportSchema],
    ['trends report', () => '/api/v1/reports/trends', reportSchema],
    ['weekly report', () => '/api/v1/reports/weekly', weeklySchema],
    ['stats', () => '/api/v1/stats', statsSchema],
    ['stats history', () => '/api/v1/stats/history', historySchema],
    ['outcomes', () => '/api/v1/stats/outcomes', outcomesSchema],
    ['accounts', () => '/api/v1/accounts', accountListSchema],
    ['account page', () => '/api/v1/accounts/Acme%20Telco', accountPageSchema],
    ['engineers', () => '/api/v1/engineers', engineerListSchema],
    ['engineer page', () => '/api/v1/engineers/Alice', engineerPageSchema],
    ['search', () => '/api/v1/search?q=cluster', searchSchema],
    ['runs', () => '/api/v1/runs', runListSchema],
    ['one run', () => `/api/v1/runs/${runId}`, runSchema],
    ['meta', () => '/api/v1/meta', metaSchema],
    ['quarantine', () => '/api/v1/quarantine', quarantineSchema],
    ['webhooks', () => '/api/v1/webhooks', webhookStatusSchema],
    ['legacy stats', () => '/api/stats', legacyStatsSchema],
    ['legacy cards', () => '/api/cards', legacyCardsSchema],
    ['legacy cases', () => '/api/cases', legacyCasesSchema],
    ['legacy details', () => '/api/details', legacyDetailsSchema],
    ['legacy bugs', () => '/api/bugs', legacyBugsSchema],
    ['legacy issues', () => '/api/issues', legacyIssuesSchema],
    ['legacy escalations', () => '/api/escalations', legacyEscalationsSchema],
  ];

  it.each(routes)('%s', async (_name, url, schema) => {
    const res = await app.inject({ method: 'GET', url: url() });
    expect(res.statusCode).toBe(200);
    const parsed = schema.safeParse(res.json());
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('the answers carry data, so the parses above are not of empty lists', async () => {
    const cards = cardTableSchema.parse((await app.inject({ url: '/api/v1/cards' })).json());
    expect(cards.items.length).toBeGreaterThan(0);
    expect(cards.items.some((c) => c.lastComment !== null && c.caseCreated !== null)).toBe(true);
    const meta = metaSchema.parse((await app.inject({ url: '/api/v1/meta' })).json());
    expect(meta.activeRefresh).not.toBeNull();
    const q = quarantineSchema.parse((await app.inject({ url: '/api/v1/quarantine' })).json());
    expect(q.items).toHaveLength(1);
  });

  it.each([
    ['/api/v1/cards/NOPE-1', 404],
    ['/api/v1/cases/0', 404],
    ['/api/v1/accounts/nobody', 404],
    ['/api/v1/runs/00000000-0000-0000-0000-000000000000', 404],
    ['/api/v1/cards?sort=nope', 400],
  ])('%s answers %i with the error shape', async (url, status) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(status);
    expect(errorSchema.safeParse(res.json()).error?.issues ?? []).toEqual([]);
  });
});
