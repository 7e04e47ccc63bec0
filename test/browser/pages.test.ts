import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserProduct,
  browserSkipReason,
  SCREENSHOT_DIR,
  useBrowserProduct,
} from '../support/browser.js';
import { simControl } from '../support/sim-config.js';

// Every page of the dashboard renders with the demo data in a real browser: one h1, no error box, no
// console or page error. Plus the header (demo banner, freshness), dark mode and the refresh button.
// Screenshots: test-artifacts/screenshots/page-*.png, and what a 1280×720 laptop screen shows of the
// card table, home, stats and a report: screen-1280x720-*.png.

interface Named {
  name: string;
}
interface CardRow {
  key: string;
  caseNumber: string | null;
}
interface CaseRow {
  caseNumber: string;
  summary: string;
}

/** Records the pages that name one thing take from the API. */
interface Picks {
  account: string;
  engineer: string;
  cardKey: string;
  caseNumber: string;
  word: string;
}

/** A page, and what shows that it holds demo data: an element that must be there, or a text. */
interface PageCase {
  name: string;
  path: (d: Picks) => string;
  data: string | ((d: Picks) => { text: string });
}

const ROW = 'tr[data-row-key]';
const PAGES: PageCase[] = [
  { name: 'home', path: () => '/home', data: 'main table tbody tr' },
  { name: 'table-recent', path: () => '/table/', data: ROW },
  { name: 'table-all', path: () => '/table/all', data: ROW },
  { name: 'table-trends', path: () => '/table/trends', data: ROW },
  { name: 'cases', path: () => '/cases', data: ROW },
  { name: 'report-recent', path: () => '/updates/', data: 'article.report-card' },
  { name: 'report-all', path: () => '/updates/all', data: 'article.report-card' },
  { name: 'report-trends', path: () => '/trends/', data: 'article.report-card' },
  { name: 'weekly', path: () => '/weekly/', data: 'main li a[href^="/case/"], main li a[href*="/case"]' },
  { name: 'stats', path: () => '/stats', data: 'main table tbody tr' },
  { name: 'accounts', path: () => '/accounts', data: 'main table tbody tr a[href^="/account/"]' },
  { name: 'engineers', path: () => '/engineers', data: 'main table tbody tr a[href^="/engineer/"]' },
  { name: 'sync', path: () => '/sync', data: 'main table tbody tr td' },
  {
    name: 'account',
    path: (d) => `/account/${encodeURIComponent(d.account)}`,
    data: (d) => ({ text: d.account }),
  },
  {
    name: 'engineer',
    path: (d) => `/engineer/${encodeURIComponent(d.engineer)}`,
    data: (d) => ({ text: d.engineer }),
  },
  { name: 'case', path: (d) => `/case/${d.caseNumber}`, data: (d) => ({ text: d.cardKey }) },
  { name: 'card', path: (d) => `/card/${d.cardKey}`, data: (d) => ({ text: d.caseNumber }) },
  {
    name: 'search',
    path: (d) => `/search?q=${encodeURIComponent(d.word)}`,
    data: 'main li.search-hit mark',
  },
];

describe.skipIf(browserSkipReason)('every page in the browser', () => {
  const product = useBrowserProduct();
  let p: BrowserProduct;
  let picks: Picks;

  beforeAll(async () => {
    p = product();
    const [accounts, engineers, cards, cases] = await Promise.all([
      p.api<{ items: Named[] }>('/api/v1/accounts'),
      p.api<{ items: (Named & { cards: number })[] }>('/api/v1/engineers'),
      p.api<{ items: CardRow[] }>('/api/v1/cards?limit=20&sort=caseUpdated:desc'),
      p.api<{ items: CaseRow[] }>('/api/v1/cases?limit=20&sort=caseNumber:desc'),
    ]);
    const card = cards.items.find((c) => c.caseNumber)!;
    picks = {
      account: accounts.items[0]!.name,
      engineer: engineers.items.find((e) => e.cards > 0)!.name,
      cardKey: card.key,
      caseNumber: card.caseNumber!,
      word: cases.items
        .flatMap((c) => c.summary.split(/[^A-Za-z]+/))
        .find((w) => w.length >= 6 && /^[a-z]+$/i.test(w))!,
    };
  });

  /** The checks every page passes once rendered. */
  async function expectRendered(name: string) {
    const { page } = p;
    await expect.poll(() => page.locator('h1').count()).toBe(1);
    expect(await page.locator('h1').innerText()).not.toBe('');
    expect(await page.locator('[role=alert]').count()).toBe(0);
    await p.screenshot(`page-${name}`);
    expect(p.problems).toEqual([]);
  }

  it.each(PAGES)('renders $name with the demo data, without errors', async ({ name, path, data }) => {
    await p.goto(path(picks));
    if (typeof data === 'string') await p.page.locator(data).first().waitFor();
    else await expect.poll(() => p.page.locator('main').innerText()).toContain(data(picks).text);
    await expectRendered(name);
  });

  it('stats: the demo has a daily history, and a single day is drawn as a point with its value', async () => {
    type History = { series: Record<string, (number | null)[]> };
    const full = await p.api<History>('/api/v1/stats/history');
    expect(full.series.open_cases!.filter((v) => v !== null).length).toBeGreaterThanOrEqual(80);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const one = await p.api<History>(`/api/v1/stats/history?from=${yesterday}&to=${yesterday}`);
    const value = one.series.open_cases![0];
    expect(value).toBeGreaterThan(0);
    await p.goto(`/stats?from=${yesterday}&to=${yesterday}`);
    const chart = p.page.getByRole('img', { name: /^Stats history/ });
    await expect
      .poll(() => chart.getAttribute('aria-label'))
      .toContain(`Total Cases ${value} on ${yesterday}`);
    await p.screenshot('stats-single-day');
    expect(p.problems).toEqual([]);
  });

  it('the header shows the demo banner and per-source freshness', async () => {
    await p.goto('/home');
    await expect.poll(() => p.page.getByRole('note').innerText()).toMatch(/^Demo mode/);
    const freshness = p.page.getByRole('region', { name: 'Data freshness' });
    await expect.poll(() => freshness.innerText()).toMatch(/Cases synced (just now|\d+ \w+ ago)/);
    expect(p.problems).toEqual([]);
  });

  it('sends the pages with a content security policy', async () => {
    const res = await p.goto('/table/all');
    const headers = await res!.allHeaders();
    expect(headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(headers['content-security-policy']).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('keeps a deprecated alias working: /updates/telco5g shows the home page', async () => {
    await p.goto('/updates/telco5g');
    expect(new URL(p.page.url()).pathname).toBe('/home');
    await expectRendered('alias-updates-telco5g');
  });

  it('sorts and filters the accounts list from its URL, as the header clicks set it', async () => {
    const { page } = p;
    const { items } = await p.api<{ items: (Named & { cases: number })[] }>('/api/v1/accounts');
    const names = () => page.locator('main table tbody tr td:first-child').allInnerTexts();
    await p.goto('/accounts?sort=name&dir=asc');
    await page.locator('main table tbody tr').first().waitFor();
    const byName = [...items].map((a) => a.name).sort((a, b) => a.localeCompare(b));
    expect(await names()).toEqual(byName);

    // A click on "Cases" sorts most first (ties by name); a second click flips it.
    await page.getByRole('button', { name: 'Cases', exact: true }).click();
    const byCases = [...items].sort((a, b) => b.cases - a.cases || a.name.localeCompare(b.name));
    await expect.poll(names).toEqual(byCases.map((a) => a.name));
    expect(new URL(page.url()).searchParams.get('dir')).toBe('desc');
    await page.getByRole('button', { name: 'Cases', exact: true }).click();
    const ascCases = [...items].sort((a, b) => a.cases - b.cases || a.name.localeCompare(b.name));
    await expect.poll(names).toEqual(ascCases.map((a) => a.name));

    // The filter keeps the names that contain the text, case-insensitively.
    const needle = items[0]!.name.slice(1, 4);
    await page.getByLabel('Filter by name').fill(needle.toUpperCase());
    const matching = ascCases.filter((a) => a.name.toLowerCase().includes(needle.toLowerCase()));
    await expect.poll(names).toEqual(matching.map((a) => a.name));
    expect(await page.getByRole('status').innerText()).toBe(`${matching.length} of ${items.length} accounts`);
    expect(p.problems).toEqual([]);
  });

  it('global search finds a card by key and an engineer by name, and pages through every match', async () => {
    const { page } = p;
    const search = async (q: string) => {
      await page
        .getByRole('searchbox', { name: /^Search cases, cards, bugs, people/ })
        .first()
        .fill(q);
      await page
        .getByRole('searchbox', { name: /^Search cases, cards, bugs, people/ })
        .first()
        .press('Enter');
      await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(q);
      await page.getByTestId('search-total').waitFor();
    };
    const firstHit = page.locator('li.search-hit').first();
    await p.goto('/home');

    // A card by its JIRA key, typed in lower case.
    await search(picks.cardKey.toLowerCase());
    expect(await firstHit.locator('.search-kind').innerText()).toBe('Card');
    expect(await firstHit.getByRole('link', { name: picks.cardKey }).first().getAttribute('href')).toBe(
      `/card/${picks.cardKey}`,
    );

    // An engineer by part of the name; the hit opens the engineer's page.
    const part = picks.engineer.split(' ')[0]!;
    await search(part);
    const engineer = page.locator('li.search-hit').filter({ hasText: picks.engineer }).first();
    expect(await engineer.locator('.search-kind').innerText()).toBe('Engineer');
    await engineer.getByRole('link', { name: picks.engineer }).click();
    await expect
      .poll(() => new URL(page.url()).pathname)
      .toBe(`/engineer/${encodeURIComponent(picks.engineer)}`);

    // A word with more matches than a page: the total is every match; the pages go through them.
    let word = '';
    let total = 0;
    for (const candidate of ['cluster', 'upgrade', 'node', 'pod', picks.word]) {
      ({ total } = await p.api<{ total: number }>(`/api/v1/search?q=${candidate}&limit=1`));
      word = candidate;
      if (total > 25) break;
    }
    expect(total).toBeGreaterThan(25);
    await p.goto(`/search?q=${word}`);
    expect(await page.getByTestId('search-total').innerText()).toBe(
      `${total.toLocaleString('en-US')} results for “${word}”.`,
    );
    expect(await page.locator('li.search-hit').count()).toBe(25);
    await p.screenshot('search-paged');
    await page
      .getByRole('navigation', { name: 'Result pages (top)' })
      .getByRole('button', { name: 'Next page' })
      .click();
    await expect.poll(() => new URL(page.url()).searchParams.get('offset')).toBe('25');
    await expect
      .poll(() => page.getByRole('navigation', { name: 'Result pages (top)' }).innerText())
      .toContain(`26–${Math.min(50, total)} of ${total.toLocaleString('en-US')} results`);
    expect(await page.locator('ol.search-results').getAttribute('start')).toBe('26');
    expect(p.problems).toEqual([]);
  });

  it("Copy on a paged report copies the whole report's content, without the page's controls", async () => {
    const { page, context } = p;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: p.baseUrl });
    interface ReportAnswer {
      total: number;
      accounts: { statuses: { cards: { key: string; caseNumber: string | null }[] }[] }[];
    }
    const whole = await p.api<ReportAnswer>('/api/v1/reports/all?limit=2000');
    const cards = whole.accounts.flatMap((a) => a.statuses.flatMap((s) => s.cards));
    expect(cards).toHaveLength(whole.total);
    // Ten cards a page: the page on screen holds a fraction of the report.
    await p.goto('/updates/all?limit=10');
    await page.locator('article.report-card').first().waitFor();
    expect(await page.locator('article.report-card').count()).toBe(10);

    await page.locator('header').getByRole('button', { name: 'Copy', exact: true }).click();
    await page.locator('header').getByRole('button', { name: '✓ Copied' }).waitFor({ timeout: 30_000 });
    const { text, html } = await page.evaluate(async () => {
      const [item] = await navigator.clipboard.read();
      const read = async (type: string) => (await item!.getType(type)).text();
      return { text: await read('text/plain'), html: await read('text/html') };
    });

    // Every card of every page, by its key (the JIRA link on each card's line).
    const missing = cards.filter((c) => !text.includes(c.key)).map((c) => c.key);
    expect(missing).toEqual([]);
    expect(text).toContain(`${whole.total.toLocaleString('en-US')} cards.`);
    // The content, not the controls around it.
    for (const label of [
      'Table View',
      'Expand all',
      'Collapse all',
      'Next ›',
      '‹ Previous',
      'Refresh',
      'details',
    ])
      expect(text.split('\n').map((l) => l.trim())).not.toContain(label);
    expect(text).not.toMatch(/\bpage \d+ of \d+\b/);
    expect(html).not.toMatch(/<(button|nav|input|select|aside)\b/);
    expect(html).toContain('<h2');
    expect(p.problems).toEqual([]);
  });

  it('screenshots the card table, home, stats and a report as a 1280×720 screen shows them', async () => {
    const { page } = p;
    const screens = [
      { name: 'table', path: '/table/all', data: 'tr[data-row-key]' },
      { name: 'home', path: '/home', data: 'main table tbody tr' },
      { name: 'stats', path: '/stats', data: 'main table tbody tr' },
      { name: 'report', path: '/updates/all', data: 'article.report-card' },
    ];
    await page.setViewportSize({ width: 1280, height: 720 });
    try {
      for (const screen of screens) {
        await p.goto(screen.path);
        await page.locator(screen.data).first().waitFor();
        expect(await page.locator('[role=alert]').count(), screen.name).toBe(0);
        const file = path.join(SCREENSHOT_DIR, `screen-1280x720-${screen.name}.png`);
        await page.screenshot({ path: file });
        // The PNG's own header: the size of the screen, not of the whole page.
        const png = await readFile(file);
        expect([png.readUInt32BE(16), png.readUInt32BE(20)], screen.name).toEqual([1280, 720]);
      }
      expect(p.problems).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
    }
  });

  it('answers an unknown path with "Page not found"', async () => {
    await p.goto('/no/such/page');
    expect(await p.page.locator('h1').innerText()).toBe('Page not found');
    await p.screenshot('page-not-found');
    expect(p.problems).toEqual([]);
  });

  it('switches to dark mode and back', async () => {
    const { page } = p;
    await p.goto('/table/all');
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect
      .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .not.toBe('rgb(255, 255, 255)');
    await p.screenshot('page-table-all-dark');
    await p.goto('/home');
    await p.screenshot('page-home-dark');
    await page.getByRole('button', { name: 'Switch to light mode' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(p.problems).toEqual([]);
  });

  // Last: it runs a whole sync again.
  it('refresh shows its progress until it finishes', async () => {
    const { page } = p;
    // Slow upstreams, so the progress can be watched; new data, so the refresh has work to do.
    const slow = { latencyMs: 150 };
    await simControl(p.sim, 'faults', { method: 'PUT', body: { portal: slow, jira: slow, bugzilla: slow } });
    await simControl(p.sim, 'mutate', { body: { newCases: 2, newComments: 3, newCardComments: 3 } });
    try {
      await p.goto('/home');
      await page.getByRole('button', { name: /Refresh/ }).click();
      const progress = page.locator('progress[aria-label="Refresh progress"]');
      await progress.waitFor({ state: 'visible' });
      expect(await page.getByRole('button', { name: /Refreshing/ }).isDisabled()).toBe(true);
      // The run reports how many of its sources are done.
      await expect.poll(() => page.locator('.refresh-progress').innerText()).toMatch(/\d+\/\d+ sources/);
      await p.screenshot('refresh-in-progress', page.locator('header'));
      await page
        .getByRole('status')
        .filter({ hasText: 'Refresh finished' })
        .waitFor({ state: 'visible', timeout: 45_000 });
      expect(await progress.count()).toBe(0);
      await p.screenshot('refresh-finished', page.locator('header'));
      expect(p.problems).toEqual([]);
    } finally {
      await simControl(p.sim, 'faults', { method: 'DELETE' });
    }
  });
});
