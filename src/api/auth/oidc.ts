import * as oidc from 'openid-client';
import type { AuthConfig } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';

type OidcSettings = NonNullable<AuthConfig['oidc']>;

/** What a sign-in (OIDC callback or SAML ACS) learnt about the user. */
export interface LoginIdentity {
  subject: string;
  name: string;
  email: string | null;
  groups: string[];
  claims: Record<string, unknown>;
  /** What the provider's logout needs later: the OIDC ID token, or the SAML NameID and SessionIndex. */
  logoutHint: string | null;
}

/** The values a login keeps between the redirect to the provider and its callback. */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The OpenID Connect relying party: discovery (retried with backoff while the provider cannot be
 * reached, so t5g serves without it), the authorization-code flow with PKCE, state and nonce, and
 * the provider's logout URL.
 */
export class OidcClient {
  private configuration: oidc.Configuration | undefined;
  private attempt: Promise<oidc.Configuration | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs = 2000;
  private stopped = false;
  /** Why sign-in is not possible now, or null. */
  problem: string | null = 'the identity provider has not been reached yet';

  constructor(
    private readonly settings: OidcSettings,
    private readonly redirectUri: string,
    private readonly logger: Logger,
  ) {}

  /** Starts discovery in the background; failures are retried until it succeeds or `stop()`. */
  start(): void {
    void this.ready();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The provider's configuration, discovering it now when it is still missing. */
  ready(): Promise<oidc.Configuration | undefined> {
    if (this.configuration) return Promise.resolve(this.configuration);
    this.attempt ??= this.discover().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async discover(): Promise<oidc.Configuration | undefined> {
    const issuer = new URL(this.settings.issuerUrl);
    try {
      const secret = this.settings.clientSecret;
      this.configuration = await oidc.discovery(
        issuer,
        this.settings.clientId,
        secret,
        secret ? oidc.ClientSecretPost(secret) : oidc.None(),
        {
          // Plain http only to a provider on this machine (development and tests).
          execute:
            issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? [oidc.allowInsecureRequests] : [],
          timeout: 10,
        },
      );
      this.problem = null;
      if (this.timer) clearTimeout(this.timer);
      this.logger.info({ issuer: issuer.href }, 'identity provider discovered');
      return this.configuration;
    } catch (err) {
      this.problem = `the identity provider at ${issuer.origin} cannot be reached (${(err as Error).message})`;
      this.logger.warn(
        { issuer: issuer.href, err: (err as Error).message, retryInMs: this.delayMs },
        'OIDC discovery failed',
      );
      if (!this.stopped && !this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          void this.ready();
        }, this.delayMs);
        this.timer.unref();
        this.delayMs = Math.min(this.delayMs * 2, 60_000);
      }
      return undefined;
    }
  }

  /** The provider's authorization URL and what its callback must match. */
  async begin(returnTo: string): Promise<{ url: URL; pending: PendingLogin } | undefined> {
    const config = await this.ready();
    if (!config) return undefined;
    const verifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier,
      returnTo,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /** Exchanges the callback's code (checking state, nonce and PKCE) and reads the user's claims. */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<LoginIdentity> {
    const config = await this.ready();
    if (!config) throw new Error(this.problem ?? 'identity provider unavailable');
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = (tokens.claims() ?? {}) as Record<string, unknown>;
    let claims = idClaims;
    // Providers that follow the spec strictly put profile claims only into userinfo.
    if (!(this.settings.groupsClaim in claims) || !('name' in claims) || !('email' in claims)) {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, String(idClaims.sub));
      claims = { ...info, ...idClaims };
    }
    const subject = String(claims.sub);
    const rawGroups = claims[this.settings.groupsClaim];
    const groups = Array.isArray(rawGroups)
      ? rawGroups.map(String)
      : typeof rawGroups === 'string'
        ? [rawGroups]
        : [];
    const name = [claims.name, claims.preferred_username, claims.email, subject].find(
      (v): v is string => typeof v === 'string' && v.length > 0,
    )!;
    return {
      subject,
      name,
      email: typeof claims.email === 'string' ? claims.email : null,
      groups,
      claims,
      logoutHint: tokens.id_token ?? null,
    };
  }

  /** The provider's logout URL when it has one (RP-initiated logout), else undefined. */
  logoutUrl(idToken: string | null, postLogoutRedirect: string): string | undefined {
    if (!this.configuration?.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = {
      post_logout_redirect_uri: postLogoutRedirect,
      client_id: this.settings.clientId,
    };
    if (idToken) params.id_token_hint = idToken;
    return oidc.buildEndSessionUrl(this.configuration, params).href;
  }
}
