import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIRROR_KEYS } from '../../src/shared/vocabulary.js';
import { browserSkipReason, useBrowserProduct } from '../support/browser.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { legacyLayout, writeLayout } from '../support/legacy-layout.js';

// The sync page's mirror panel in the browser: the product in demo mode with the stats history
// mirrored from a Redis in the original's layout (its own db index on the shared server).

const MIRROR_URL = `${TEST_REDIS_URL}/10`;
/** Every key of the original's layout: what these tests write and remove. */
const KEYS = MIRROR_KEYS;

describe.skipIf(browserSkipReason)('mirror panel', () => {
  const redis = new Redis(MIRROR_URL);
  beforeAll(async () => {
    const { stats, users } = legacyLayout(1);
    await writeLayout(redis, { stats, users });
  });
  afterAll(async () => {
    await redis.del(...KEYS);
    redis.disconnect();
  });
  const product = useBrowserProduct({
    cases: 50,
    env: { REDIS_MIRROR_URL: MIRROR_URL, REDIS_MIRROR_SOURCES: 'stats' },
  });

  it('names the mirrored sources, runs a full sync and shows a comparison without mismatches', async () => {
    const p = product();
    await p.goto('/sync');
    const { page } = p;
    await expect.poll(() => page.getByText('From the original dashboard').textContent()).toContain('stats');
    await expect
      .poll(() => page.locator('table.data tr', { hasText: 'stats' }).first().innerText())
      .toContain("original dashboard's Redis (mirror)");
    await page.getByRole('button', { name: 'Full sync now' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toMatch(/Full sync: 3 changed records written/);
    await page.getByRole('button', { name: 'Compare Redis with PostgreSQL' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Compared: 0 mismatches/);
    await expect.poll(() => page.locator('.mirror-panel tbody tr').count()).toBeGreaterThan(6);
    await p.screenshot('sync-mirror-panel');
    expect(p.problems).toEqual([]);
  });
});
