import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

// A real OpenID Connect provider (oidc-provider) in-process. Its login and consent interactions are
// completed by the test: whoever `signInAs` names is the next user to sign in, as if they had typed
// their password and agreed.

export interface TestAccount {
  id: string;
  name: string;
  email: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  provider: Provider;
  signInAs(account: TestAccount): void;
  close(): Promise<void>;
}

/** A port nothing listens on now (for an app whose URL must be known before it starts). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTestIdp(client: {
  clientId: string;
  appUrl: string;
  port?: number;
}): Promise<TestIdp> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(client.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  let next: TestAccount | undefined;

  const configuration: Configuration = {
    clients: [
      {
        client_id: client.clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${client.appUrl}/auth/callback`],
        post_logout_redirect_uris: [`${client.appUrl}/auth/signed-out`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email'] },
    findAccount: (_ctx, id) => {
      const a = accounts.get(id);
      if (!a) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: a.name, email: a.email, groups: a.groups }) };
    },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['t5g-test-idp-cookie-key'] },
  };
  const provider = new Provider(issuer, configuration);

  provider.use(async (ctx, nextMw) => {
    const m = /^\/interaction\/([^/]+)$/.exec(ctx.path);
    if (!m) return nextMw();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result: Record<string, unknown>;
    if (details.prompt.name === 'login') {
      if (!next) throw new Error('the test named nobody to sign in (signInAs)');
      accounts.set(next.id, next);
      result = { login: { accountId: next.id } };
    } else {
      const accountId = details.session!.accountId;
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ??
          new provider.Grant({ accountId, clientId: client.clientId }))
        : new provider.Grant({ accountId, clientId: client.clientId });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(to);
  });

  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    signInAs: (account) => {
      next = account;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A cookie-keeping HTTP client that follows redirects across hosts, like a browser without script. */
export class CookieBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string) {
    const host = new URL(url).host;
    const jar = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, jar);
    jar.set(name, value);
  }

  /** One request, no redirect following; keeps the cookies it sets. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.jar.get(host) ?? new Map<string, string>();
      this.jar.set(host, jar);
      const expired = attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** Follows redirects; returns the last answer and every URL visited. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; visited: string[] }> {
    const visited = [url];
    let res = await this.request(url, init);
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400; i++) {
      const next = new URL(res.headers.get('location')!, visited.at(-1)).href;
      visited.push(next);
      res = await this.request(next);
    }
    return { res, visited };
  }
}
