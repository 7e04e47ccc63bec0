import type { Queryable } from '../db.js';

export interface QuarantineRecord {
  source: string;
  externalId: string;
  payload: unknown;
  reason: string;
}

export interface QuarantinedRow extends QuarantineRecord {
  id: number;
  firstSeen: Date;
  lastSeen: Date;
  occurrences: number;
  runId: string | null;
  resolvedAt: Date | null;
}

/** Keeps each rejected record with its reason; a repeat of the same record bumps its counters. */
export async function quarantineRecords(
  q: Queryable,
  records: readonly QuarantineRecord[],
  runId?: string | null,
): Promise<number> {
  if (records.length === 0) return 0;
  const r = await q.query(
    `INSERT INTO quarantine AS t (source, external_id, payload, reason, run_id)
     SELECT u.source, u.external_id, u.payload::jsonb, u.reason, $5::uuid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(source, external_id, payload, reason)
     ON CONFLICT (source, external_id) DO UPDATE
       SET payload = EXCLUDED.payload, reason = EXCLUDED.reason, run_id = EXCLUDED.run_id,
           last_seen = now(), occurrences = t.occurrences + 1, resolved_at = NULL`,
    [
      records.map((r) => r.source),
      records.map((r) => r.externalId),
      records.map((r) => JSON.stringify(r.payload ?? null)),
      records.map((r) => r.reason),
      runId ?? null,
    ],
  );
  return r.rowCount;
}

/** Marks earlier rejections of these records as resolved once they were stored successfully. */
export async function resolveQuarantined(
  q: Queryable,
  source: string,
  externalIds: readonly string[],
): Promise<void> {
  if (externalIds.length === 0) return;
  await q.query(
    `UPDATE quarantine SET resolved_at = now()
     WHERE source = $1 AND external_id = ANY($2::text[]) AND resolved_at IS NULL`,
    [source, externalIds],
  );
}

/** Unresolved rows of `source` whose external id starts with `prefix` (records whose own id was unreadable). */
export async function listUnresolvedByPrefix(
  q: Queryable,
  source: string,
  prefix: string,
): Promise<{ id: number; externalId: string; payload: unknown }[]> {
  const r = await q.query<{ id: number; externalId: string; payload: unknown }>(
    `SELECT id, external_id AS "externalId", payload FROM quarantine
     WHERE source = $1 AND starts_with(external_id, $2) AND resolved_at IS NULL ORDER BY id`,
    [source, prefix],
  );
  return r.rows;
}

/** Marks quarantine rows resolved by their row id. */
export async function resolveQuarantinedRows(q: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await q.query(
    `UPDATE quarantine SET resolved_at = now() WHERE id = ANY($1::int[]) AND resolved_at IS NULL`,
    [ids],
  );
}

/**
 * A reason with its record-specific parts (case numbers, JIRA keys, ids, positions) replaced by
 * `#`, so "card KNIECO-12 is not stored" and "card KNIECO-40 is not stored" are one kind of reason.
 * Grouping and the drill-down filter both use this one expression.
 */
const REASON_GROUP = `regexp_replace(reason, '[A-Za-z][A-Za-z0-9_]*-[0-9]+|[0-9]+', '#', 'g')`;

export interface QuarantineListOptions {
  source?: string;
  /** One reason group's rows: an exact reason, or a reason as `quarantineByReason` groups it. */
  reason?: string;
  includeResolved?: boolean;
  limit?: number;
  offset?: number;
}

export async function listQuarantined(
  q: Queryable,
  opts: QuarantineListOptions = {},
): Promise<{ items: QuarantinedRow[]; total: number }> {
  const where = `WHERE ($1::text IS NULL OR source = $1) AND ($2::boolean OR resolved_at IS NULL)
                   AND ($3::text IS NULL OR reason = $3 OR ${REASON_GROUP} = $3)`;
  const params = [opts.source ?? null, opts.includeResolved ?? false, opts.reason ?? null];
  const [items, total] = await Promise.all([
    q.query<QuarantinedRow>(
      `SELECT id, source, external_id AS "externalId", payload, reason, first_seen AS "firstSeen",
              last_seen AS "lastSeen", occurrences, run_id AS "runId", resolved_at AS "resolvedAt"
       FROM quarantine ${where} ORDER BY last_seen DESC, id DESC LIMIT $4 OFFSET $5`,
      [...params, opts.limit ?? 100, opts.offset ?? 0],
    ),
    q.query<{ n: number }>(`SELECT count(*)::int AS n FROM quarantine ${where}`, params),
  ]);
  return { items: items.rows, total: total.rows[0]?.n ?? 0 };
}

export interface QuarantineReasonGroup {
  source: string;
  reason: string;
  /** Records (rows) rejected for this reason. */
  count: number;
  lastSeen: Date;
  /** One record id of the group, to recognise it by. */
  sample: string;
}

/** Quarantined records grouped by source and reason, most frequent first (the monitor's overview). */
export async function quarantineByReason(
  q: Queryable,
  opts: { includeResolved?: boolean } = {},
): Promise<{ items: QuarantineReasonGroup[]; total: number }> {
  const r = await q.query<QuarantineReasonGroup>(
    `SELECT source, ${REASON_GROUP} AS reason, count(*)::int AS count, max(last_seen) AS "lastSeen",
            min(external_id) AS sample
     FROM quarantine WHERE ($1::boolean OR resolved_at IS NULL)
     GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    [opts.includeResolved ?? false],
  );
  return { items: r.rows, total: r.rows.reduce((n, g) => n + g.count, 0) };
}
