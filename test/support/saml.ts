import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as samlify from 'samlify';
import { generate } from 'selfsigned';

// A SAML 2.0 identity provider built from samlify: it parses the AuthnRequests t5g sends, and
// builds and signs the responses (the assertion signed with a generated key) that a browser would
// post to t5g's ACS. Tests can bend one field of a response (audience, validity, InResponseTo)
// to check that t5g refuses it.

// The IdP side trusts its own test traffic; t5g's side (node-saml) is what is under test.
samlify.setSchemaValidator({ validate: async () => 'skipped' });

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

export interface SamlAccount {
  id: string;
  name: string;
  email: string;
  groups: string[];
}

export interface ResponseTweaks {
  /** Replaces the SP's entity id in the audience restriction. */
  audience?: string;
  /** Moves the whole validity window (IssueInstant, NotBefore, NotOnOrAfter) by this much. */
  shiftMs?: number;
  /** Ends the assertion's Conditions window this long ago (the subject confirmation stays valid). */
  conditionsEndedMsAgo?: number;
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  sloUrl: string;
  /** The certificate t5g is configured with (SAML_IDP_CERT). */
  cert: string;
  /** Answers the AuthnRequest inside `loginUrl` (t5g's redirect) with a signed response for `who`. */
  respond(
    spMetadata: string,
    loginUrl: string,
    who: SamlAccount,
    tweaks?: ResponseTweaks,
  ): Promise<{ acsUrl: string; form: Record<string, string> }>;
  /** Reads the LogoutRequest inside t5g's redirect to the IdP's single logout URL. */
  readLogoutRequest(
    spMetadata: string,
    logoutUrl: string,
  ): Promise<{ nameID: string; sessionIndex?: string }>;
}

/** `baseUrl` is where the IdP's endpoints are said to be (a real server when a browser must reach them). */
export async function startTestSamlIdp(baseUrl = 'https://idp.example.test'): Promise<TestSamlIdp> {
  const pems = await generate([{ name: 'commonName', value: 'test-idp.example.test' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const entityId = `${baseUrl}/metadata`;
  const ssoUrl = `${baseUrl}/sso`;
  const sloUrl = `${baseUrl}/slo`;
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    privateKey: pems.private,
    signingCert: pems.cert,
    nameIDFormat: [UNSPECIFIED],
    singleSignOnService: [{ Binding: REDIRECT, Location: ssoUrl }],
    singleLogoutService: [{ Binding: REDIRECT, Location: sloUrl }],
  });
  const query = (url: string) => Object.fromEntries(new URL(url).searchParams);

  return {
    entityId,
    ssoUrl,
    sloUrl,
    cert: pems.cert,
    async respond(spMetadata, loginUrl, who, tweaks = {}) {
      const sp = samlify.ServiceProvider({ metadata: spMetadata });
      const q = query(loginUrl);
      const request = await idp.parseLoginRequest(sp, 'redirect', { query: q });
      const requestId = String(request.extract.request?.id);
      const acsUrl = sp.entityMeta.getAssertionConsumerService('post') as string;
      const shift = tweaks.shiftMs ?? 0;
      const at = (ms: number) => new Date(Date.now() + shift + ms).toISOString();
      const sessionIndex = `_session_${who.id}`;
      const values: Record<string, string> = {
        ID: `_resp_${crypto.randomUUID()}`,
        AssertionID: `_assert_${crypto.randomUUID()}`,
        Destination: acsUrl,
        Audience: tweaks.audience ?? sp.entityMeta.getEntityID(),
        SubjectRecipient: acsUrl,
        Issuer: entityId,
        IssueInstant: at(0),
        StatusCode: samlify.Constants.StatusCode.Success,
        ConditionsNotBefore: at(-60_000 - (tweaks.conditionsEndedMsAgo ?? 0) * 2),
        ConditionsNotOnOrAfter:
          tweaks.conditionsEndedMsAgo === undefined ? at(5 * 60_000) : at(-tweaks.conditionsEndedMsAgo),
        SubjectConfirmationDataNotOnOrAfter: at(5 * 60_000),
        NameIDFormat: UNSPECIFIED,
        NameID: who.id,
        InResponseTo: requestId,
        AuthnStatement: '',
        AttributeStatement: '',
        AuthnInstant: at(0),
        SessionIndex: sessionIndex,
        displayName: who.name,
        email: who.email,
        ...Object.fromEntries(who.groups.map((g, i) => [`group${i}`, g])),
      };
      const attribute = (name: string, tags: string[]) =>
        `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${tags
          .map((t) => `<saml:AttributeValue xsi:type="xs:string">{${t}}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`;
      const authn =
        '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';
      const attributes = `<saml:AttributeStatement>${attribute('displayName', ['displayName'])}${attribute('email', ['email'])}${attribute(
        'groups',
        who.groups.map((_g, i) => `group${i}`),
      )}</saml:AttributeStatement>`;
      const response = (await idp.createLoginResponse(
        sp,
        request as unknown as Parameters<typeof idp.createLoginResponse>[1],
        'post',
        { email: who.email },
        (template: string) => ({
          id: values.ID!,
          context: samlify.SamlLib.replaceTagsByValue(
            template.replace('{AuthnStatement}', authn).replace('{AttributeStatement}', attributes),
            values,
          ),
        }),
      )) as { context: string };
      return { acsUrl, form: { SAMLResponse: response.context, RelayState: q.RelayState ?? '' } };
    },
    async readLogoutRequest(spMetadata, logoutUrl) {
      const sp = samlify.ServiceProvider({ metadata: spMetadata });
      const parsed = await idp.parseLogoutRequest(sp, 'redirect', { query: query(logoutUrl) });
      return {
        nameID: String(parsed.extract.nameID),
        sessionIndex: parsed.extract.sessionIndex ? String(parsed.extract.sessionIndex) : undefined,
      };
    },
  };
}

export interface SamlIdpServer {
  idp: TestSamlIdp;
  url: string;
  /** Who the next sign-in at the IdP is. */
  signInAs(who: SamlAccount): void;
  close(): Promise<void>;
}

/**
 * The IdP as a browser meets it: an HTTP server (on `localhost`, another site than t5g's
 * 127.0.0.1) whose SSO address answers the AuthnRequest with the page a real IdP sends, a form
 * that posts the signed response to t5g's ACS by itself.
 */
export async function startSamlIdpServer(spMetadataUrl: string): Promise<SamlIdpServer> {
  let who: SamlAccount | undefined;
  let idp: TestSamlIdp | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      if (url.pathname !== '/sso' || !who || !idp) {
        res.writeHead(404).end('not found');
        return;
      }
      const spMetadata = await (await fetch(spMetadataUrl)).text();
      const answer = await idp.respond(spMetadata, url.href, who);
      const fields = Object.entries(answer.form)
        .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeAttribute(v)}">`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><title>IdP</title><form method="post" action="${escapeAttribute(answer.acsUrl)}">${fields}</form><script>document.forms[0].submit()</script>`,
      );
    })().catch((err: Error) => res.writeHead(500).end(err.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://localhost:${(server.address() as AddressInfo).port}`;
  idp = await startTestSamlIdp(base);
  return {
    idp,
    url: base,
    signInAs: (account) => {
      who = account;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const escapeAttribute = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
