import type { Queryable } from '../db.js';

// The alert rate limit shared by every worker process (table `alert_throttle`, one row per job).

/**
 * Takes the alert slot of `job` when the last alert went out at least `windowSeconds` ago (or
 * never). The claim is one conditional upsert, so of two processes racing for the same job one row
 * update wins. Returns how many alerts were held back since the previous one, or undefined when the
 * window is still closed.
 */
export async function claimAlertSlot(
  q: Queryable,
  job: string,
  windowSeconds: number,
): Promise<{ suppressedSince: number } | undefined> {
  const claimed = await q.query<{ suppressed: number | null }>(
    `WITH prev AS (SELECT suppressed FROM alert_throttle WHERE job = $1)
     INSERT INTO alert_throttle AS t (job, last_sent_at, suppressed) VALUES ($1, now(), 0)
     ON CONFLICT (job) DO UPDATE SET last_sent_at = now(), suppressed = 0
       WHERE t.last_sent_at <= now() - make_interval(secs => $2)
     RETURNING (SELECT suppressed FROM prev) AS suppressed`,
    [job, windowSeconds],
  );
  const row = claimed.rows[0];
  return row ? { suppressedSince: row.suppressed ?? 0 } : undefined;
}

/** Counts an alert of `job` held back by the window. */
export async function countSuppressedAlert(q: Queryable, job: string): Promise<void> {
  await q.query('UPDATE alert_throttle SET suppressed = suppressed + 1 WHERE job = $1', [job]);
}
