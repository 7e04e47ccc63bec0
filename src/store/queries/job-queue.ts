import type { Queryable } from '../db.js';

// pg-boss keeps its jobs in the `pgboss` schema of the store's database. Its own queue counters are
// refreshed only by a supervising worker's monitor pass, so the depth is counted live instead.

export interface JobQueueDepth {
  /** Waiting: created or due for a retry (`deferred` of them not before a later time). */
  queued: number;
  deferred: number;
  active: number;
  /** Failed jobs pg-boss still keeps (its retention decides how long). */
  failed: number;
}

/** Jobs waiting, running and failed, per pg-boss queue name. */
export async function jobQueueDepth(
  q: Queryable,
  queues: readonly string[],
): Promise<Map<string, JobQueueDepth>> {
  const r = await q.query<{ queue: string } & JobQueueDepth>(
    `SELECT name AS queue,
            count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS queued,
            count(*) FILTER (WHERE state IN ('created', 'retry') AND start_after > now())::int AS deferred,
            count(*) FILTER (WHERE state = 'active')::int AS active,
            count(*) FILTER (WHERE state = 'failed')::int AS failed
     FROM pgboss.job
     WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active', 'failed')
     GROUP BY name`,
    [queues],
  );
  return new Map(
    r.rows.map((x) => [
      x.queue,
      { queued: x.queued, deferred: x.deferred, active: x.active, failed: x.failed },
    ]),
  );
}
