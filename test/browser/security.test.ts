import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, useBrowserProduct } from '../support/browser.js';

// The security headers in a real browser: Swagger UI at /api/docs still works under its
// Content-Security-Policy (it renders every operation, and the browser reports no violation), and
// a page on another origin cannot frame the docs or the dashboard.

describe.skipIf(browserSkipReason)('security headers in the browser', () => {
  const product = useBrowserProduct({ cases: 30 });
  let other: Server;
  let otherUrl: string;

  beforeAll(async () => {
    other = createServer((_req, res) => {
      const base = product().baseUrl;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><h1>elsewhere</h1><iframe id="docs" src="${base}/api/docs/"></iframe>` +
          `<iframe id="ui" src="${base}/"></iframe>`,
      );
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherUrl = `http://localhost:${(other.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await new Promise((resolve) => other?.close(resolve));
  });

  it('Swagger UI renders every operation under its CSP', async () => {
    const { page, baseUrl } = product();
    await page.goto(`${baseUrl}/api/docs/`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent()).toContain('t5g API');
    await expect.poll(() => page.locator('.swagger-ui .opblock').count()).toBeGreaterThan(20);
    // "Try it out" on a read route runs in the page, through connect-src 'self'.
    const meta = page.locator('.opblock', { hasText: '/api/v1/meta' }).first();
    await meta.locator('.opblock-summary').click();
    await meta.getByRole('button', { name: 'Try it out' }).click();
    await meta.getByRole('button', { name: 'Execute' }).click();
    await expect
      .poll(() =>
        meta.locator('.live-responses-table tr.response .response-col_status').first().textContent(),
      )
      .toContain('200');
    await product().screenshot('security-api-docs');
    expect(product().problems).toEqual([]);
  });

  it('another origin cannot frame the docs or the dashboard', async () => {
    const { page, baseUrl } = product();
    await page.goto(otherUrl);
    expect(await page.locator('h1').textContent()).toBe('elsewhere');
    const framed = page.frames().filter((f) => f !== page.mainFrame());
    expect(framed).toHaveLength(2);
    for (const frame of framed) {
      await expect.poll(() => frame.locator('.swagger-ui, #root').count()).toBe(0);
      expect(frame.url().startsWith(baseUrl) && (await frame.locator('body *').count()) > 0).toBe(false);
    }
    // Chromium says why it refused, as a console error.
    expect(product().problems.some((p) => /frame|ancestors/i.test(p.text))).toBe(true);
    product().clearProblems();
  });
});
