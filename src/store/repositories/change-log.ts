import type { Queryable } from '../db.js';

export interface ChangeLogEntry {
  id: number;
  entity: string;
  entityKey: string;
  op: 'insert' | 'update' | 'delete';
  /** Field name → [old, new]; fields logged as flags map to `true`. Empty for inserts and deletes. */
  changes: Record<string, [unknown, unknown] | true>;
  changedAt: Date;
  runId: string | null;
}

export async function listChanges(
  q: Queryable,
  opts: { entity?: string; entityKey?: string; runId?: string; limit?: number } = {},
): Promise<ChangeLogEntry[]> {
  const r = await q.query<ChangeLogEntry>(
    `SELECT id, entity, entity_key AS "entityKey", op, changes, changed_at AS "changedAt", run_id AS "runId"
     FROM change_log
     WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR entity_key = $2)
       AND ($3::uuid IS NULL OR run_id = $3)
     ORDER BY id DESC LIMIT $4`,
    [opts.entity ?? null, opts.entityKey ?? null, opts.runId ?? null, opts.limit ?? 100],
  );
  return r.rows;
}
