import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { ensureUiBuilt } from '../../src/cli/ui-build.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS } from '../support/browser.js';
import { freePort } from '../support/oidc.js';
import { type SamlIdpServer, startSamlIdpServer } from '../support/saml.js';
import { fakeSyncControl } from '../support/sync-control.js';

// Signing in through a SAML IdP in Chromium: the IdP (samlify, on another site) posts its signed
// response across sites to the ACS; the browser's own SameSite=Lax cookie, which that POST does not
// carry, must come along on the redirect that collects the sign-in — or nobody could sign in.

const sync = fakeSyncControl();

describe.skipIf(browserSkipReason)('SAML sign-in in the browser', () => {
  let t: TestStore;
  let idp: SamlIdpServer;
  let app: FastifyInstance;
  let browser: Browser;
  let appUrl: string;

  beforeAll(async () => {
    t = await openTestStore('pglite');
    appUrl = `http://127.0.0.1:${await freePort()}`;
    idp = await startSamlIdpServer(`${appUrl}/auth/saml/metadata`);
    const config = loadConfig({
      env: {
        LOG_LEVEL: 'silent',
        DATA_DIR: 'memory://',
        AUTH_MODE: 'saml',
        SAML_ENTRY_POINT: idp.idp.ssoUrl,
        SAML_IDP_CERT: idp.idp.cert,
        PUBLIC_URL: appUrl,
        SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
        AUTH_VIEWER_GROUPS: 't5g-viewers',
        AUTH_OPERATOR_GROUPS: 't5g-operators',
      },
      dotEnv: false,
    });
    const uiDir = await ensureUiBuilt(silentLogger);
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync, uiDir });
    await app.listen({ port: Number(new URL(appUrl).port), host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await idp?.close();
    await t?.close();
  });

  it('signs in through the IdP and lands on the deep link with the name and role shown', async () => {
    const page = await browser.newPage();
    idp.signInAs({ id: 'otto', name: 'Otto Operator', email: 'otto@example.com', groups: ['t5g-operators'] });
    const deepLink = `${appUrl}/table/all?severity=High`;
    await page.goto(deepLink);
    await page.waitForURL(deepLink);
    await expect.poll(() => page.locator('.user-name').textContent()).toBe('Otto Operator');
    expect(await page.locator('.user-role').textContent()).toBe('operator');
    const held = await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM saml_requests');
    expect(held.rows[0]!.n).toBe(0);
    await page.close();
  }, 120_000);
});
