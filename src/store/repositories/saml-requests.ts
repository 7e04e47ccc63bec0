import type { Queryable } from '../db.js';

// Outstanding SAML sign-ins (the `saml_requests` table). Kept in PostgreSQL rather than in the web
// process so that a sign-in begun on one process can finish on another, and a response redeemed on
// one is refused on every other.

/** Records an AuthnRequest id as outstanding, and forgets requests older than `ttlMs` twice over. */
export async function saveSamlRequest(
  q: Queryable,
  id: string,
  createdAt: Date,
  ttlMs: number,
): Promise<void> {
  await q.query(
    `DELETE FROM saml_requests WHERE created_at < now() - make_interval(secs => $1::double precision * 2 / 1000)`,
    [ttlMs],
  );
  await q.query('INSERT INTO saml_requests (id, created_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
    id,
    createdAt,
  ]);
}

/** When the request was sent, if it is still outstanding (not yet answered, not older than `ttlMs`). */
export async function outstandingSamlRequest(
  q: Queryable,
  id: string,
  ttlMs: number,
): Promise<Date | undefined> {
  const r = await q.query<{ createdAt: Date }>(
    `SELECT created_at AS "createdAt" FROM saml_requests
     WHERE id = $1 AND answered_at IS NULL AND created_at > now() - make_interval(secs => $2::double precision / 1000)`,
    [id, ttlMs],
  );
  return r.rows[0]?.createdAt;
}

/** Marks the request answered; true for the one caller that did so (a second response for it gets false). */
export async function answerSamlRequest(q: Queryable, id: string): Promise<boolean> {
  const r = await q.query(
    'UPDATE saml_requests SET answered_at = now() WHERE id = $1 AND answered_at IS NULL RETURNING id',
    [id],
  );
  return r.rowCount > 0;
}

/** Keeps a validated sign-in for the browser that began it. */
export async function holdSamlLogin(
  q: Queryable,
  id: string,
  identity: Record<string, unknown>,
  returnTo: string,
): Promise<void> {
  await q.query('UPDATE saml_requests SET identity = $2::jsonb, return_to = $3 WHERE id = $1', [
    id,
    JSON.stringify(identity),
    returnTo,
  ]);
}

/** Hands a held sign-in over once (the row goes), if it was answered within `withinMs`. */
export async function takeSamlLogin(
  q: Queryable,
  id: string,
  withinMs: number,
): Promise<{ identity: Record<string, unknown>; returnTo: string } | undefined> {
  const r = await q.query<{ identity: Record<string, unknown>; returnTo: string }>(
    `DELETE FROM saml_requests
     WHERE id = $1 AND identity IS NOT NULL AND answered_at > now() - make_interval(secs => $2::double precision / 1000)
     RETURNING identity, return_to AS "returnTo"`,
    [id, withinMs],
  );
  return r.rows[0];
}
