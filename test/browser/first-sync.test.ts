import { beforeAll, describe, expect, it } from 'vitest';
import { type BrowserProduct, browserSkipReason, useBrowserProduct } from '../support/browser.js';
import { simControl } from '../support/sim-config.js';

// A fresh install: the first full sync runs at start-up, and the tables are empty until it stores
// their rows. They say so, with the sync's progress, rather than "No cards match these filters".
// Screenshot: test-artifacts/screenshots/first-sync-table.png.

describe.skipIf(browserSkipReason)('the first sync in the browser', () => {
  const product = useBrowserProduct({
    cases: 60,
    firstSync: 'background',
    // A slow JIRA: the cards job of the first sync takes long enough to be watched.
    beforeSync: (sim) =>
      simControl(sim, 'faults', { method: 'PUT', body: { jira: { latencyMs: 1500 } } }).then(() => undefined),
  });
  let p: BrowserProduct;

  beforeAll(() => {
    p = product();
  });

  it('an empty card table says the first sync is running, with its progress, until the cards arrive', async () => {
    const { page } = p;
    await p.goto('/table/all');
    const message = page.getByTestId('first-sync');
    await expect.poll(() => message.innerText()).toMatch(/^The first sync is running; the cards appear here/);
    await expect.poll(() => message.innerText()).toMatch(/\d+ of \d+ sources done/);
    expect(await message.locator('progress[aria-label="First sync progress"]').count()).toBe(1);
    expect(await page.locator('main').innerText()).not.toContain('match these filters');
    await p.screenshot('first-sync-table');

    // Once JIRA answers at its usual speed the sync completes and the rows replace the message.
    await simControl(p.sim, 'faults', { method: 'DELETE' });
    await p.firstSync;
    await page.locator('tr[data-row-key]').first().waitFor({ timeout: 30_000 });
    expect(await message.count()).toBe(0);

    // A filter that matches nothing says that, not the first sync.
    await p.goto('/table/all?q=zzzqqqnothingmatches');
    await expect.poll(() => page.locator('td.empty').innerText()).toBe('No cards match these filters.');
    expect(p.problems).toEqual([]);
  });
});
