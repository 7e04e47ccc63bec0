import type { Queryable } from '../db.js';

/** Per-source sync cursor: the upstream modification time up to which everything is stored. */
export interface SyncState {
  source: string;
  cursor: Date | null;
  lastFullAt: Date | null;
  details: Record<string, unknown>;
  updatedAt: Date;
}

export async function getSyncState(q: Queryable, source: string): Promise<SyncState | undefined> {
  const r = await q.query<SyncState>(
    `SELECT source, cursor, last_full_at AS "lastFullAt", details, updated_at AS "updatedAt"
     FROM sync_state WHERE source = $1`,
    [source],
  );
  return r.rows[0];
}

/** Saves the cursor; call it in the same transaction as the rows it covers, so a crash cannot skip data. */
export async function saveSyncState(
  q: Queryable,
  source: string,
  patch: { cursor?: Date | null; lastFullAt?: Date | null; details?: Record<string, unknown> },
): Promise<void> {
  await q.query(
    `INSERT INTO sync_state (source, cursor, last_full_at, details)
     VALUES ($1, $2::timestamptz, $3::timestamptz, coalesce($4::jsonb, '{}'::jsonb))
     ON CONFLICT (source) DO UPDATE SET
       cursor = CASE WHEN $5 THEN EXCLUDED.cursor ELSE sync_state.cursor END,
       last_full_at = CASE WHEN $6 THEN EXCLUDED.last_full_at ELSE sync_state.last_full_at END,
       details = sync_state.details || coalesce($4::jsonb, '{}'::jsonb),
       updated_at = now()`,
    [
      source,
      patch.cursor?.toISOString() ?? null,
      patch.lastFullAt?.toISOString() ?? null,
      patch.details ? JSON.stringify(patch.details) : null,
      'cursor' in patch,
      'lastFullAt' in patch,
    ],
  );
}
