import type { Queryable } from '../db.js';

export interface StatsSnapshot {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  metrics: Record<string, unknown>;
  takenAt: Date;
}

/** One row per UTC day; taking the snapshot again the same day replaces it. */
export async function saveStatsSnapshot(
  q: Queryable,
  day: string,
  metrics: Record<string, unknown>,
): Promise<void> {
  await q.query(
    `INSERT INTO stats_snapshots (day, metrics) VALUES ($1::date, $2::jsonb)
     ON CONFLICT (day) DO UPDATE SET metrics = EXCLUDED.metrics, taken_at = now()`,
    [day, JSON.stringify(metrics)],
  );
}

export async function listStatsSnapshots(
  q: Queryable,
  opts: { from?: string; to?: string } = {},
): Promise<StatsSnapshot[]> {
  const r = await q.query<StatsSnapshot>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, metrics, taken_at AS "takenAt" FROM stats_snapshots
     WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)
     ORDER BY day`,
    [opts.from ?? null, opts.to ?? null],
  );
  return r.rows;
}

/**
 * Writes snapshots for days that have none (a history from elsewhere, e.g. demo mode's generated
 * one); a day already snapshotted keeps its own. Returns how many days were written.
 */
export async function backfillStatsSnapshots(
  q: Queryable,
  days: readonly { day: string; metrics: Record<string, unknown> }[],
): Promise<number> {
  if (days.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO stats_snapshots (day, metrics)
     SELECT u.day, u.metrics::jsonb FROM unnest($1::date[], $2::text[]) AS u(day, metrics)
     ON CONFLICT (day) DO NOTHING`,
    [days.map((d) => d.day), days.map((d) => JSON.stringify(d.metrics))],
  );
  return r.rowCount;
}
