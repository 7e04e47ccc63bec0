import type { UpsertResult } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import { quarantineRecords, resolveQuarantined } from './quarantine.js';

export interface CaseRef {
  caseNumber: string;
  caseCreatedDate: Date;
}

/**
 * Splits child rows (comments, details, links) into those whose case is stored and those whose case
 * is not. The composite foreign key would reject the whole batch for one orphan; checking first lets
 * the rest be written and the orphans be quarantined with their reason.
 */
export async function splitByKnownCase<T extends CaseRef>(
  q: Queryable,
  rows: readonly T[],
): Promise<{ known: T[]; unknown: T[] }> {
  if (rows.length === 0) return { known: [], unknown: [] };
  const r = await q.query<{ case_number: string; ms: number }>(
    `SELECT DISTINCT u.case_number, (extract(epoch FROM u.created) * 1000)::bigint AS ms
     FROM unnest($1::text[], $2::timestamptz[]) AS u(case_number, created)
     JOIN cases c ON c.case_number = u.case_number AND c.created_date = u.created`,
    [rows.map((x) => x.caseNumber), rows.map((x) => x.caseCreatedDate.toISOString())],
  );
  const known = new Set(r.rows.map((x) => `${x.case_number}|${Number(x.ms)}`));
  const out = { known: [] as T[], unknown: [] as T[] };
  for (const row of rows) {
    const k = `${row.caseNumber}|${row.caseCreatedDate.getTime()}`;
    (known.has(k) ? out.known : out.unknown).push(row);
  }
  return out;
}

/**
 * The write for rows that hang off a case: rows whose case is stored are upserted (and earlier
 * quarantine entries for them resolved); the others, and any `rejected` up front, are quarantined
 * with their reason.
 */
export async function upsertCaseChildren<T extends CaseRef>(
  q: Queryable,
  rows: readonly T[],
  opts: {
    upsert: (q: Queryable, rows: readonly T[], runId?: string | null) => Promise<UpsertResult>;
    source: string;
    externalId: (row: T) => string;
    unknownCaseReason: (row: T) => string;
    rejected?: { row: T; reason: string }[];
    runId?: string | null;
  },
): Promise<UpsertResult & { quarantined: number }> {
  const { known, unknown } = await splitByKnownCase(q, rows);
  const result = await opts.upsert(q, known, opts.runId);
  await resolveQuarantined(q, opts.source, known.map(opts.externalId));
  const rejected = [
    ...(opts.rejected ?? []),
    ...unknown.map((row) => ({ row, reason: opts.unknownCaseReason(row) })),
  ];
  const quarantined = await quarantineRecords(
    q,
    rejected.map(({ row, reason }) => ({
      source: opts.source,
      externalId: opts.externalId(row),
      payload: row,
      reason,
    })),
    opts.runId,
  );
  return { ...result, quarantined };
}
