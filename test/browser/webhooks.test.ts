import { describe, expect, it } from 'vitest';
import { browserSkipReason, useBrowserProduct } from '../support/browser.js';

// Live JIRA webhooks in the browser, as `npm start` runs the demo: a card changed in the simulated
// JIRA updates an open card page by itself (no cards pass runs: schedules are off), and the sync
// page says when the last webhook arrived.

describe.skipIf(browserSkipReason)('JIRA webhooks in the browser', () => {
  const product = useBrowserProduct({ cases: 50, webhooks: true });

  it('an open card page shows a JIRA change within seconds, and the sync page shows the webhook', async () => {
    const p = product();
    const card = p.sim.state
      .cards()
      .find((c) => c.caseNumber && c.labels.includes('field') && c.status !== 'Blocked');
    if (!card) throw new Error('fixture: no team card to change');
    await p.goto(`/card/${card.key}`);
    const heading = p.page.locator('.detail-card h3', { hasText: card.key }).first();
    expect(await heading.innerText()).not.toContain('Blocked');

    await fetch(`${p.sim.url}/_sim/mutate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ setCardStatus: { key: card.key, status: 'Blocked' } }),
    });
    await expect.poll(() => heading.innerText(), { timeout: 10_000 }).toContain('Blocked');

    await p.goto('/sync');
    const last = p.page.locator('td.last-webhook').first();
    await expect.poll(() => last.innerText()).not.toBe('never');
    expect(await p.page.locator('table.webhooks').innerText()).toContain(
      `jira:issue_updated ${card.key}: applied`,
    );
    await p.screenshot('sync-webhooks');
    expect(p.problems).toEqual([]);
  });
});
