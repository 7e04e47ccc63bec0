import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { ensureUiBuilt } from '../../src/cli/ui-build.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS } from '../support/browser.js';
import { freePort, startTestIdp, type TestIdp } from '../support/oidc.js';
import { fakeSyncControl } from '../support/sync-control.js';

// Signing in through a real OpenID Connect provider (oidc-provider, in-process) in Chromium: the
// deep link survives the login, the header shows name and role, a page on another origin cannot
// make the signed-in browser start a job, and sign-out ends the session at t5g and the provider.

const started: string[] = [];
const sync = fakeSyncControl(started);

describe.skipIf(browserSkipReason)('sign-in in the browser', () => {
  let t: TestStore;
  let idp: TestIdp;
  let app: FastifyInstance;
  let browser: Browser;
  let evil: Server;
  let appUrl: string;
  let evilUrl: string;

  beforeAll(async () => {
    t = await openTestStore('pglite');
    appUrl = `http://127.0.0.1:${await freePort()}`;
    idp = await startTestIdp({ clientId: 't5g', appUrl });
    const config = loadConfig({
      env: {
        LOG_LEVEL: 'silent',
        DATA_DIR: 'memory://',
        AUTH_MODE: 'oidc',
        OIDC_ISSUER_URL: idp.issuer,
        OIDC_CLIENT_ID: 't5g',
        PUBLIC_URL: appUrl,
        SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
        AUTH_VIEWER_GROUPS: 't5g-viewers',
        AUTH_ADMIN_GROUPS: 't5g-admins',
      },
      dotEnv: false,
    });
    const uiDir = await ensureUiBuilt(silentLogger);
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync, uiDir });
    await app.listen({ port: Number(new URL(appUrl).port), host: '127.0.0.1' });
    // A page on another origin that tries what the audit did: a blind cross-origin POST.
    evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>evil</title><script>
        fetch(${JSON.stringify(`${appUrl}/api/v1/admin/jobs/card-creation`)}, { method: 'POST', mode: 'no-cors', credentials: 'include' })
          .finally(() => { document.title = 'sent'; });
      </script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
    await app?.close();
    await idp?.close();
    await t?.close();
  });

  it('signs in, keeps the deep link, refuses a cross-site POST, and signs out', async () => {
    const page = await browser.newPage();
    idp.signInAs({ id: 'ada', name: 'Ada Admin', email: 'ada@example.com', groups: ['t5g-admins'] });
    const deepLink = `${appUrl}/table/all?severity=High`;
    await page.goto(deepLink);
    await page.waitForURL(deepLink);
    await expect.poll(() => page.locator('.user-name').textContent()).toBe('Ada Admin');
    expect(await page.locator('.user-role').textContent()).toBe('admin');

    // Same site (127.0.0.1), so the SameSite=Lax cookie goes along: the CSRF checks must refuse it.
    await page.goto(evilUrl);
    await page.waitForFunction(() => document.title === 'sent');
    expect(started).toEqual([]);
    const refused = await t.store.db.query<{ actor: string }>(
      "SELECT actor FROM audit_log WHERE action = 'csrf.refused'",
    );
    expect(refused.rows).toEqual([{ actor: 'ada' }]);

    // The app's own write goes through (it sends the session's CSRF token).
    await page.goto(`${appUrl}/sync`);
    await page.getByRole('button', { name: 'Refresh cases' }).click();
    await expect.poll(() => started).toEqual(['cases']);

    await page.getByRole('button', { name: 'Sign out' }).click();
    // The provider asks to confirm its own logout, then comes back to t5g's signed-out page.
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    const confirm = page.locator('button[name="logout"][value="yes"], button[type="submit"]').first();
    if (await confirm.count()) await confirm.click();
    await page.waitForURL(`${appUrl}/auth/signed-out`);
    expect(await page.locator('h1').textContent()).toBe('Signed out');
    const sessions = await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
    expect(sessions.rows[0]!.n).toBe(0);
    const res = await page.request.get(`${appUrl}/api/v1/cards`);
    expect(res.status()).toBe(401);
    await page.close();
  }, 120_000);
});
