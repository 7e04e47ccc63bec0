import type { Config } from '../../config/config.js';
import type { Clock } from '../clock.js';
import { UpstreamConfigError, UpstreamContractError } from '../errors.js';
import type { AuthProvider, TokenEndpointClient } from '../http.js';
import { formatIssues } from '../validation.js';
import { tokenResponseSchema } from './schemas.js';

// Offline token → short-lived access token (Red Hat SSO, Keycloak refresh_token grant).
// The access token is cached until `expires_in − 30 s` (Red Hat documents 300 s). Concurrent callers share one
// exchange. On a 401 the Portal client drops the token it used and exchanges once more (see http.ts).

const EXPIRY_MARGIN_SECONDS = 30;
const DEFAULT_EXPIRES_IN_SECONDS = 300;

export interface PortalTokenSource extends AuthProvider {
  /** Number of exchanges done so far (for tests and logs). */
  readonly exchanges: number;
}

export function createPortalTokenSource(opts: {
  portal: Config['portal'];
  sso: TokenEndpointClient;
  clock: Clock;
}): PortalTokenSource {
  const { portal, sso, clock } = opts;
  let cached: { token: string; validUntil: number } | undefined;
  let pending: Promise<string> | undefined;
  let exchanges = 0;

  async function exchange(): Promise<string> {
    if (!portal.offlineToken) throw new UpstreamConfigError('sso', 'PORTAL_OFFLINE_TOKEN is not set');
    exchanges++;
    const response = await sso.postForm({
      grant_type: 'refresh_token',
      client_id: portal.clientId,
      refresh_token: portal.offlineToken,
    });
    const parsed = tokenResponseSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new UpstreamContractError('sso', `unexpected token response: ${formatIssues(parsed.error)}`);
    }
    const expiresIn = parsed.data.expires_in ?? DEFAULT_EXPIRES_IN_SECONDS;
    // Very short lifetimes (test realms) would make the margin swallow the whole token; keep at least half of it.
    const usableSeconds = Math.max(expiresIn - EXPIRY_MARGIN_SECONDS, expiresIn / 2);
    cached = { token: parsed.data.access_token, validUntil: clock.now() + usableSeconds * 1000 };
    return parsed.data.access_token;
  }

  async function token(): Promise<string> {
    if (cached && clock.now() < cached.validUntil) return cached.token;
    pending ??= exchange().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  return {
    get exchanges() {
      return exchanges;
    },
    async headers() {
      return { Authorization: `Bearer ${await token()}` };
    },
    async refresh(rejected) {
      // Only drop the token the failed call used; another caller may already have fetched a fresh one.
      if (cached && rejected.Authorization === `Bearer ${cached.token}`) cached = undefined;
      await token();
      return true;
    },
  };
}
