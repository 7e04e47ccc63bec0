import { createHash } from 'node:crypto';
import { type Rejection, UNKNOWN_ID } from '../../sources/index.js';
import type { Queryable } from '../../store/db.js';
import { type QuarantineRecord, quarantineRecords } from '../../store/repositories/quarantine.js';
import type { ChangeSet } from '../../store/store.js';

/** Change-feed entity announced when records are quarantined (the Portal jobs use the same). */
export const QUARANTINE_ENTITY = 'quarantine';

/**
 * A connector rejection as a quarantine row: the record as received, with the validation reason.
 * A record whose id could not be read is named by a hash of its payload, so two different broken
 * records do not collapse into one row (the quarantine is keyed by source and id) while the same
 * broken record seen again still counts as a repeat.
 */
export function toQuarantineRecord(r: Rejection): QuarantineRecord {
  const externalId =
    r.externalId === UNKNOWN_ID
      ? `${UNKNOWN_ID} ${createHash('sha256')
          .update(JSON.stringify(r.payload ?? null))
          .digest('hex')
          .slice(0, 16)}`
      : r.externalId;
  return { source: r.source, externalId, payload: r.payload, reason: r.reason };
}

/** One row per (source, id), the last one winning: a statement may not upsert a quarantine row twice. */
export function uniqueQuarantineRecords(records: readonly QuarantineRecord[]): QuarantineRecord[] {
  const byKey = new Map<string, QuarantineRecord>();
  for (const r of records) byKey.set(`${r.source}\u0000${r.externalId}`, r);
  return [...byKey.values()];
}

/** Quarantines rejected records (and notes) in the run's transaction and announces them; returns the count. */
export async function quarantineRejections(
  tx: Queryable,
  changes: ChangeSet,
  rejections: readonly Rejection[],
  runId: string | null,
): Promise<number> {
  const unique = uniqueQuarantineRecords(rejections.map(toQuarantineRecord));
  const n = await quarantineRecords(tx, unique, runId);
  if (n > 0)
    changes.add(
      QUARANTINE_ENTITY,
      unique.map((r) => r.externalId),
    );
  return n;
}
