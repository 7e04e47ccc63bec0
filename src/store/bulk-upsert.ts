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
// `bulkPatcher` is the same statement for jobs that change a few columns of rows that exist (a
// card's priority after JIRA accepted it): `UPDATE T SET C = input.C ... FROM input WHERE ... IS
// DISTINCT FROM ...` instead of the INSERT, the same `before`/`logged` steps around it.
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
  /** Patches only: a null input keeps the stored value instead of clearing it. */
  keepWhenNull?: boolean;
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
  return batchWriter(spec, buildUpsert);
}

/**
 * Like `bulkUpserter`, but only updates rows that exist (a key with no row is skipped, nothing is
 * inserted) and only the spec's columns: for a job that changes a few fields of a stored record.
 */
export function bulkPatcher(spec: UpsertSpec) {
  return batchWriter(spec, buildPatch);
}

function batchWriter(spec: UpsertSpec, build: (spec: UpsertSpec, all: ColumnSpec[]) => string) {
  const all = [
    ...spec.key.map((name) => columnOf(spec, name)),
    ...spec.columns.filter((c) => !spec.key.includes(c.name)),
  ];
  for (const name of [spec.table, ...all.map((c) => c.name)]) {
    if (!IDENT.test(name)) throw new Error(`bulkUpserter: invalid identifier ${name}`);
  }
  const text = build(spec, all);
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

/** The parts both statements share: the typed input rows, and the old → new diff per column. */
function statementParts(spec: UpsertSpec, all: ColumnSpec[]) {
  const names = all.map((c) => c.name);
  const casts = all.map((c) => `${castFromText(`u.${c.name}`, c.type)} AS ${c.name}`).join(',\n      ');
  const unnest = all.map((_c, i) => `$${i + 1}::text[]`).join(', ');
  const nonKey = all.filter((c) => !spec.key.includes(c.name));
  const diff = nonKey
    .map((c) =>
      c.logAsFlag
        ? `'${c.name}', CASE WHEN b.${c.name} IS DISTINCT FROM w.${c.name} THEN 'true'::jsonb END`
        : `'${c.name}', CASE WHEN b.${c.name} IS DISTINCT FROM w.${c.name} THEN jsonb_build_array(to_jsonb(b.${c.name}), to_jsonb(w.${c.name})) END`,
    )
    .join(',\n          ');
  const touch = spec.touchColumn === undefined ? 'synced_at' : spec.touchColumn;
  return {
    names,
    nonKey,
    key: spec.key.join(', '),
    touch,
    logKey: (spec.logKey ?? spec.key).map((c) => `w.${c}::text`).join(` || ':' || `),
    diff: diff || `'_', NULL`,
    input: `input AS (
    SELECT ${casts}
    FROM unnest(${unnest}) AS u(${names.join(', ')})
  )`,
    entityParam: `$${all.length + 1}`,
    runParam: `$${all.length + 2}`,
  };
}

function buildUpsert(spec: UpsertSpec, all: ColumnSpec[]): string {
  const p = statementParts(spec, all);
  const sets = [
    ...p.nonKey.map((c) => `${c.name} = EXCLUDED.${c.name}`),
    ...(p.touch ? [`${p.touch} = now()`] : []),
  ];
  const changed = p.nonKey.length
    ? `WHERE (${p.nonKey.map((c) => `t.${c.name}`).join(', ')}) IS DISTINCT FROM (${p.nonKey.map((c) => `EXCLUDED.${c.name}`).join(', ')})`
    : '';
  const conflict = p.nonKey.length ? `DO UPDATE SET ${sets.join(', ')} ${changed}` : 'DO NOTHING';
  const firstKey = spec.key[0]!;
  return `WITH ${p.input},
  before AS (SELECT t.* FROM ${spec.table} t JOIN input i USING (${p.key})),
  written AS (
    INSERT INTO ${spec.table} AS t (${p.names.join(', ')})
    SELECT ${p.names.join(', ')} FROM input
    ON CONFLICT (${p.key}) ${conflict}
    RETURNING t.*
  ),
  logged AS (
    INSERT INTO change_log (entity, entity_key, op, changes, run_id)
    SELECT ${p.entityParam}::text, ${p.logKey},
      CASE WHEN b.${firstKey} IS NULL THEN 'insert' ELSE 'update' END,
      CASE WHEN b.${firstKey} IS NULL THEN '{}'::jsonb ELSE jsonb_strip_nulls(jsonb_build_object(
          ${p.diff}
      )) END,
      ${p.runParam}::uuid
    FROM written w LEFT JOIN before b USING (${p.key})
    RETURNING entity_key, op
  )
  SELECT entity_key, op FROM logged`;
}

function buildPatch(spec: UpsertSpec, all: ColumnSpec[]): string {
  const p = statementParts(spec, all);
  if (p.nonKey.length === 0) throw new Error(`bulkPatcher(${spec.table}): nothing to patch`);
  const next = (c: ColumnSpec) => (c.keepWhenNull ? `coalesce(i.${c.name}, t.${c.name})` : `i.${c.name}`);
  const sets = [...p.nonKey.map((c) => `${c.name} = ${next(c)}`), ...(p.touch ? [`${p.touch} = now()`] : [])];
  const match = spec.key.map((k) => `t.${k} = i.${k}`).join(' AND ');
  return `WITH ${p.input},
  before AS (SELECT t.* FROM ${spec.table} t JOIN input i USING (${p.key})),
  written AS (
    UPDATE ${spec.table} AS t SET ${sets.join(', ')}
    FROM input i
    WHERE ${match}
      AND (${p.nonKey.map((c) => `t.${c.name}`).join(', ')}) IS DISTINCT FROM (${p.nonKey.map(next).join(', ')})
    RETURNING t.*
  ),
  logged AS (
    INSERT INTO change_log (entity, entity_key, op, changes, run_id)
    SELECT ${p.entityParam}::text, ${p.logKey}, 'update', jsonb_strip_nulls(jsonb_build_object(
          ${p.diff}
      )),
      ${p.runParam}::uuid
    FROM written w JOIN before b USING (${p.key})
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
