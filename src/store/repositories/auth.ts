import type { Queryable } from '../db.js';

// Users, sessions, personal API tokens and the audit log. These are the service's own records, not
// synced data: they are written directly (no change_log, no change feed, nothing cached).

export type UserRole = 'viewer' | 'operator' | 'admin';

export interface UserRow {
  id: string;
  name: string;
  email: string | null;
  groups: string[];
  role: UserRole | null;
  firstLoginAt: Date;
  lastLoginAt: Date;
}

const USER_COLUMNS = `id, name, email, groups, role, first_login_at AS "firstLoginAt", last_login_at AS "lastLoginAt"`;

/** Creates the user at the first login; at every later one refreshes attributes, groups and role. */
export async function upsertUserAtLogin(
  q: Queryable,
  u: {
    id: string;
    name: string;
    email: string | null;
    groups: string[];
    role: UserRole | null;
    attributes: Record<string, unknown>;
  },
): Promise<UserRow> {
  const r = await q.query<UserRow>(
    `INSERT INTO users (id, name, email, groups, role, attributes)
     VALUES ($1, $2, $3, $4::text[], $5, $6::jsonb)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, groups = EXCLUDED.groups,
       role = EXCLUDED.role, attributes = EXCLUDED.attributes, last_login_at = now()
     RETURNING ${USER_COLUMNS}`,
    [u.id, u.name, u.email, u.groups, u.role, JSON.stringify(u.attributes)],
  );
  return r.rows[0]!;
}

export async function listUsers(q: Queryable): Promise<UserRow[]> {
  return (await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY last_login_at DESC, id`)).rows;
}

export async function getUser(q: Queryable, id: string): Promise<UserRow | undefined> {
  return (await q.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])).rows[0];
}

// Sessions ------------------------------------------------------------------------------------

export interface SessionLimits {
  idleMinutes: number;
  absoluteHours: number;
}

export async function createSession(
  q: Queryable,
  s: { idHash: string; userId: string; idToken: string | null },
): Promise<void> {
  await q.query('INSERT INTO sessions (id_hash, user_id, id_token) VALUES ($1, $2, $3)', [
    s.idHash,
    s.userId,
    s.idToken,
  ]);
}

export interface ActiveSession {
  user: UserRow;
  idToken: string | null;
}

/**
 * The session's user when the session is within both timeouts; it also moves the idle clock on (at
 * most once a minute, so reads do not turn into a write each). An expired session is deleted.
 */
export async function touchSession(
  q: Queryable,
  idHash: string,
  limits: SessionLimits,
): Promise<ActiveSession | undefined> {
  const r = await q.query<UserRow & { idToken: string | null; live: boolean; stale: boolean }>(
    `SELECT u.id, u.name, u.email, u.groups, u.role, u.first_login_at AS "firstLoginAt",
       u.last_login_at AS "lastLoginAt", s.id_token AS "idToken",
       (s.last_seen_at > now() - make_interval(mins => $2) AND s.created_at > now() - make_interval(hours => $3)) AS live,
       s.last_seen_at < now() - interval '1 minute' AS stale
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1`,
    [idHash, limits.idleMinutes, limits.absoluteHours],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  if (!row.live) {
    await deleteSession(q, idHash);
    return undefined;
  }
  if (row.stale) await q.query('UPDATE sessions SET last_seen_at = now() WHERE id_hash = $1', [idHash]);
  const { idToken, live: _live, stale: _stale, ...user } = row;
  return { user, idToken };
}

export async function deleteSession(
  q: Queryable,
  idHash: string,
): Promise<{ idToken: string | null } | undefined> {
  const r = await q.query<{ idToken: string | null }>(
    'DELETE FROM sessions WHERE id_hash = $1 RETURNING id_token AS "idToken"',
    [idHash],
  );
  return r.rows[0];
}

/** Deletes every session past either timeout. */
export async function deleteExpiredSessions(q: Queryable, limits: SessionLimits): Promise<number> {
  const r = await q.query(
    `DELETE FROM sessions
     WHERE last_seen_at <= now() - make_interval(mins => $1) OR created_at <= now() - make_interval(hours => $2)`,
    [limits.idleMinutes, limits.absoluteHours],
  );
  return r.rowCount;
}

// API tokens ------------------------------------------------------------------------------------

export interface ApiTokenRow {
  id: string;
  userId: string;
  name: string;
  role: UserRole;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const TOKEN_COLUMNS = `id, user_id AS "userId", name, role, created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export async function insertApiToken(
  q: Queryable,
  t: {
    userId: string;
    name: string;
    role: UserRole;
    tokenHash: string;
    createdBy: string;
    expiresInDays: number;
  },
): Promise<ApiTokenRow> {
  const r = await q.query<ApiTokenRow>(
    `INSERT INTO api_tokens (user_id, name, role, token_hash, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6)) RETURNING ${TOKEN_COLUMNS}`,
    [t.userId, t.name, t.role, t.tokenHash, t.createdBy, t.expiresInDays],
  );
  return r.rows[0]!;
}

/** The token's owner and scope when it exists, is not revoked and has not expired. */
export async function redeemApiToken(
  q: Queryable,
  tokenHash: string,
): Promise<{ token: ApiTokenRow; user: UserRow } | undefined> {
  const r = await q.query<ApiTokenRow>(
    `UPDATE api_tokens SET last_used_at = now()
     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING ${TOKEN_COLUMNS}`,
    [tokenHash],
  );
  const token = r.rows[0];
  if (!token) return undefined;
  const user = await getUser(q, token.userId);
  return user ? { token, user } : undefined;
}

export async function listApiTokens(q: Queryable, userId?: string): Promise<ApiTokenRow[]> {
  const r = await q.query<ApiTokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at DESC, id`,
    [userId ?? null],
  );
  return r.rows;
}

/** Revokes the token (of `userId` only, when given); the token when it was live until now. */
export async function revokeApiToken(
  q: Queryable,
  id: string,
  userId?: string,
): Promise<ApiTokenRow | undefined> {
  const r = await q.query<ApiTokenRow>(
    `UPDATE api_tokens SET revoked_at = now()
     WHERE id = $1 AND ($2::text IS NULL OR user_id = $2) AND revoked_at IS NULL RETURNING ${TOKEN_COLUMNS}`,
    [id, userId ?? null],
  );
  return r.rows[0];
}

// Audit log ----------------------------------------------------------------------------------------

export interface AuditEntry {
  actor: string | null;
  action: string;
  target?: string | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

export async function appendAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query(
    'INSERT INTO audit_log (actor, action, target, ip, detail) VALUES ($1, $2, $3, $4, $5::jsonb)',
    [e.actor, e.action, e.target ?? null, e.ip ?? null, JSON.stringify(e.detail ?? {})],
  );
}

/** Newest first; `before` pages back by id. */
export async function listAudit(
  q: Queryable,
  opts: { limit: number; before?: number; action?: string },
): Promise<AuditRow[]> {
  const r = await q.query<AuditRow>(
    `SELECT id, at, actor, action, target, ip, detail FROM audit_log
     WHERE ($1::bigint IS NULL OR id < $1) AND ($2::text IS NULL OR action = $2)
     ORDER BY id DESC LIMIT $3`,
    [opts.before ?? null, opts.action ?? null, opts.limit],
  );
  return r.rows;
}
