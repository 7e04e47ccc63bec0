import type { Queryable } from '../db.js';

// The `access_tokens` table: short-lived upstream access tokens shared across runs and processes.

export interface StoredAccessToken {
  token: string;
  /** Epoch ms after which the token must not be used any more. */
  validUntil: number;
}

/** The token stored under `key`, if it is still valid at `now` (epoch ms). */
export async function getAccessToken(
  q: Queryable,
  key: string,
  now: number,
): Promise<StoredAccessToken | undefined> {
  const r = await q.query<{ token: string; validUntil: Date }>(
    `SELECT access_token AS token, valid_until AS "validUntil" FROM access_tokens
     WHERE cache_key = $1 AND valid_until > $2::timestamptz`,
    [key, new Date(now).toISOString()],
  );
  const row = r.rows[0];
  return row && { token: row.token, validUntil: new Date(row.validUntil).getTime() };
}

/** Stores a token unless a longer-lived one is already there (another process exchanged later). */
export async function putAccessToken(q: Queryable, key: string, value: StoredAccessToken): Promise<void> {
  await q.query(
    `INSERT INTO access_tokens (cache_key, access_token, valid_until) VALUES ($1, $2, $3::timestamptz)
     ON CONFLICT (cache_key) DO UPDATE SET access_token = EXCLUDED.access_token,
       valid_until = EXCLUDED.valid_until, updated_at = now()
     WHERE access_tokens.valid_until < EXCLUDED.valid_until`,
    [key, value.token, new Date(value.validUntil).toISOString()],
  );
}

/** Forgets `token` (the upstream refused it); a different token stored meanwhile stays. */
export async function dropAccessToken(q: Queryable, key: string, token: string): Promise<void> {
  await q.query('DELETE FROM access_tokens WHERE cache_key = $1 AND access_token = $2', [key, token]);
}
