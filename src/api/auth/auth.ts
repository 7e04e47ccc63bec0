import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AuthConfig, Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import { logoutSchema, meSchema } from '../../shared/api/auth.js';
import { roleIncludes, USER_ROLES, type UserRole } from '../../shared/vocabulary.js';
import {
  type AuditEntry,
  appendAudit,
  createSession,
  deleteExpiredSessions,
  deleteSession,
  redeemApiToken,
  touchSession,
  upsertUserAtLogin,
} from '../../store/repositories/auth.js';
import { deleteStaleRequestCounts } from '../../store/repositories/rate-limits.js';
import type { Store } from '../../store/store.js';
import { responseSchema } from '../json-schema.js';
import '../roles.js';
import { type LoginIdentity, OidcClient, type PendingLogin } from './oidc.js';
import { sendPage } from './pages.js';
import { postgresRateLimitStore } from './rate-limit-store.js';
import { SamlServiceProvider } from './saml.js';

// Sign-in and access control for every route: who is asking (a browser session in PostgreSQL, a
// personal API token, or nobody), whether the route's declared role allows it, CSRF checks on
// every state change, the audit log, and the OIDC and SAML login/logout flows.

export interface Principal {
  id: string;
  name: string;
  email: string | null;
  role: UserRole;
}

export interface RequestAuth {
  user: Principal;
  /** `none`: sign-in is off; `metrics`: the METRICS_TOKEN (only on routes that accept it). */
  via: 'session' | 'token' | 'none' | 'metrics';
  sessionId?: string;
  tokenId?: string;
}

/** A route and the access rule it declares. */
export interface AccessRule {
  method: string;
  url: string;
  role: string | undefined;
  sessionOnly: boolean;
  metricsToken: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null;
  }
  interface FastifyInstance {
    /** Every route registered after the access hooks, with its rule. */
    accessRules(): AccessRule[];
  }
}

export const SESSION_COOKIE = 't5g_session';
const LOGIN_COOKIE = 't5g_login';
// Names the SAML AuthnRequest this browser sent; only that browser can collect the sign-in it proves.
const SAML_LOGIN_COOKIE = 't5g_saml_login';
const SIGN_IN_OFF: Principal = {
  id: 'anonymous',
  name: 'Anonymous (sign-in off)',
  email: null,
  role: 'admin',
};
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The route config of the endpoints worth guessing at or flooding (sign-in, tokens, refresh): at most
 * AUTH_RATE_LIMIT requests a minute per client (the user when signed in, else the address).
 */
export const RATE_LIMITED = { timeWindow: '1 minute' } as const;

export interface AuthDeps {
  config: Config;
  store: Store;
  logger: Logger;
}

/** The highest role any of the groups maps to (exact names), or null. */
export function roleForGroups(groups: readonly string[], mapping: AuthConfig['groups']): UserRole | null {
  for (const role of [...USER_ROLES].reverse())
    if (mapping[role].some((g) => groups.includes(g))) return role;
  return null;
}

export const hashApiToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newApiToken = () => `t5g_${randomBytes(32).toString('base64url')}`;

/** Constant-time comparison of a presented secret with the configured one. */
export const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Only paths on this site: no scheme, no `//host`, no backslash tricks. */
export function safeReturnTo(v: unknown): string {
  if (
    typeof v !== 'string' ||
    !v.startsWith('/') ||
    v.startsWith('//') ||
    v.includes('\\') ||
    v.length > 2000
  )
    return '/';
  return v.startsWith('/auth/') ? '/' : v;
}

/**
 * Registers cookies, rate limits, the access hooks and the sign-in routes on the root app. Call it
 * before any other route: every route registered after it is checked, and a route without a role
 * makes `ready()` fail.
 */
export async function registerAuth(app: FastifyInstance, deps: AuthDeps) {
  const { config, store, logger } = deps;
  const auth = config.auth;
  const secret = auth.sessionSecret ?? randomBytes(32).toString('base64url');
  const limits = { idleMinutes: auth.sessionIdleMinutes, absoluteHours: auth.sessionAbsoluteHours };
  const hmac = (purpose: string, v: string) =>
    createHmac('sha256', secret).update(`${purpose}:${v}`).digest('base64url');
  const sessionKey = (id: string) => hmac('session', id);
  const csrfFor = (id: string) => hmac('csrf', id);

  const oidc =
    auth.mode === 'oidc' && auth.oidc && auth.publicUrl
      ? new OidcClient(auth.oidc, `${auth.publicUrl}/auth/callback`, logger)
      : undefined;
  const saml =
    auth.mode === 'saml' && auth.saml && auth.publicUrl
      ? new SamlServiceProvider(auth.saml, auth.publicUrl, store.db)
      : undefined;
  if (auth.mode === 'none') {
    if (auth.noneAllowedExplicitly)
      logger.warn(
        'SIGN-IN IS OFF (AUTH_MODE=none, allowed by AUTH_ALLOW_NONE) although this is not a demo: everyone who can reach the port is an admin and can make t5g write upstream',
      );
    else
      logger.warn(
        'sign-in is off (AUTH_MODE=none, the demo default): everyone who can reach the port is an admin',
      );
  }
  oidc?.start();
  app.addHook('onClose', async () => oidc?.stop());

  const audit = (req: FastifyRequest, e: Omit<AuditEntry, 'ip'>) =>
    appendAudit(store.db, { ...e, ip: req.ip }).catch((err) =>
      req.log.warn({ err: (err as Error).message, action: e.action }, 'audit log write failed'),
    );

  await app.register(cookie, { secret });
  await app.register(rateLimit, {
    global: false,
    max: auth.rateLimitPerMinute,
    store: postgresRateLimitStore(store.db),
    // Counting needs PostgreSQL; while it is unreachable the route answers for itself (503).
    skipOnError: true,
    keyGenerator: (req) =>
      req.auth && (req.auth.via === 'session' || req.auth.via === 'token')
        ? `user:${req.auth.user.id}`
        : req.ip,
  });
  app.decorateRequest('auth', null);

  // Every route must declare its role; checked once all are registered.
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.decorate('accessRules', () =>
    routes.flatMap((r) =>
      [r.method].flat().map((method) => ({
        method,
        url: r.url,
        role: r.config?.role,
        sessionOnly: r.config?.sessionOnly ?? false,
        metricsToken: r.config?.metricsToken ?? false,
      })),
    ),
  );
  app.addHook('onReady', async () => {
    const missing = routes.filter((r) => !r.config?.role).map((r) => `${r.method} ${r.url}`);
    if (missing.length) throw new Error(`routes without a role rule (config.role): ${missing.join(', ')}`);
  });

  const publicOrigin = auth.publicUrl ? new URL(auth.publicUrl).origin : undefined;
  const secureCookie = (req: FastifyRequest) =>
    req.protocol === 'https' || Boolean(auth.publicUrl?.startsWith('https:'));

  const authenticate = async (
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<RequestAuth | null | 'invalid'> => {
    if (auth.mode === 'none') return { user: SIGN_IN_OFF, via: 'none' };
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const presented = header.slice(7).trim();
      if (
        req.routeOptions.config?.metricsToken &&
        auth.metricsToken &&
        sameText(presented, auth.metricsToken)
      )
        return {
          user: { id: 'metrics', name: 'metrics scraper', email: null, role: 'viewer' },
          via: 'metrics',
        };
      const found = await redeemApiToken(store.db, hashApiToken(presented));
      // A token never does more than its owner may do now.
      if (!found?.user.role) return 'invalid';
      const role = roleIncludes(found.user.role, found.token.role) ? found.token.role : found.user.role;
      const { id, name, email } = found.user;
      return { user: { id, name, email, role }, via: 'token', tokenId: found.token.id };
    }
    const sid = req.cookies[SESSION_COOKIE];
    if (!sid) return null;
    const session = await touchSession(store.db, sessionKey(sid), limits);
    if (!session?.user.role) {
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return null;
    }
    const { id, name, email, role } = session.user;
    return { user: { id, name, email, role }, via: 'session', sessionId: sid };
  };

  const wantsPage = (req: FastifyRequest) =>
    req.method === 'GET' && !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');

  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config;
    const rule = cfg?.role;
    // Public routes need nobody's identity (so assets cost no session lookup), except the one that reports it.
    if ((!rule || rule === 'public') && req.routeOptions.url !== '/api/v1/auth/me') return;
    const who = await authenticate(req, reply);
    req.auth = who === 'invalid' ? null : who;
    // No rule: the not-found handler, which has nothing to protect.
    if (!rule || rule === 'public') return;
    if (who === 'invalid') return reply.code(401).send({ message: 'invalid, expired or revoked API token' });
    if (!who) {
      if (wantsPage(req)) return reply.redirect(`/auth/login?returnTo=${encodeURIComponent(req.url)}`);
      return reply.code(401).send({ message: 'sign in first (or send Authorization: Bearer <API token>)' });
    }
    if (who.via === 'metrics') return;
    if (!roleIncludes(who.user.role, rule)) {
      await audit(req, {
        actor: who.user.id,
        action: 'access.denied',
        target: `${req.method} ${req.routeOptions.url}`,
        detail: { role: who.user.role, needs: rule, via: who.via },
      });
      return reply.code(403).send({ message: `this needs the ${rule} role; you are ${who.user.role}` });
    }
    if (cfg.sessionOnly && who.via === 'token')
      return reply.code(403).send({ message: 'this needs a signed-in browser session, not an API token' });
    if (UNSAFE.has(req.method) && who.via !== 'token') {
      const problem = csrfProblem(req, who);
      if (problem) {
        await audit(req, {
          actor: who.user.id,
          action: 'csrf.refused',
          target: `${req.method} ${req.url}`,
          detail: { problem },
        });
        return reply.code(403).send({ message: `cross-site request refused: ${problem}` });
      }
    }
  });

  /** Browsers say where a request comes from; a signed-in browser must also echo its CSRF token. */
  function csrfProblem(req: FastifyRequest, who: RequestAuth): string | undefined {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${site}`;
    const origin = req.headers.origin;
    const expected = publicOrigin ?? `${req.protocol}://${req.host}`;
    if (origin && origin !== expected) return `Origin ${origin} is not ${expected}`;
    if (who.via === 'session') {
      const sent = req.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameText(sent, csrfFor(who.sessionId!)))
        return 'missing or wrong X-CSRF-Token';
    }
    return undefined;
  }

  // Successful refresh triggers and upstream-writing job runs, as the routes declare; before the
  // answer goes out, so whoever got the answer finds the entry.
  app.addHook('onSend', async (req, reply) => {
    const action = req.routeOptions.config?.audit;
    if (!action || reply.statusCode >= 400) return;
    await audit(req, {
      actor: req.auth?.user.id ?? null,
      action,
      target: req.url,
      detail: { status: reply.statusCode, via: req.auth?.via ?? null },
    });
  });

  // The sign-in flow -------------------------------------------------------------------------------

  const contactLine = auth.contact
    ? `To get access, contact ${auth.contact}.`
    : 'Ask your t5g administrator for access.';

  /**
   * The end of every sign-in: the user provisioned (role from groups, exact names, at every login),
   * a fresh session id, the audit entry, and back to the deep link.
   */
  async function completeLogin(
    req: FastifyRequest,
    reply: FastifyReply,
    identity: LoginIdentity,
    returnTo: string,
  ) {
    const role = roleForGroups(identity.groups, auth.groups);
    const user = await upsertUserAtLogin(store.db, {
      id: identity.subject,
      name: identity.name,
      email: identity.email,
      groups: identity.groups,
      role,
      attributes: identity.claims,
    });
    if (!role) {
      await audit(req, { actor: user.id, action: 'login.denied', detail: { groups: identity.groups } });
      return sendPage(reply, 403, {
        title: 'Access denied',
        lines: [
          `You are signed in at the identity provider as ${user.name}, but none of your groups gives access to t5g.`,
          contactLine,
        ],
      });
    }
    // A new id at every login: a session id planted before it (fixation) is worth nothing.
    const previous = req.cookies[SESSION_COOKIE];
    if (previous) await deleteSession(store.db, sessionKey(previous));
    const sid = randomBytes(32).toString('base64url');
    await createSession(store.db, { idHash: sessionKey(sid), userId: user.id, idToken: identity.logoutHint });
    void deleteExpiredSessions(store.db, limits).catch(() => undefined);
    void deleteStaleRequestCounts(store.db).catch(() => undefined);
    reply.setCookie(SESSION_COOKIE, sid, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: secureCookie(req),
      maxAge: auth.sessionAbsoluteHours * 3600,
    });
    await audit(req, { actor: user.id, action: 'login', detail: { role, groups: identity.groups } });
    return reply.redirect(returnTo);
  }

  app.get<{ Querystring: { returnTo?: string } }>(
    '/auth/login',
    { config: { role: 'public', rateLimit: RATE_LIMITED }, schema: { hide: true } },
    async (req, reply) => {
      const returnTo = safeReturnTo(req.query.returnTo);
      if (saml) {
        const started = await saml.begin(returnTo);
        reply.setCookie(SAML_LOGIN_COOKIE, started.requestId, {
          path: '/auth/saml',
          httpOnly: true,
          sameSite: 'lax',
          secure: secureCookie(req),
          signed: true,
          maxAge: 600,
        });
        return reply.redirect(started.url);
      }
      if (!oidc) return reply.redirect(returnTo);
      const started = await oidc.begin(returnTo);
      if (!started)
        return sendPage(reply, 503, {
          title: 'Sign-in is unavailable',
          lines: [
            `t5g cannot sign you in right now: ${oidc.problem}.`,
            't5g keeps trying; try again in a minute.',
          ],
          link: { href: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`, label: 'Try again' },
        });
      reply.setCookie(LOGIN_COOKIE, JSON.stringify(started.pending), {
        path: '/auth',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie(req),
        signed: true,
        maxAge: 600,
      });
      return reply.redirect(started.url.href);
    },
  );

  app.get(
    '/auth/callback',
    { config: { role: 'public', rateLimit: RATE_LIMITED }, schema: { hide: true } },
    async (req, reply) => {
      if (!oidc) return reply.redirect('/');
      const raw = req.cookies[LOGIN_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : undefined;
      reply.clearCookie(LOGIN_COOKIE, { path: '/auth' });
      let pending: PendingLogin | undefined;
      try {
        pending =
          unsigned?.valid && unsigned.value ? (JSON.parse(unsigned.value) as PendingLogin) : undefined;
      } catch {
        pending = undefined;
      }
      if (!pending)
        return sendPage(reply, 400, {
          title: 'Sign-in expired',
          lines: ['This sign-in was already used or took too long. Start again.'],
          link: { href: '/auth/login', label: 'Sign in' },
        });
      const callbackUrl = new URL(req.url, auth.publicUrl);
      let identity: LoginIdentity;
      try {
        identity = await oidc.finish(callbackUrl, pending);
      } catch (err) {
        await audit(req, { actor: null, action: 'login.failed', detail: { error: (err as Error).message } });
        req.log.warn({ err: (err as Error).message }, 'sign-in failed');
        return sendPage(reply, 401, {
          title: 'Sign-in failed',
          lines: [`The identity provider's answer was not accepted: ${(err as Error).message}.`],
          link: { href: `/auth/login?returnTo=${encodeURIComponent(pending.returnTo)}`, label: 'Try again' },
        });
      }
      return completeLogin(req, reply, identity, pending.returnTo);
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { role: 'viewer', sessionOnly: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign out (deletes the session)',
        response: { 200: responseSchema(logoutSchema) },
      },
    },
    async (req, reply) => {
      const signedOut = `${auth.publicUrl ?? ''}/auth/signed-out`;
      if (req.auth?.via !== 'session') return { redirect: '/' };
      const ended = await deleteSession(store.db, sessionKey(req.auth.sessionId!));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await audit(req, { actor: req.auth.user.id, action: 'logout' });
      const idp = saml
        ? await saml.logoutUrl(ended?.idToken ?? null)
        : oidc?.logoutUrl(ended?.idToken ?? null, signedOut);
      return { redirect: idp ?? signedOut };
    },
  );

  if (saml) {
    // The IdP posts its response as a form (HTTP-POST binding) from its own origin, so this route is
    // public and carries no CSRF token: the signed assertion and its InResponseTo are the proof.
    await app.register(async (acs) => {
      acs.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 1024 * 1024 },
        (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
      );
      acs.post<{ Body: { SAMLResponse?: unknown; RelayState?: unknown } | undefined }>(
        '/auth/saml/acs',
        { config: { role: 'public', rateLimit: RATE_LIMITED }, schema: { hide: true } },
        async (req, reply) => {
          const returnTo = safeReturnTo(req.body?.RelayState);
          const response = req.body?.SAMLResponse;
          const again = { href: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`, label: 'Sign in' };
          if (typeof response !== 'string' || response.length === 0)
            return sendPage(reply, 400, {
              title: 'Sign-in failed',
              lines: ['This address expects the identity provider to post a SAMLResponse.'],
              link: again,
            });
          try {
            await saml.answer(response, returnTo);
          } catch (err) {
            await audit(req, {
              actor: null,
              action: 'login.failed',
              detail: { error: (err as Error).message },
            });
            req.log.warn({ err: (err as Error).message }, 'SAML sign-in failed');
            return sendPage(reply, 401, {
              title: 'Sign-in failed',
              lines: [`The identity provider's answer was not accepted: ${(err as Error).message}.`],
              link: { ...again, label: 'Try again' },
            });
          }
          // The IdP's cross-site POST carries no SameSite=Lax cookie; the top-level GET it is
          // redirected to does, so that is where the sign-in is matched to the browser.
          return reply.redirect('/auth/saml/complete', 303);
        },
      );
    });

    app.get(
      '/auth/saml/complete',
      { config: { role: 'public', rateLimit: RATE_LIMITED }, schema: { hide: true } },
      async (req, reply) => {
        const raw = req.cookies[SAML_LOGIN_COOKIE];
        const unsigned = raw ? req.unsignCookie(raw) : undefined;
        reply.clearCookie(SAML_LOGIN_COOKIE, { path: '/auth/saml' });
        const held = unsigned?.valid && unsigned.value ? await saml.collect(unsigned.value) : undefined;
        if (!held) {
          await audit(req, {
            actor: null,
            action: 'login.failed',
            detail: { error: 'the SAML response does not answer a sign-in begun in this browser' },
          });
          return sendPage(reply, 400, {
            title: 'Sign-in expired',
            lines: [
              'This sign-in was not started in this browser, was already used or took too long. Start again.',
            ],
            link: { href: '/auth/login', label: 'Sign in' },
          });
        }
        return completeLogin(req, reply, held.identity, held.returnTo);
      },
    );

    app.get(
      '/auth/saml/metadata',
      { config: { role: 'public' }, schema: { hide: true } },
      async (_req, reply) => reply.type('application/samlmetadata+xml; charset=utf-8').send(saml.metadata()),
    );
  }

  app.get('/auth/signed-out', { config: { role: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    sendPage(reply, 200, {
      title: 'Signed out',
      lines: ['You have signed out of t5g.'],
      link: { href: '/auth/login', label: 'Sign in again' },
    }),
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { role: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, and the CSRF token for writes',
        response: { 200: responseSchema(meSchema) },
      },
    },
    async (req) => {
      const a = req.auth;
      const user = a && a.via !== 'metrics' ? a.user : null;
      return {
        mode: auth.mode,
        user,
        via: user ? (a!.via as 'session' | 'token' | 'none') : null,
        csrfToken: a?.via === 'session' ? csrfFor(a.sessionId!) : null,
        signIn: {
          available:
            auth.mode === 'none' || saml !== undefined || (oidc !== undefined && oidc.problem === null),
          problem: oidc?.problem ?? null,
        },
        contact: auth.contact ?? null,
      };
    },
  );

  return { oidc, saml, audit };
}
