import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { CookieBrowser, freePort } from '../support/oidc.js';
import {
  type ResponseTweaks,
  type SamlAccount,
  startTestSamlIdp,
  type TestSamlIdp,
} from '../support/saml.js';
import { fakeSyncControl } from '../support/sync-control.js';

// Sign-in through a SAML 2.0 identity provider built from samlify (signed assertions, generated
// key): login, deep link, denied group, logout with single logout, and the responses t5g must
// refuse (expired, wrong audience, replayed, unsigned by the configured IdP).

const sync = fakeSyncControl();

const VIEWER: SamlAccount = {
  id: 'vera',
  name: 'Vera Viewer',
  email: 'vera@example.com',
  groups: ['staff', 't5g-viewers'],
};
const ADMIN: SamlAccount = { id: 'ada', name: 'Ada Admin', email: 'ada@example.com', groups: ['t5g-admins'] };
// A group whose name merely contains a mapped one gives nothing: matching is exact.
const OUTSIDER: SamlAccount = {
  id: 'olga',
  name: 'Olga Outsider',
  email: 'olga@example.com',
  groups: ['t5g-viewers-old', 'staff'],
};

describe.each(['pglite', 'postgres'] as const)('sign-in with SAML on %s', (backend) => {
  let t: TestStore;
  let idp: TestSamlIdp;
  let app: FastifyInstance;
  let appUrl: string;
  let spMetadata: string;
  let config: Config;

  /** t5g's redirect to the IdP, the IdP's signed answer, and the browser posting it to the ACS. */
  async function signIn(
    who: SamlAccount,
    returnTo = '/',
    tweaks?: ResponseTweaks,
    browser = new CookieBrowser(),
  ) {
    const start = await browser.request(`${appUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(start.status).toBe(302);
    const loginUrl = start.headers.get('location')!;
    const answer = await idp.respond(spMetadata, loginUrl, who, tweaks);
    const res = await postAcs(browser, answer);
    return { browser, res, loginUrl, answer };
  }
  const acsRequest = (answer: { form: Record<string, string> }): RequestInit => ({
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://idp.example.test',
      'sec-fetch-site': 'cross-site',
    },
    body: new URLSearchParams(answer.form).toString(),
  });
  /** The browser posts the IdP's answer to the ACS and, when it is accepted, follows it to collect the sign-in. */
  async function postAcs(browser: CookieBrowser, answer: { acsUrl: string; form: Record<string, string> }) {
    const res = await browser.request(answer.acsUrl, acsRequest(answer));
    if (res.status !== 303) return res;
    expect(res.headers.get('location')).toBe('/auth/saml/complete');
    return browser.request(`${appUrl}/auth/saml/complete`);
  }
  async function me(browser: CookieBrowser) {
    return (await (await browser.request(`${appUrl}/api/v1/auth/me`)).json()) as {
      mode: string;
      user: { id: string; name: string; email: string | null; role: string } | null;
      csrfToken: string | null;
      signIn: { available: boolean };
    };
  }
  const failures = async () =>
    (
      await t.store.db.query<{ error: string }>(
        "SELECT detail->>'error' AS error FROM audit_log WHERE action = 'login.failed' ORDER BY id",
      )
    ).rows.map((r) => r.error);

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_saml');
    idp = await startTestSamlIdp();
    appUrl = `http://127.0.0.1:${await freePort()}`;
    config = loadConfig({
      env: {
        LOG_LEVEL: 'silent',
        DATA_DIR: 'memory://',
        AUTH_MODE: 'saml',
        SAML_ENTRY_POINT: idp.ssoUrl,
        SAML_IDP_CERT: idp.cert,
        SAML_LOGOUT_URL: idp.sloUrl,
        PUBLIC_URL: appUrl,
        SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
        AUTH_VIEWER_GROUPS: 't5g-viewers',
        AUTH_ADMIN_GROUPS: 't5g-admins',
        AUTH_CONTACT: 'telco-support-leads@example.com',
        AUTH_RATE_LIMIT: '1000',
      },
      dotEnv: false,
    });
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    await app.listen({ port: Number(new URL(appUrl).port), host: '127.0.0.1' });
    const res = await fetch(`${appUrl}/auth/saml/metadata`);
    expect(res.status).toBe(200);
    spMetadata = await res.text();
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('publishes SP metadata with the entity id and the POST-binding ACS', () => {
    expect(spMetadata).toContain(`entityID="${appUrl}/auth/saml/metadata"`);
    expect(spMetadata).toContain(`Location="${appUrl}/auth/saml/acs"`);
    expect(spMetadata).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(spMetadata).toContain('WantAssertionsSigned="true"');
  });

  it('answers anonymous API reads 401 and says sign-in is available', async () => {
    const rules = app.accessRules();
    // The IdP posts to the ACS from its own origin and fetches the metadata: both are public on purpose.
    expect(
      rules.filter((r) => r.url.startsWith('/auth/saml/')).map((r) => `${r.method} ${r.url} ${r.role}`),
    ).toEqual(expect.arrayContaining(['POST /auth/saml/acs public', 'GET /auth/saml/metadata public']));
    const reads = rules.filter(
      (r) => r.method === 'GET' && r.url.startsWith('/api/v1/') && r.role !== 'public',
    );
    expect(reads.length).toBeGreaterThan(20);
    for (const r of reads) {
      const res = await fetch(`${appUrl}${r.url.replace(/:[A-Za-z]+/g, '1').replace(/\*$/, 'x')}`);
      await res.body?.cancel();
      expect(res.status, r.url).toBe(401);
    }
    expect((await fetch(`${appUrl}/api/v1/refresh`, { method: 'POST' })).status).toBe(401);
    const info = await me(new CookieBrowser());
    expect(info.mode).toBe('saml');
    expect(info.signIn.available).toBe(true);
  });

  it('signs in, provisions the user from the attributes, and keeps the deep link', async () => {
    const deepLink = '/cards?status=open&q=5g';
    const { browser, res, loginUrl } = await signIn(VIEWER, deepLink);
    expect(loginUrl.startsWith(`${idp.ssoUrl}?`)).toBe(true);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(deepLink);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('t5g_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const who = await me(browser);
    expect(who.user).toMatchObject({
      id: 'vera',
      name: 'Vera Viewer',
      email: 'vera@example.com',
      role: 'viewer',
    });
    expect((await browser.request(`${appUrl}/api/v1/cards`)).status).toBe(200);
    const row = await t.store.db.query<{ groups: string[]; role: string }>(
      'SELECT groups, role FROM users WHERE id = $1',
      ['vera'],
    );
    expect(row.rows[0]).toEqual({ groups: ['staff', 't5g-viewers'], role: 'viewer' });
    // The viewer role is enforced on a SAML session like any other.
    const write = await browser.request(`${appUrl}/api/v1/admin/jobs/card-creation`, {
      method: 'POST',
      headers: { 'x-csrf-token': who.csrfToken! },
    });
    expect(write.status).toBe(403);
  });

  it('rotates the session id at login (a planted id is worth nothing)', async () => {
    const browser = new CookieBrowser();
    browser.setCookie(appUrl, 't5g_session', 'planted-by-an-attacker');
    await signIn(ADMIN, '/', undefined, browser);
    const sid = browser.cookie(appUrl, 't5g_session');
    expect(sid).toBeDefined();
    expect(sid).not.toBe('planted-by-an-attacker');
    expect((await me(browser)).user?.role).toBe('admin');
  });

  it('denies a user whose groups map to no role, naming the contact, with no session', async () => {
    const { browser, res } = await signIn(OUTSIDER);
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('telco-support-leads@example.com');
    expect(browser.cookie(appUrl, 't5g_session')).toBeUndefined();
    const denied = await t.store.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'login.denied' AND actor = 'olga'",
    );
    expect(denied.rows).toHaveLength(1);
  });

  it('refuses an expired assertion', async () => {
    const { browser, res } = await signIn(VIEWER, '/', { shiftMs: -2 * 3600_000 });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Sign-in failed');
    expect(browser.cookie(appUrl, 't5g_session')).toBeUndefined();
    // The bearer confirmation's NotOnOrAfter is the first time node-saml checks; the same response
    // un-shifted is accepted (the sign-in test).
    expect((await failures()).at(-1)).toMatch(/subject confirmation/i);
    const lapsed = await signIn(VIEWER, '/', { conditionsEndedMsAgo: 10 * 60_000 });
    expect(lapsed.res.status).toBe(401);
    expect(lapsed.browser.cookie(appUrl, 't5g_session')).toBeUndefined();
    expect((await failures()).at(-1)).toMatch(/expired/i);
  });

  it('refuses an assertion for another audience', async () => {
    const { browser, res } = await signIn(VIEWER, '/', { audience: 'https://some-other-app.example.com' });
    expect(res.status).toBe(401);
    expect(browser.cookie(appUrl, 't5g_session')).toBeUndefined();
    expect((await failures()).at(-1)).toMatch(/audience/i);
  });

  it('refuses a replayed response', async () => {
    const first = await signIn(VIEWER);
    expect(first.res.status).toBe(302);
    const replay = await postAcs(new CookieBrowser(), first.answer);
    expect(replay.status).toBe(401);
    expect((await failures()).at(-1)).toMatch(/InResponseTo/i);
  });

  it('signs in only the browser that began the sign-in (a response posted from another browser is refused)', async () => {
    // An attacker begins a sign-in with their own account and makes the victim's browser post the
    // IdP's answer: the victim must not end up signed in as the attacker.
    const attacker = new CookieBrowser();
    const start = await attacker.request(`${appUrl}/auth/login`);
    const answer = await idp.respond(spMetadata, start.headers.get('location')!, ADMIN);
    const victim = new CookieBrowser();
    const res = await postAcs(victim, answer);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not started in this browser');
    expect(victim.cookie(appUrl, 't5g_session')).toBeUndefined();
    expect((await failures()).at(-1)).toMatch(/begun in this browser/);
  });

  it('finishes a sign-in on another web process, and refuses its replay on every process', async () => {
    const other = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    try {
      const browser = new CookieBrowser();
      const start = await browser.request(`${appUrl}/auth/login?returnTo=%2Fstats`);
      const answer = await idp.respond(spMetadata, start.headers.get('location')!, VIEWER);
      const init = acsRequest(answer);
      const acs = await other.inject({
        method: 'POST',
        url: '/auth/saml/acs',
        headers: init.headers as Record<string, string>,
        payload: init.body as string,
      });
      expect(acs.statusCode).toBe(303);
      const done = await browser.request(`${appUrl}/auth/saml/complete`);
      expect(done.status).toBe(302);
      expect(done.headers.get('location')).toBe('/stats');
      expect((await me(browser)).user?.id).toBe('vera');
      const replay = await postAcs(new CookieBrowser(), answer);
      expect(replay.status).toBe(401);
      const replayElsewhere = await other.inject({
        method: 'POST',
        url: '/auth/saml/acs',
        headers: init.headers as Record<string, string>,
        payload: init.body as string,
      });
      expect(replayElsewhere.statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses a response signed by another IdP, and one without a SAMLResponse', async () => {
    const impostor = await startTestSamlIdp();
    const browser = new CookieBrowser();
    const start = await browser.request(`${appUrl}/auth/login`);
    const answer = await impostor.respond(spMetadata, start.headers.get('location')!, ADMIN);
    const res = await postAcs(browser, answer);
    expect(res.status).toBe(401);
    expect(browser.cookie(appUrl, 't5g_session')).toBeUndefined();
    const empty = await postAcs(browser, { acsUrl: `${appUrl}/auth/saml/acs`, form: { RelayState: '/' } });
    expect(empty.status).toBe(400);
  });

  it('signs out locally and sends the browser to the IdP single logout for this session', async () => {
    const { browser } = await signIn(VIEWER);
    const sid = browser.cookie(appUrl, 't5g_session')!;
    const csrf = (await me(browser)).csrfToken!;
    const res = await browser.request(`${appUrl}/auth/logout`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf },
    });
    expect(res.status).toBe(200);
    const { redirect } = (await res.json()) as { redirect: string };
    expect(redirect.startsWith(`${idp.sloUrl}?`)).toBe(true);
    const request = await idp.readLogoutRequest(spMetadata, redirect);
    expect(request).toEqual({ nameID: 'vera', sessionIndex: '_session_vera' });
    // The session is gone at once, whatever the IdP does next.
    const again = await fetch(`${appUrl}/api/v1/cards`, { headers: { cookie: `t5g_session=${sid}` } });
    expect(again.status).toBe(401);
    const ended = await t.store.db.query(
      "SELECT 1 FROM audit_log WHERE action = 'logout' AND actor = 'vera'",
    );
    expect(ended.rows.length).toBeGreaterThan(0);
  });
});

describe('SAML configuration', () => {
  const base = {
    LOG_LEVEL: 'silent',
    DATA_DIR: 'memory://',
    AUTH_MODE: 'saml',
    PUBLIC_URL: 'https://t5g.example.com',
    SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
    AUTH_VIEWER_GROUPS: 't5g-viewers',
  };

  it('names the missing IdP settings', () => {
    expect(() => loadConfig({ env: base, dotEnv: false })).toThrow(
      /SAML_ENTRY_POINT[\s\S]*SAML_IDP_CERT|SAML_IDP_CERT[\s\S]*SAML_ENTRY_POINT/,
    );
  });

  it('defaults the SP entity id to the metadata address and reads the attribute names', () => {
    const config = loadConfig({
      env: {
        ...base,
        SAML_ENTRY_POINT: 'https://idp.example.com/sso',
        SAML_IDP_CERT: 'MIIBfake',
        SAML_GROUPS_ATTRIBUTE: 'memberOf',
      },
      dotEnv: false,
    });
    expect(config.auth.saml).toMatchObject({
      issuer: 'https://t5g.example.com/auth/saml/metadata',
      groupsAttribute: 'memberOf',
      nameAttribute: 'displayName',
      userIdAttribute: undefined,
      logoutUrl: undefined,
    });
  });
});
