import { createHash } from 'node:crypto';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import type { Clock } from '../clock.js';
import { UpstreamConfigError, UpstreamContractError } from '../errors.js';
import type { AuthProvider, TokenEndpointClient } from '../http.js';
import type { AccessTokenCache } from '../types.js';
import { formatIssues } from '../validation.js';
import { tokenResponseSchema } from './schemas.js';

// Offline token → short-lived access token (Red Hat SSO, Keycloak refresh_token grant).
// The access token is cached until `expires_in − 30 s` (Red Hat documents 300 s): in memory, and in the shared
// `tokenCache` (PostgreSQL) when one is given, so later runs and other processes reuse it instead of exchanging
// again. Concurrent callers share one exchange. On a 401 the Portal client drops the token it used, here and in
// the shared cache, and exchanges once more (see http.ts). A failing shared cache only costs an exchange.

const EXPIRY_MARGIN_SECONDS = 30;
const DEFAULT_EXPIRES_IN_SECONDS = 300;

export interface PortalTokenSource extends AuthProvider {
  /** Number of exchanges done so far (for tests and logs). */
  readonly exchanges: number;
}

/** The shared cache's key for a credential: a hash, so the offline token itself is never stored. */
export function portalTokenCacheKey(
  portal: Pick<Config['portal'], 'ssoTokenUrl' | 'clientId' | 'offlineToken'>,
) {
  const hash = createHash('sha256')
    .update([portal.ssoTokenUrl, portal.clientId, portal.offlineToken ?? ''].join('\n'))
    .digest('hex');
  return `sso:${hash}`;
}

export function createPortalTokenSource(opts: {
  portal: Config['portal'];
  sso: TokenEndpointClient;
  clock: Clock;
  logger: Logger;
  cache?: AccessTokenCache | undefined;
}): PortalTokenSource {
  const { portal, sso, clock, logger, cache } = opts;
  const cacheKey = portalTokenCacheKey(portal);
  /** A shared-cache failure is logged (without the token) and treated as a miss. */
  const shared = async <T>(what: string, fn: (c: AccessTokenCache) => Promise<T>): Promise<T | undefined> => {
    if (!cache) return undefined;
    try {
      return await fn(cache);
    } catch (err) {
      logger.warn(
        { err: err instanceof Error ? err.message : String(err) },
        `access token cache ${what} failed`,
      );
      return undefined;
    }
  };
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
    const fresh = cached;
    await shared('write', (c) => c.put(cacheKey, fresh));
    return parsed.data.access_token;
  }

  /** Another run's or process's token when it is still good, else a new exchange. */
  async function obtain(): Promise<string> {
    const stored = await shared('read', (c) => c.get(cacheKey, clock.now()));
    if (stored && clock.now() < stored.validUntil) {
      cached = stored;
      return stored.token;
    }
    return exchange();
  }

  async function token(): Promise<string> {
    if (cached && clock.now() < cached.validUntil) return cached.token;
    pending ??= obtain().finally(() => {
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
      const used = rejected.Authorization?.replace(/^Bearer /, '');
      if (cached && used === cached.token) cached = undefined;
      if (used) await shared('drop', (c) => c.drop(cacheKey, used));
      await token();
      return true;
    },
  };
}
