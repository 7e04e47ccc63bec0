/**
 * Access tokens issued by the simulated SSO. Short-lived on purpose so clients exercise their
 * refresh-and-retry path; `expireAll` backs POST /_sim/tokens/expire.
 */
import { randomBytes } from 'node:crypto';

export class TokenStore {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly ttlSeconds: number) {}

  /** Returns a JWT-shaped token; clients may decode `exp` from it, as they can with Keycloak's. */
  issue(nowMs: number, subject: string): { token: string; expiresIn: number } {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const iat = Math.floor(nowMs / 1000);
    const payload = {
      exp: iat + this.ttlSeconds,
      iat,
      jti: randomBytes(8).toString('hex'),
      iss: 'https://sso.redhat.com/auth/realms/redhat-external',
      sub: subject,
      typ: 'Bearer',
      azp: 'rhsm-api',
      scope: 'openid api.iam.service_accounts offline_access',
    };
    const token = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'sim' })}.${b64(payload)}.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, nowMs + this.ttlSeconds * 1000);
    // Keep the map from growing without bound in long demo runs.
    if (this.tokens.size > 10_000) {
      for (const [t, exp] of this.tokens) if (exp <= nowMs) this.tokens.delete(t);
    }
    return { token, expiresIn: this.ttlSeconds };
  }

  check(token: string | undefined, nowMs: number): 'valid' | 'expired' | 'unknown' {
    if (!token) return 'unknown';
    const exp = this.tokens.get(token);
    if (exp === undefined) return 'unknown';
    return exp > nowMs ? 'valid' : 'expired';
  }

  expireAll(): number {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }
}
