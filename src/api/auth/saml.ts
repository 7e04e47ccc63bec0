import { type Profile, SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { AuthConfig } from '../../config/config.js';
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

/**
 * The SAML 2.0 service provider: AuthnRequests over the Redirect binding, the ACS for the POST
 * binding (signed assertion, audience, validity window and InResponseTo checked by node-saml; a
 * request id is redeemed once, so a replayed response is refused), SP metadata and the IdP's
 * single logout URL.
 */
export class SamlServiceProvider {
  private readonly saml: SAML;

  constructor(
    private readonly settings: SamlSettings,
    publicUrl: string,
  ) {
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
      // Outstanding request ids live in node-saml's in-memory cache: a sign-in finishes on the instance that began it.
      requestIdExpirationPeriodMs: REQUEST_TTL_MS,
      acceptedClockSkewMs: 60_000,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }

  /** The IdP URL that starts a sign-in; the deep link rides along as RelayState. */
  loginUrl(returnTo: string): Promise<string> {
    return this.saml.getAuthorizeUrlAsync(returnTo, undefined, {});
  }

  /** Validates a SAMLResponse posted to the ACS and reads the configured attributes. */
  async finish(samlResponse: string): Promise<LoginIdentity> {
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
