import type { Queryable } from '../db.js';

// pg-boss keeps its jobs in the `pgboss` schema of the store's database. Its own queue counters are
// refreshed only by a supervising worker's monitor pass, so the depth is counted live instead.

/** Jobs waiting (created or due for a retry) and running, per pg-boss queue name. */
export async function jobQueueDepth(
  q: Queryable,
  queues: readonly string[],
): Promise<Map<string, { queued: number; active: number }>> {
  const r = await q.query<{ queue: string; queued: number; active: number }>(
    `SELECT name AS queue,
            count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS queued,
            count(*) FILTER (WHERE state = 'active')::int AS active
     FROM pgboss.job
     WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active')
     GROUP BY name`,
    [queues],
  );
  return new Map(r.rows.map((x) => [x.queue, { queued: x.queued, active: x.active }]));
}
