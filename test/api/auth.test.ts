import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { roleIncludes, USER_ROLES, type UserRole } from '../../src/shared/vocabulary.js';
import { quarantineRecords } from '../../src/store/repositories/quarantine.js';
import { ensureRun, finishRunOnce } from '../../src/store/repositories/sync-runs.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { CookieBrowser, freePort, startTestIdp, type TestAccount, type TestIdp } from '../support/oidc.js';
import { fakeSyncControl, FAKE_RUN_ID as RUN } from '../support/sync-control.js';

// Sign-in against a real OpenID Connect provider (oidc-provider, in-process), roles on every route,
// sessions and API tokens in the database, CSRF, the audit log.

const sync = fakeSyncControl();

const METRICS_TOKEN = 'metrics-token-0123456789';
const account = (id: string, groups: string[]): TestAccount => ({
  id,
  name: `User ${id}`,
  email: `${id}@example.com`,
  groups,
});
const ACCOUNTS: Record<UserRole, TestAccount> = {
  viewer: account('vera', ['staff', 't5g-viewers']),
  operator: account('otto', ['t5g-operators']),
  admin: account('ada', ['t5g-viewers', 't5g-admins']),
};

async function makeUiDir() {
  const dir = await mkdtemp(path.join(tmpdir(), 't5g-ui-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  await writeFile(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

function oidcConfig(appUrl: string, issuer: string, env: Record<string, string> = {}) {
  return loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      AUTH_MODE: 'oidc',
      OIDC_ISSUER_URL: issuer,
      OIDC_CLIENT_ID: 't5g',
      PUBLIC_URL: appUrl,
      SESSION_SECRET: 'a-session-secret-of-at-least-32-characters',
      AUTH_VIEWER_GROUPS: 't5g-viewers',
      AUTH_OPERATOR_GROUPS: 't5g-operators',
      AUTH_ADMIN_GROUPS: 't5g-admins',
      AUTH_CONTACT: 'telco-support-leads@example.com',
      METRICS_TOKEN,
      AUTH_RATE_LIMIT: '1000',
      ...env,
    },
    dotEnv: false,
  });
}

describe.each(['pglite', 'postgres'] as const)('sign-in with OIDC on %s', (backend) => {
  let t: TestStore;
  let idp: TestIdp;
  let app: FastifyInstance;
  let appUrl: string;
  let uiDir: string;

  /** Signs in through the provider; the browser then holds the session cookie. */
  async function signIn(who: TestAccount, returnTo = '/', browser = new CookieBrowser()) {
    idp.signInAs(who);
    const { res, visited } = await browser.follow(
      `${appUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    );
    return { browser, res, visited };
  }
  async function me(browser: CookieBrowser) {
    return (await (await browser.request(`${appUrl}/api/v1/auth/me`)).json()) as {
      user: { id: string; role: string } | null;
      csrfToken: string | null;
      via: string | null;
    };
  }
  async function sessionFor(role: UserRole) {
    const { browser } = await signIn(ACCOUNTS[role]);
    const csrf = (await me(browser)).csrfToken!;
    return { browser, csrf };
  }

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_auth');
    uiDir = await makeUiDir();
    appUrl = `http://127.0.0.1:${await freePort()}`;
    idp = await startTestIdp({ clientId: 't5g', appUrl });
    const config = oidcConfig(appUrl, idp.issuer);
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync, uiDir });
    await app.listen({ port: Number(new URL(appUrl).port), host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app?.close();
    await idp?.close();
    await t?.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  it('answers every anonymous API read 401, and anonymous refresh 401', async () => {
    const reads = app
      .accessRules()
      .filter((r) => r.method === 'GET' && r.url.startsWith('/api/v1/') && r.role !== 'public');
    expect(reads.length).toBeGreaterThan(20);
    for (const r of reads) {
      const res = await fetch(`${appUrl}${fillParams(r.url)}`);
      await res.body?.cancel();
      expect(res.status, r.url).toBe(401);
    }
    const refresh = await fetch(`${appUrl}/api/v1/refresh`, { method: 'POST' });
    expect(refresh.status).toBe(401);
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${appUrl}/api/openapi.json`)).status).toBe(401);
    expect((await fetch(`${appUrl}/api/docs`)).status).toBe(401);
  });

  it('keeps /metrics behind its token', async () => {
    expect((await fetch(`${appUrl}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${appUrl}/metrics`, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${appUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('# HELP');
    // The metrics token opens nothing else.
    const cards = await fetch(`${appUrl}/api/v1/cards`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(cards.status).toBe(401);
  });

  it('sends an anonymous page visit through sign-in and back to the same view', async () => {
    const deepLink = '/table/all?severity=High&sort=caseNumber:asc';
    const { browser, res, visited } = await signIn(ACCOUNTS.operator, deepLink);
    expect(visited[1]).toContain(`${idp.issuer}/auth?`);
    expect(visited[1]).toContain('code_challenge_method=S256');
    expect(visited.at(-1)).toBe(`${appUrl}${deepLink}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
    const who = await me(browser);
    expect(who).toMatchObject({ user: { id: 'otto', role: 'operator' }, via: 'session' });

    // The provider's answer replayed (same code and state) signs nobody in.
    const callback = visited.find((u) => u.startsWith(`${appUrl}/auth/callback?`))!;
    const replayer = new CookieBrowser();
    const replayed = await replayer.request(callback);
    expect(replayed.status).toBe(400);
    expect(replayer.cookie(appUrl, 't5g_session')).toBeUndefined();
    const again = await browser.request(callback);
    expect([400, 401]).toContain(again.status);
    expect(
      again.headers
        .getSetCookie()
        .some((c) => c.startsWith('t5g_session=') && !c.startsWith('t5g_session=;')),
    ).toBe(false);

    // A page visit without a session starts the same flow.
    const anon = await fetch(`${appUrl}${deepLink}`, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(anon.status).toBe(302);
    expect(anon.headers.get('location')).toBe(`/auth/login?returnTo=${encodeURIComponent(deepLink)}`);

    const users = await t.store.db.query<{ name: string; role: string; groups: string[] }>(
      "SELECT name, role, groups FROM users WHERE id = 'otto'",
    );
    expect(users.rows[0]).toEqual({ name: 'User otto', role: 'operator', groups: ['t5g-operators'] });
  });

  it('keeps session cookies HttpOnly and SameSite=Lax, and rotates the id at login', async () => {
    const browser = new CookieBrowser();
    browser.setCookie(appUrl, 't5g_session', 'planted-by-an-attacker');
    idp.signInAs(ACCOUNTS.viewer);
    const start = await browser.request(`${appUrl}/auth/login?returnTo=/`);
    let res = start;
    let url = `${appUrl}/auth/login`;
    let setCookie = '';
    while (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      res = await browser.request(url);
      if (url.startsWith(`${appUrl}/auth/callback`))
        setCookie = res.headers.getSetCookie().find((c) => c.startsWith('t5g_session=')) ?? '';
    }
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const sid = browser.cookie(appUrl, 't5g_session')!;
    expect(sid).not.toBe('planted-by-an-attacker');
    const planted = await fetch(`${appUrl}/api/v1/cards`, {
      headers: { cookie: 't5g_session=planted-by-an-attacker' },
    });
    expect(planted.status).toBe(401);
    const stored = await t.store.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM sessions WHERE id_hash = $1',
      [sid],
    );
    expect(stored.rows[0]!.n).toBe(0); // only a keyed hash of the id is stored
  });

  it('refuses a cookie-authenticated POST without the CSRF token or from another origin', async () => {
    const { browser, csrf } = await sessionFor('operator');
    const post = (headers: Record<string, string>) =>
      browser.request(`${appUrl}/api/v1/refresh`, { method: 'POST', headers });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const ok = await post({ 'x-csrf-token': csrf, origin: appUrl, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(202);
    const audit = await t.store.db.query<{ actor: string; action: string }>(
      "SELECT actor, action FROM audit_log WHERE action IN ('refresh', 'csrf.refused') ORDER BY id",
    );
    expect(audit.rows).toContainEqual({ actor: 'otto', action: 'refresh' });
    expect(audit.rows).toContainEqual({ actor: 'otto', action: 'csrf.refused' });
  });

  it('enforces roles and logs the denials', async () => {
    const { browser, csrf } = await sessionFor('viewer');
    const refresh = await browser.request(`${appUrl}/api/v1/refresh`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf },
    });
    expect(refresh.status).toBe(403);
    expect(await refresh.json()).toEqual({ message: 'this needs the operator role; you are viewer' });
    expect((await browser.request(`${appUrl}/api/v1/admin/users`)).status).toBe(403);
    expect((await browser.request(`${appUrl}/api/v1/cards`)).status).toBe(200);
    const denied = await t.store.db.query<{ target: string }>(
      "SELECT target FROM audit_log WHERE action = 'access.denied' AND actor = 'vera'",
    );
    expect(denied.rows.map((r) => r.target)).toEqual(['POST /api/v1/refresh', 'GET /api/v1/admin/users']);
  });

  it('shows the contact to a user whose groups map to no role, and starts no session', async () => {
    const { browser, res } = await signIn(account('nemo', ['staff', 't5g-viewers-old']));
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).toContain('Access denied');
    expect(page).toContain('telco-support-leads@example.com');
    expect(browser.cookie(appUrl, 't5g_session')).toBeUndefined();
    const row = await t.store.db.query("SELECT role FROM users WHERE id = 'nemo'");
    expect(row.rows).toEqual([{ role: null }]);
  });

  it('re-evaluates the role at every login', async () => {
    const promoted = { ...ACCOUNTS.viewer, id: 'pat', groups: ['t5g-viewers'] };
    expect((await me((await signIn(promoted)).browser)).user?.role).toBe('viewer');
    promoted.groups = ['t5g-operators'];
    expect((await me((await signIn(promoted)).browser)).user?.role).toBe('operator');
  });

  it('ends the session at logout and at the idle timeout', async () => {
    const { browser, csrf } = await sessionFor('viewer');
    const sid = browser.cookie(appUrl, 't5g_session')!;
    const res = await browser.request(`${appUrl}/auth/logout`, {
      method: 'POST',
      headers: { 'x-csrf-token': csrf },
    });
    expect(res.status).toBe(200);
    const { redirect } = (await res.json()) as { redirect: string };
    // The provider's logout, coming back to the signed-out page.
    expect(redirect).toContain(`${idp.issuer}/session/end`);
    expect(new URL(redirect).searchParams.get('post_logout_redirect_uri')).toBe(`${appUrl}/auth/signed-out`);
    expect(new URL(redirect).searchParams.get('id_token_hint')).toBeTruthy();
    const again = await fetch(`${appUrl}/api/v1/cards`, { headers: { cookie: `t5g_session=${sid}` } });
    expect(again.status).toBe(401);

    const idle = await sessionFor('viewer');
    expect((await idle.browser.request(`${appUrl}/api/v1/cards`)).status).toBe(200);
    await t.store.db.query("UPDATE sessions SET last_seen_at = now() - interval '3 hours'");
    const count = async () =>
      (await t.store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).rows[0]!.n;
    const before = await count();
    expect((await idle.browser.request(`${appUrl}/api/v1/cards`)).status).toBe(401);
    expect(await count()).toBe(before - 1); // the expired row is gone

    const old = await sessionFor('viewer');
    await t.store.db.query("UPDATE sessions SET created_at = now() - interval '13 hours'");
    expect((await old.browser.request(`${appUrl}/api/v1/cards`)).status).toBe(401);
  });

  it('issues API tokens once, hashed, scoped no higher than the owner, revocable and expiring', async () => {
    const { browser, csrf } = await sessionFor('operator');
    const create = (body: unknown) =>
      browser.request(`${appUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await create({ name: 'too much', role: 'admin' })).status).toBe(403);
    expect((await create({ name: '', role: 'viewer' })).status).toBe(400);
    const viewerRes = await create({ name: 'ci reader', role: 'viewer', expiresInDays: 7 });
    expect(viewerRes.status).toBe(201);
    const viewerToken = (await viewerRes.json()) as { id: string; token: string; role: string };
    expect(viewerToken.token).toMatch(/^t5g_/);
    const operatorToken = (await (await create({ name: 'cron refresh', role: 'operator' })).json()) as {
      id: string;
      token: string;
    };
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    // Stored hashed only; listed without the token.
    const rows = await t.store.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens');
    expect(rows.rows.every((r) => r.token_hash !== viewerToken.token && r.token_hash.length === 64)).toBe(
      true,
    );
    const list = (await (await browser.request(`${appUrl}/api/v1/tokens`)).json()) as { items: object[] };
    expect(list.items).toHaveLength(2);
    expect(JSON.stringify(list)).not.toContain(viewerToken.token);

    expect((await fetch(`${appUrl}/api/v1/cards`, { headers: bearer(viewerToken.token) })).status).toBe(200);
    const viewerRefresh = await fetch(`${appUrl}/api/v1/refresh`, {
      method: 'POST',
      headers: bearer(viewerToken.token),
    });
    expect(viewerRefresh.status).toBe(403);
    // Bearer requests carry no cookie, so they need no CSRF token.
    const opRefresh = await fetch(`${appUrl}/api/v1/refresh`, {
      method: 'POST',
      headers: bearer(operatorToken.token),
    });
    expect(opRefresh.status).toBe(202);
    // A token cannot mint tokens.
    const mint = await fetch(`${appUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { ...bearer(operatorToken.token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', role: 'viewer' }),
    });
    expect(mint.status).toBe(403);

    const revoke = await browser.request(`${appUrl}/api/v1/tokens/${viewerToken.id}`, {
      method: 'DELETE',
      headers: { 'x-csrf-token': csrf },
    });
    expect(revoke.status).toBe(200);
    expect((await fetch(`${appUrl}/api/v1/cards`, { headers: bearer(viewerToken.token) })).status).toBe(401);

    await t.store.db.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [
      operatorToken.id,
    ]);
    expect((await fetch(`${appUrl}/api/v1/cards`, { headers: bearer(operatorToken.token) })).status).toBe(
      401,
    );

    const changes = await t.store.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action LIKE 'token.%' ORDER BY id",
    );
    expect(changes.rows.map((r) => r.action)).toEqual(['token.create', 'token.create', 'token.revoke']);
  });

  it('lets an admin make a token for another user, no higher than that user', async () => {
    await sessionFor('operator');
    const admin = await sessionFor('admin');
    const make = (body: unknown) =>
      admin.browser.request(`${appUrl}/api/v1/admin/tokens`, {
        method: 'POST',
        headers: { 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await make({ userId: 'otto', name: 'for otto', role: 'admin' })).status).toBe(403);
    expect((await make({ userId: 'nobody', name: 'x', role: 'viewer' })).status).toBe(404);
    const res = await make({ userId: 'otto', name: 'for otto', role: 'operator' });
    expect(res.status).toBe(201);
    const made = (await res.json()) as { id: string; userId: string; createdBy: string; token: string };
    expect(made).toMatchObject({ userId: 'otto', createdBy: 'ada' });
    const asOtto = await fetch(`${appUrl}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${made.token}` },
    });
    expect(await asOtto.json()).toMatchObject({
      user: { id: 'otto', role: 'operator' },
      via: 'token',
      csrfToken: null,
    });
    const revoke = await admin.browser.request(`${appUrl}/api/v1/admin/tokens/${made.id}`, {
      method: 'DELETE',
      headers: { 'x-csrf-token': admin.csrf },
    });
    expect(revoke.status).toBe(200);
  });

  it('shows quarantined payloads to admins only, and the users and audit pages to admins', async () => {
    await t.store.write((tx) =>
      quarantineRecords(tx, [
        { source: 'cases', externalId: 'X-1', payload: { text: 'customer words' }, reason: 'bad' },
      ]),
    );
    const viewer = await sessionFor('viewer');
    const admin = await sessionFor('admin');
    const q = async (b: CookieBrowser) =>
      ((await (await b.request(`${appUrl}/api/v1/quarantine`)).json()) as { items: { payload: unknown }[] })
        .items;
    expect((await q(viewer.browser))[0]!.payload).toBeNull();
    expect((await q(admin.browser))[0]!.payload).toEqual({ text: 'customer words' });
    const users = (await (await admin.browser.request(`${appUrl}/api/v1/admin/users`)).json()) as {
      items: { id: string; role: string | null }[];
    };
    expect(users.items).toContainEqual(expect.objectContaining({ id: 'ada', role: 'admin' }));
    const audit = (await (
      await admin.browser.request(`${appUrl}/api/v1/admin/audit?action=login`)
    ).json()) as {
      items: { actor: string }[];
    };
    expect(audit.items.map((a) => a.actor)).toContain('ada');
  });

  it('walks every route × every role and token scope (the RBAC matrix)', async () => {
    const sessions = {
      viewer: await sessionFor('viewer'),
      operator: await sessionFor('operator'),
      admin: await sessionFor('admin'),
    };
    const tokens = {} as Record<UserRole, string>;
    for (const role of USER_ROLES) {
      const res = await sessions.admin.browser.request(`${appUrl}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'x-csrf-token': sessions.admin.csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `matrix ${role}`, role }),
      });
      tokens[role] = ((await res.json()) as { token: string }).token;
    }
    type Caller = {
      name: string;
      role: UserRole | null;
      token: boolean;
      send: (r: RequestInit & { url: string }) => Promise<Response>;
    };
    const callers: Caller[] = [
      {
        name: 'anonymous',
        role: null,
        token: false,
        send: (init) => fetch(init.url, { ...init, redirect: 'manual' }),
      },
      ...USER_ROLES.map((role) => ({
        name: `${role} session`,
        role,
        token: false,
        send: (init: RequestInit & { url: string }) =>
          sessions[role].browser.request(init.url, {
            ...init,
            headers: { ...(init.headers as object), 'x-csrf-token': sessions[role].csrf },
          }),
      })),
      ...USER_ROLES.map((role) => ({
        name: `${role} token`,
        role,
        token: true,
        send: (init: RequestInit & { url: string }) =>
          fetch(init.url, {
            ...init,
            redirect: 'manual',
            headers: { ...(init.headers as object), authorization: `Bearer ${tokens[role]}` },
          }),
      })),
    ];
    // Logout last: it ends the session the other rows use.
    const rules = app
      .accessRules()
      .filter((r) => r.method !== 'HEAD')
      .sort((a, b) => Number(a.url === '/auth/logout') - Number(b.url === '/auth/logout'));
    const wrong: string[] = [];
    for (const caller of callers)
      for (const rule of rules) {
        expect(rule.role, `${rule.method} ${rule.url} declares no role`).toBeDefined();
        const allowed =
          rule.role === 'public' ||
          (caller.role !== null &&
            roleIncludes(caller.role, rule.role as UserRole) &&
            !(caller.token && rule.sessionOnly));
        const url = `${appUrl}${fillParams(rule.url)}`;
        const body = rule.method === 'GET' ? undefined : '{}';
        const res = await caller.send({
          url,
          method: rule.method,
          body,
          headers: body ? { 'content-type': 'application/json' } : { accept: 'application/json' },
        } as RequestInit & { url: string });
        await res.body?.cancel();
        // A public route may still say no by itself (the sign-in callback without a login); it must not fail.
        if (rule.role === 'public') {
          if (res.status >= 500) wrong.push(`${caller.name} ${rule.method} ${rule.url}: ${res.status}`);
          continue;
        }
        const refused = res.status === 401 || res.status === 403 || (res.status === 302 && !allowed);
        if (refused === allowed) wrong.push(`${caller.name} ${rule.method} ${rule.url}: ${res.status}`);
      }
    expect(wrong).toEqual([]);
    expect(rules.length * callers.length).toBeGreaterThan(300);
  });

  it('retrying a failed run follows the job: operators retry reads, only admins a job that writes upstream', async () => {
    const failedRun = async (job: string) => {
      const id = randomUUID();
      await t.store.write(async (tx) => {
        await ensureRun(tx, { id, job, trigger: 'schedule', status: 'running' });
        await finishRunOnce(tx, id, { status: 'failed', error: 'upstream answered 502' });
      });
      return id;
    };
    const operator = await sessionFor('operator');
    const admin = await sessionFor('admin');
    const retry = async (who: { browser: CookieBrowser; csrf: string }, id: string) => {
      const res = await who.browser.request(`${appUrl}/api/v1/runs/${id}/retry`, {
        method: 'POST',
        headers: { 'x-csrf-token': who.csrf },
      });
      return { status: res.status, body: (await res.json()) as { message?: string } };
    };
    const reads = await failedRun('cases');
    expect((await retry(operator, reads)).status).toBe(202);
    const writes = await failedRun('card-creation');
    const denied = await retry(operator, writes);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(
      'card-creation writes upstream: retrying it needs the admin role; you are operator',
    );
    expect((await retry(admin, writes)).status).toBe(202);
  });
});

describe('sign-in while the identity provider cannot be reached', () => {
  it('serves health, answers 401, explains on the sign-in page, and retries discovery', async () => {
    const t = await openTestStore('pglite');
    const idpPort = await freePort();
    const appUrl = `http://127.0.0.1:${await freePort()}`;
    const config = oidcConfig(appUrl, `http://127.0.0.1:${idpPort}`);
    const app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    try {
      await app.ready();
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/api/v1/cards' })).statusCode).toBe(401);
      const page = await app.inject({ url: '/auth/login?returnTo=/home' });
      expect(page.statusCode).toBe(503);
      expect(page.body).toContain('Sign-in is unavailable');
      expect(page.body).toContain(`127.0.0.1:${idpPort}`);
      const meBefore = (await app.inject({ url: '/api/v1/auth/me' })).json();
      expect(meBefore.signIn.available).toBe(false);
      // The provider comes up on its address; the next sign-in finds it.
      const idp = await startTestIdp({ clientId: 't5g', appUrl, port: idpPort });
      try {
        const login = await app.inject({ url: '/auth/login?returnTo=/home' });
        expect(login.statusCode).toBe(302);
        expect(login.headers.location).toContain(`127.0.0.1:${idpPort}/auth?`);
      } finally {
        await idp.close();
      }
    } finally {
      await app.close();
      await t.close();
    }
  });
});

describe('rate limits', () => {
  it('answer 429 past AUTH_RATE_LIMIT on sign-in and refresh', async () => {
    const t = await openTestStore('pglite');
    const config = oidcConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { AUTH_RATE_LIMIT: '3' });
    const app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    try {
      const statuses = async (url: string, method: 'GET' | 'POST') => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) out.push((await app.inject({ method, url })).statusCode);
        return out;
      };
      expect(await statuses('/auth/login', 'GET')).toEqual([503, 503, 503, 429]);
      const limited = await app.inject({ url: '/auth/login' });
      expect(limited.json()).toEqual({ message: expect.stringContaining('Rate limit exceeded') });
      // Anonymous writes are refused before they are counted.
      expect(await statuses('/api/v1/refresh', 'POST')).toEqual([401, 401, 401, 401]);
    } finally {
      await app.close();
    }
    // Refresh, by someone allowed to (sign-in off here).
    const demo = loadConfig({
      env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', AUTH_RATE_LIMIT: '3' },
      dotEnv: false,
    });
    const open = await buildApp({
      config: demo,
      store: t.store,
      metrics: t.metrics,
      logger: silentLogger,
      sync,
    });
    try {
      const out: number[] = [];
      for (let i = 0; i < 4; i++)
        out.push((await open.inject({ method: 'POST', url: '/api/v1/refresh' })).statusCode);
      expect(out).toEqual([202, 202, 202, 429]);
    } finally {
      await open.close();
      await t.close();
    }
  });
});

describe.each(['pglite', 'postgres'] as const)('rate limits on %s', (backend) => {
  it('are shared by every web process on the same database', async () => {
    const t = await openTestStore(backend, 'api_rate_limits');
    const config = oidcConfig('http://127.0.0.1:9', 'http://127.0.0.1:9', { AUTH_RATE_LIMIT: '4' });
    const one = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    const two = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    try {
      const out: number[] = [];
      for (const app of [one, two, one, two, one, two])
        out.push((await app.inject({ url: '/auth/login', remoteAddress: '10.1.2.3' })).statusCode);
      expect(out).toEqual([503, 503, 503, 503, 429, 429]);
      const limited = await two.inject({ url: '/auth/login', remoteAddress: '10.1.2.3' });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another client has its own count.
      expect((await two.inject({ url: '/auth/login', remoteAddress: '10.9.9.9' })).statusCode).toBe(503);
    } finally {
      await one.close();
      await two.close();
      await t.close();
    }
  });
});

describe('with sign-in off (demo)', () => {
  it('refuses a cross-site POST although nobody signs in', async () => {
    const t = await openTestStore('pglite');
    const config = loadConfig({ env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://' }, dotEnv: false });
    const app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    try {
      const cross = await app.inject({
        method: 'POST',
        url: '/api/v1/admin/jobs/card-creation',
        headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      });
      expect(cross.statusCode).toBe(403);
      const same = await app.inject({ method: 'POST', url: '/api/v1/admin/jobs/card-creation' });
      expect(same.statusCode).toBe(202);
      expect((await app.inject({ url: '/api/v1/auth/me' })).json()).toMatchObject({
        mode: 'none',
        via: 'none',
        user: { role: 'admin' },
      });
    } finally {
      await app.close();
      await t.close();
    }
  });

  it('refuses to start with a route that declares no role', async () => {
    const t = await openTestStore('pglite');
    const config = loadConfig({ env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://' }, dotEnv: false });
    const app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    app.get('/api/v1/forgotten', async () => ({}));
    try {
      await expect(app.ready()).rejects.toThrow(/GET \/api\/v1\/forgotten/);
    } finally {
      await app.close().catch(() => undefined);
      await t.close();
    }
  });
});

/** A concrete URL for a route pattern. */
function fillParams(url: string): string {
  return url
    .replace(/:id\b/g, RUN)
    .replace(/:source\b/g, 'cases')
    .replace(/:job\b/g, 'card-creation')
    .replace(/:[A-Za-z]+/g, '1')
    .replace(/\*$/, 'somewhere');
}
