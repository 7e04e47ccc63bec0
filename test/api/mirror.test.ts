import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { mirrorCompareSchema, mirrorStatusSchema, mirrorSyncSchema } from '../../src/shared/api/mirror.js';
import { MIRROR_KEYS } from '../../src/shared/vocabulary.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { cardKeyOf, legacyLayout, writeLayout } from '../support/legacy-layout.js';

// The mirror's endpoints against a real Redis holding the original's layout (its own db index on
// the shared server; only the mirrored keys are written and removed).

const DB = 12;
/** Every key of the original's layout: what these tests write and remove. */
const KEYS = MIRROR_KEYS;

const appFor = (t: TestStore, env: Record<string, string>) =>
  buildApp({
    config: loadConfig({ env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...env }, dotEnv: false }),
    store: t.store,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger,
  });

describe('mirror endpoints', () => {
  let t: TestStore;
  let redis: Redis;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await openTestStore('postgres', 'mirror_api');
    redis = new Redis(`${TEST_REDIS_URL}/${DB}`);
    await writeLayout(redis, legacyLayout(25, { partial: [7], cardsOnly: 3 }));
    app = await appFor(t, { REDIS_MIRROR_URL: `${TEST_REDIS_URL}/${DB}` });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.del(...KEYS);
    redis?.disconnect();
    await t?.close();
  });

  it('full sync → compare shows zero mismatches, and the dashboard shows the cases, cards, bugs and history', async () => {
    const sync = await app.inject({ method: 'POST', url: '/api/v1/sync/manual' });
    expect(sync.statusCode).toBe(200);
    const results = mirrorSyncSchema.parse(sync.json()).results;
    expect(results.find((r) => r.key === 'cards')).toMatchObject({ records: 25, written: 25 });

    const cmp = mirrorCompareSchema.parse((await app.inject('/api/v1/sync/compare')).json());
    expect(cmp.mismatches).toBe(0);
    expect(cmp.keys.find((k) => k.key === 'cases')).toMatchObject({ redis: 22, postgres: 22 });

    const cards = (await app.inject('/api/v1/cards?limit=100')).json() as { total: number };
    expect(cards.total).toBe(25);
    const card = (await app.inject(`/api/v1/cards/${cardKeyOf(7)}`)).json() as object;
    expect(JSON.stringify(card)).toContain('Robin Fernandez');
    const cases = (await app.inject('/api/v1/cases')).json() as { total: number };
    expect(cases.total).toBe(25); // 22 from `cases`, 3 from their cards
    const legacyBugs = (await app.inject('/api/bugs')).json() as Record<string, unknown[]>;
    expect(Object.keys(legacyBugs).length).toBeGreaterThan(0);
    // The original's stats history (its nested bug counts too) is the history chart's past.
    const history = (await app.inject('/api/v1/stats/history?from=2025-01-01&to=2025-01-02')).json() as {
      days: string[];
      series: Record<string, (number | null)[]>;
    };
    expect(history.days).toEqual(['2025-01-01', '2025-01-02']);
    expect(history.series.open_cases).toEqual([10, 12]);
    expect(history.series.bugs_unique).toEqual([3, 4]);
  });

  it('one key, bad keys, drift, and the status', async () => {
    const cards = JSON.parse((await redis.get('cards'))!) as Record<string, { priority: string }>;
    cards[cardKeyOf(1)]!.priority = 'Blocker';
    await redis.set('cards', JSON.stringify(cards));
    const drift = mirrorCompareSchema.parse((await app.inject('/api/v1/sync/compare')).json());
    expect(drift.keys.find((k) => k.key === 'cards')!.stale).toEqual({ count: 1, examples: [cardKeyOf(1)] });

    const one = await app.inject({ method: 'POST', url: '/api/v1/sync/key/cards' });
    expect(mirrorSyncSchema.parse(one.json()).results).toEqual([
      expect.objectContaining({ key: 'cards', written: 1 }),
    ]);
    expect(mirrorCompareSchema.parse((await app.inject('/api/v1/sync/compare')).json()).mismatches).toBe(0);

    const bad = await app.inject({ method: 'POST', url: '/api/v1/sync/key/celery' });
    expect(bad.statusCode).toBe(400);

    const status = mirrorStatusSchema.parse((await app.inject('/api/v1/sync/status')).json());
    expect(status).toMatchObject({ enabled: true, redis_connected: true, service_status: 'stopped' });
    expect(status.counts.cards).toEqual({ mirrored: 25, quarantined: 0 });

    // The header and the sync page say where each source's data comes from.
    const meta = (await app.inject('/api/v1/meta')).json() as { sources: { job: string; origin: string }[] };
    expect(meta.sources.find((s) => s.job === 'cards')!.origin).toBe('mirror');
  });

  it('without REDIS_MIRROR_URL: status says disabled, the actions answer 409', async () => {
    const plain = await appFor(t, {});
    try {
      const status = mirrorStatusSchema.parse((await plain.inject('/api/v1/sync/status')).json());
      expect(status).toMatchObject({ enabled: false, service_status: 'disabled', redis_connected: false });
      expect((await plain.inject({ method: 'POST', url: '/api/v1/sync/manual' })).statusCode).toBe(409);
      expect((await plain.inject('/api/v1/sync/compare')).statusCode).toBe(409);
    } finally {
      await plain.close();
    }
  });
});
