import type { Queryable } from '../../src/store/db.js';

// Reads the product never makes but tests check: the change history and the number of cases.

export interface ChangeLogRow {
  id: number;
  entity: string;
  entityKey: string;
  op: 'insert' | 'update' | 'delete';
  /** Field name → [old, new]; fields logged as flags map to `true`. Empty for inserts and deletes. */
  changes: Record<string, [unknown, unknown] | true>;
  runId: string | null;
}

/** `change_log` rows, newest first. */
export async function changeLogOf(
  q: Queryable,
  opts: { entity?: string; entityKey?: string; runId?: string; limit?: number } = {},
): Promise<ChangeLogRow[]> {
  const r = await q.query<ChangeLogRow>(
    `SELECT id, entity, entity_key AS "entityKey", op, changes, run_id AS "runId"
     FROM change_log
     WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR entity_key = $2)
       AND ($3::uuid IS NULL OR run_id = $3)
     ORDER BY id DESC LIMIT $4`,
    [opts.entity ?? null, opts.entityKey ?? null, opts.runId ?? null, opts.limit ?? 100],
  );
  return r.rows;
}

export async function countStoredCases(q: Queryable): Promise<{ total: number; open: number }> {
  const r = await q.query<{ total: number; open: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE status <> 'Closed')::int AS open FROM cases`,
  );
  return r.rows[0] ?? { total: 0, open: 0 };
}
