import type { Queryable } from '../db.js';

// Request counters for rate limiting (the `rate_limits` table): one row per client and route, a
// fixed window that restarts when the previous one has passed.

/** Counts one request; answers the hits in the current window and the milliseconds it has left. */
export async function countRequest(
  q: Queryable,
  key: string,
  windowMs: number,
): Promise<{ hits: number; ttlMs: number }> {
  const r = await q.query<{ hits: number; ttlMs: number }>(
    `INSERT INTO rate_limits AS r (key, window_start, hits) VALUES ($1, now(), 1)
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN r.window_start <= now() - make_interval(secs => $2::double precision / 1000) THEN 1 ELSE r.hits + 1 END,
       window_start = CASE WHEN r.window_start <= now() - make_interval(secs => $2::double precision / 1000) THEN now() ELSE r.window_start END
     RETURNING hits,
       greatest(0, ceil(extract(epoch FROM window_start + make_interval(secs => $2::double precision / 1000) - now()) * 1000))::int AS "ttlMs"`,
    [key, windowMs],
  );
  return r.rows[0]!;
}

/** Forgets counters whose window ended more than a day ago. */
export async function deleteStaleRequestCounts(q: Queryable): Promise<number> {
  const r = await q.query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'");
  return r.rowCount;
}
