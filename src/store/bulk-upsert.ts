import type { Queryable } from './db.js';

// Bulk upsert with change detection, one statement per batch. For a spec over table T with key K
// and columns C1..Cn it runs:
//
//   WITH input AS (                      -- every value arrives as text[] and is cast here, so
//     SELECT u.k::type, u.c1::type, ...  -- node-postgres and PGlite serialise parameters alike
//     FROM unnest($1::text[], ..., $n::text[]) AS u(k, c1, ..., cn)
//   ),
//   before AS (SELECT t.* FROM T t JOIN input i USING (K)),          -- the rows as they were
//   written AS (
//     INSERT INTO T AS t (K, C1..Cn) SELECT ... FROM input
//     ON CONFLICT (K) DO UPDATE SET C = EXCLUDED.C, synced_at = now()
//       WHERE (t.C1, ...) IS DISTINCT FROM (EXCLUDED.C1, ...)        -- unchanged rows are skipped
//     RETURNING t.*
//   ),
//   logged AS (
//     INSERT INTO change_log (entity, entity_key, op, changes, run_id)
//     SELECT ..., jsonb_strip_nulls(jsonb_build_object('c1', CASE WHEN b.c1 IS DISTINCT FROM w.c1
//                   THEN jsonb_build_array(b.c1, w.c1) END, ...))    -- old -> new per field
//     FROM written w LEFT JOIN before b USING (K)
//     RETURNING entity_key, op
//   )
//   SELECT entity_key, op FROM logged
//
// so a re-sync of identical data writes nothing, and `change_log` only ever records real changes.
// Table and column names come from the specs in this folder, never from input.

export type ColumnType =
  | 'text'
  | 'timestamptz'
  | 'date'
  | 'smallint'
  | 'integer'
  | 'boolean'
  | 'jsonb'
  | 'uuid'
  | 'text[]';

export interface ColumnSpec {
  /** Column name in the table. */
  name: string;
  /** Property of the input record holding the value; defaults to the column name. */
  field?: string;
  type: ColumnType;
  /** Large values (the raw upstream record) are compared but logged as `true` instead of old → new. */
  logAsFlag?: boolean;
}

export interface UpsertSpec {
  table: string;
  entity: string;
  key: readonly string[];
  columns: readonly ColumnSpec[];
  /** Columns joined with ':' that name a row in change_log; defaults to the key. */
  logKey?: readonly string[];
  /** Set to now() on every write; defaults to 'synced_at'. `null` when the table has no such column. */
  touchColumn?: string | null;
}

/** Any record whose properties are named by the spec's columns (`field ?? name`). */
export type UpsertRow = object;

const get = (row: UpsertRow, field: string): unknown => (row as Record<string, unknown>)[field];

export interface UpsertResult {
  inserted: string[];
  updated: string[];
  unchanged: number;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Builds the statement once per spec; the returned function runs it for a batch of rows. */
export function bulkUpserter(spec: UpsertSpec) {
  const all = [
    ...spec.key.map((name) => columnOf(spec, name)),
    ...spec.columns.filter((c) => !spec.key.includes(c.name)),
  ];
  for (const name of [spec.table, ...all.map((c) => c.name)]) {
    if (!IDENT.test(name)) throw new Error(`bulkUpserter: invalid identifier ${name}`);
  }
  const text = buildStatement(spec, all);
  return async (q: Queryable, rows: readonly UpsertRow[], runId?: string | null): Promise<UpsertResult> => {
    if (rows.length === 0) return { inserted: [], updated: [], unchanged: 0 };
    const unique = dedupeByKey(
      spec.key.map((k) => columnOf(spec, k).field ?? k),
      rows,
    );
    const params: unknown[] = all.map((c) => unique.map((r) => toText(get(r, c.field ?? c.name), c.type)));
    params.push(spec.entity, runId ?? null);
    const result = await q.query<{ entity_key: string; op: 'insert' | 'update' }>(text, params);
    const inserted: string[] = [];
    const updated: string[] = [];
    for (const row of result.rows) (row.op === 'insert' ? inserted : updated).push(row.entity_key);
    return { inserted, updated, unchanged: unique.length - inserted.length - updated.length };
  };
}

function columnOf(spec: UpsertSpec, name: string): ColumnSpec {
  const col = spec.columns.find((c) => c.name === name);
  if (!col) throw new Error(`bulkUpserter(${spec.table}): key column ${name} is not in columns`);
  return col;
}

function buildStatement(spec: UpsertSpec, all: ColumnSpec[]): string {
  const names = all.map((c) => c.name);
  const key = spec.key.join(', ');
  const nonKey = all.filter((c) => !spec.key.includes(c.name));
  const touch = spec.touchColumn === undefined ? 'synced_at' : spec.touchColumn;
  const logKey = (spec.logKey ?? spec.key).map((c) => `w.${c}::text`).join(` || ':' || `);
  const casts = all.map((c) => `${castFromText(`u.${c.name}`, c.type)} AS ${c.name}`).join(',\n      ');
  const unnest = all.map((_c, i) => `$${i + 1}::text[]`).join(', ');
  const entityParam = `$${all.length + 1}`;
  const runParam = `$${all.length + 2}`;
  const sets = [
    ...nonKey.map((c) => `${c.name} = EXCLUDED.${c.name}`),
    ...(touch ? [`${touch} = now()`] : []),
  ];
  const changed = nonKey.length
    ? `WHERE (${nonKey.map((c) => `t.${c.name}`).join(', ')}) IS DISTINCT FROM (${nonKey.map((c) => `EXCLUDED.${c.name}`).join(', ')})`
    : '';
  const conflict = nonKey.length ? `DO UPDATE SET ${sets.join(', ')} ${changed}` : 'DO NOTHING';
  const diff = nonKey
    .map((c) =>
      c.logAsFlag
        ? `'${c.name}', CASE WHEN b.${c.name} IS DISTINCT FROM w.${c.name} THEN 'true'::jsonb END`
        : `'${c.name}', CASE WHEN b.${c.name} IS DISTINCT FROM w.${c.name} THEN jsonb_build_array(to_jsonb(b.${c.name}), to_jsonb(w.${c.name})) END`,
    )
    .join(',\n          ');
  const firstKey = spec.key[0]!;
  return `WITH input AS (
    SELECT ${casts}
    FROM unnest(${unnest}) AS u(${names.join(', ')})
  ),
  before AS (SELECT t.* FROM ${spec.table} t JOIN input i USING (${key})),
  written AS (
    INSERT INTO ${spec.table} AS t (${names.join(', ')})
    SELECT ${names.join(', ')} FROM input
    ON CONFLICT (${key}) ${conflict}
    RETURNING t.*
  ),
  logged AS (
    INSERT INTO change_log (entity, entity_key, op, changes, run_id)
    SELECT ${entityParam}::text, ${logKey},
      CASE WHEN b.${firstKey} IS NULL THEN 'insert' ELSE 'update' END,
      CASE WHEN b.${firstKey} IS NULL THEN '{}'::jsonb ELSE jsonb_strip_nulls(jsonb_build_object(
          ${diff || `'_', NULL`}
      )) END,
      ${runParam}::uuid
    FROM written w LEFT JOIN before b USING (${key})
    RETURNING entity_key, op
  )
  SELECT entity_key, op FROM logged`;
}

function castFromText(expr: string, type: ColumnType): string {
  switch (type) {
    case 'text':
      return expr;
    case 'text[]':
      // Arrays travel as JSON text: unnest() would flatten a text[][] of ragged rows.
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(${expr}::jsonb)) END`;
    default:
      return `${expr}::${type}`;
  }
}

function toText(value: unknown, type: ColumnType): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('bulk upsert: invalid Date');
    return value.toISOString();
  }
  if (type === 'jsonb' || type === 'text[]') return JSON.stringify(value);
  return String(value);
}

function dedupeByKey(key: readonly string[], rows: readonly UpsertRow[]): UpsertRow[] {
  // ON CONFLICT cannot touch one row twice in a statement; the last version of a key wins.
  const byKey = new Map<string, UpsertRow>();
  for (const row of rows) byKey.set(key.map((k) => keyPart(get(row, k))).join('\u0000'), row);
  return [...byKey.values()];
}

const keyPart = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
