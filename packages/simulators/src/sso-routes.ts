/**
 * Red Hat SSO (Keycloak) offline-token exchange:
 * POST /auth/realms/redhat-external/protocol/openid-connect/token
 */
import { randomUUID } from 'node:crypto';
import { json, RouteTable } from './http.js';

export const SSO_PREFIX = '/sso';
export const SSO_TOKEN_PATH = '/auth/realms/redhat-external/protocol/openid-connect/token';

export function ssoRoutes(): RouteTable {
  const routes = new RouteTable('sso', SSO_PREFIX);
  routes.add('POST', SSO_TOKEN_PATH, (req, ctx) => {
    // Keycloak reads the token request as form data only; a JSON body has no form parameters.
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      return json(400, { error: 'invalid_request', error_description: 'Missing form parameter: grant_type' });
    }
    const form: Record<string, string> = Object.fromEntries(new URLSearchParams(req.rawBody));
    const clientId = typeof form.client_id === 'string' ? form.client_id : '';
    const grantType = typeof form.grant_type === 'string' ? form.grant_type : '';
    const refreshToken = typeof form.refresh_token === 'string' ? form.refresh_token : '';
    if (clientId !== 'rhsm-api') {
      return json(401, {
        error: 'invalid_client',
        error_description: 'Invalid client or Invalid client credentials',
      });
    }
    if (grantType !== 'refresh_token') {
      return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant_type' });
    }
    const expected = ctx.options.credentials.offlineToken;
    if (
      refreshToken === '' ||
      (ctx.options.strictAuth && expected !== undefined && refreshToken !== expected)
    ) {
      return json(400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    }
    const { token, expiresIn } = ctx.tokens.issue(ctx.state.now(), 'f:sim:offline-user');
    const body: Record<string, unknown> = {
      access_token: token,
      expires_in: expiresIn,
      refresh_expires_in: 0,
      refresh_token: refreshToken,
      token_type: 'Bearer',
      'not-before-policy': 0,
      session_state: randomUUID(),
      scope: 'openid api.iam.service_accounts offline_access',
    };
    // An invalid record here is a token response without the one field clients read.
    if (ctx.invalidRecord()) delete body.access_token;
    return json(200, body);
  });
  return routes;
}
