import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type CacheItem,
  type CacheProvider,
  type Profile,
  SAML,
  ValidateInResponseTo,
} from '@node-saml/node-saml';
import type { AuthConfig } from '../../config/config.js';
import type { Queryable } from '../../store/db.js';
import {
  answerSamlRequest,
  holdSamlLogin,
  outstandingSamlRequest,
  saveSamlRequest,
  takeSamlLogin,
} from '../../store/repositories/saml-requests.js';
import type { LoginIdentity } from './oidc.js';

type SamlSettings = NonNullable<AuthConfig['saml']>;

/** What a session keeps for SP-initiated single logout (stored where OIDC keeps its ID token). */
interface SamlLogoutHint {
  nameID: string;
  nameIDFormat: string;
  sessionIndex?: string;
}

/** How long an AuthnRequest id stays redeemable: a sign-in at the IdP must finish within it. */
const REQUEST_TTL_MS = 10 * 60_000;
/** How long a validated sign-in waits for its browser to collect it (one redirect away). */
const HOLD_MS = 2 * 60_000;

/** What one login start or one ACS call learns from node-saml's calls into the cache. */
interface SamlCall {
  saved?: string;
  answered?: string;
}

/**
 * node-saml's request-id cache, in PostgreSQL: every web process sees the same outstanding
 * requests. node-saml reads an id and later removes it, so two copies of one response racing on
 * two processes could both read it; `remove` is the atomic step, and it tells the calling ACS
 * (through the async context) whether it was the one that redeemed the id.
 */
class SamlRequestCache implements CacheProvider {
  readonly calls = new AsyncLocalStorage<SamlCall>();
  constructor(private readonly db: Queryable) {}

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const createdAt = new Date(value);
    await saveSamlRequest(this.db, key, createdAt, REQUEST_TTL_MS);
    const call = this.calls.getStore();
    if (call) call.saved = key;
    return { value, createdAt: createdAt.getTime() };
  }

  async getAsync(key: string): Promise<string | null> {
    const sent = await outstandingSamlRequest(this.db, key, REQUEST_TTL_MS);
    return sent ? sent.toISOString() : null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key) return null;
    if (!(await answerSamlRequest(this.db, key))) return null;
    const call = this.calls.getStore();
    if (call) call.answered = key;
    return key;
  }
}

/**
 * The SAML 2.0 service provider: AuthnRequests over the Redirect binding, the ACS for the POST
 * binding (signed assertion, audience, validity window and InResponseTo checked by node-saml; a
 * request id is redeemed once, so a replayed response is refused), SP metadata and the IdP's
 * single logout URL. A sign-in is bound to the browser that began it: the ACS only holds the
 * validated identity, and the browser whose cookie names the request collects it.
 */
export class SamlServiceProvider {
  private readonly saml: SAML;
  private readonly cache: SamlRequestCache;

  constructor(
    private readonly settings: SamlSettings,
    publicUrl: string,
    private readonly db: Queryable,
  ) {
    this.cache = new SamlRequestCache(db);
    this.saml = new SAML({
      entryPoint: settings.entryPoint,
      idpCert: settings.idpCerts,
      issuer: settings.issuer,
      audience: settings.issuer,
      callbackUrl: `${publicUrl}/auth/saml/acs`,
      logoutUrl: settings.logoutUrl ?? settings.entryPoint,
      // The local session is gone before the IdP is asked; it sends the browser back here.
      logoutCallbackUrl: `${publicUrl}/auth/signed-out`,
      wantAssertionsSigned: true,
      // Many IdPs sign only the assertion; its signature covers the subject, audience and times.
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      cacheProvider: this.cache,
      requestIdExpirationPeriodMs: REQUEST_TTL_MS,
      acceptedClockSkewMs: 60_000,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }

  /** The IdP URL that starts a sign-in (the deep link rides along as RelayState) and its request id. */
  async begin(returnTo: string): Promise<{ url: string; requestId: string }> {
    const call: SamlCall = {};
    const url = await this.cache.calls.run(call, () =>
      this.saml.getAuthorizeUrlAsync(returnTo, undefined, {}),
    );
    if (!call.saved) throw new Error('node-saml sent an AuthnRequest without recording its id');
    return { url, requestId: call.saved };
  }

  /**
   * Validates a SAMLResponse posted to the ACS and holds the identity it proves for the browser
   * that began the sign-in; answers the request id it redeemed.
   */
  async answer(samlResponse: string, returnTo: string): Promise<string> {
    const call: SamlCall = {};
    const identity = await this.cache.calls.run(call, () => this.read(samlResponse));
    // node-saml redeemed the id it validated; if another process did first, this copy is a replay.
    if (!call.answered)
      throw new Error('InResponseTo is not valid: the sign-in it answers was already completed');
    await holdSamlLogin(this.db, call.answered, { ...identity }, returnTo);
    return call.answered;
  }

  /** The identity held for this browser's request id, once. */
  async collect(requestId: string): Promise<{ identity: LoginIdentity; returnTo: string } | undefined> {
    const held = await takeSamlLogin(this.db, requestId, HOLD_MS);
    return held
      ? { identity: held.identity as unknown as LoginIdentity, returnTo: held.returnTo }
      : undefined;
  }

  private async read(samlResponse: string): Promise<LoginIdentity> {
    const { profile } = await this.saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    if (!profile) throw new Error('the response holds no assertion');
    const s = this.settings;
    const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
    const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
    const text = (v: unknown) => {
      const x = first(v);
      return typeof x === 'string' && x.length > 0 ? x : undefined;
    };
    const subject = s.userIdAttribute ? text(attributes[s.userIdAttribute]) : profile.nameID;
    if (!subject)
      throw new Error(
        s.userIdAttribute
          ? `the assertion has no ${s.userIdAttribute} attribute (SAML_USER_ID_ATTRIBUTE)`
          : 'the assertion has no NameID',
      );
    const rawGroups = attributes[s.groupsAttribute];
    const groups = (Array.isArray(rawGroups) ? rawGroups : rawGroups === undefined ? [] : [rawGroups]).filter(
      (g): g is string => typeof g === 'string',
    );
    const email = text(attributes[s.emailAttribute]) ?? null;
    const hint: SamlLogoutHint = {
      nameID: profile.nameID,
      nameIDFormat: profile.nameIDFormat,
      ...(profile.sessionIndex ? { sessionIndex: profile.sessionIndex } : {}),
    };
    return {
      subject,
      name: text(attributes[s.nameAttribute]) ?? email ?? subject,
      email,
      groups,
      claims: { nameID: profile.nameID, issuer: profile.issuer, ...attributes },
      logoutHint: JSON.stringify(hint),
    };
  }

  /** The IdP's single logout URL for this session, when SAML_LOGOUT_URL is configured. */
  async logoutUrl(logoutHint: string | null): Promise<string | undefined> {
    if (!this.settings.logoutUrl || !logoutHint) return undefined;
    let hint: SamlLogoutHint;
    try {
      hint = JSON.parse(logoutHint) as SamlLogoutHint;
    } catch {
      return undefined;
    }
    const user: Profile = {
      issuer: this.settings.issuer,
      nameID: hint.nameID,
      nameIDFormat: hint.nameIDFormat,
      ...(hint.sessionIndex ? { sessionIndex: hint.sessionIndex } : {}),
    };
    return this.saml.getLogoutUrlAsync(user, '', {});
  }

  metadata(): string {
    return this.saml.generateServiceProviderMetadata(null, null);
  }
}
