import type { Rejection } from '../../sources/index.js';
import type { Queryable } from '../../store/db.js';
import { quarantineRecords } from '../../store/repositories/quarantine.js';
import type { ChangeSet } from '../../store/store.js';

/** Change-feed entity announced when records are quarantined (the Portal jobs use the same). */
export const QUARANTINE_ENTITY = 'quarantine';

/**
 * One rejection per (source, record id), the last one winning: `quarantineRecords` writes a batch
 * in one statement, which may not touch the same row twice.
 */
export function uniqueRejections(rejections: readonly Rejection[]): Rejection[] {
  return [...new Map(rejections.map((r) => [`${r.source}\u0000${r.externalId}`, r])).values()];
}

/** Quarantines rejected records (and notes) in the run's transaction and announces them; returns the count. */
export async function quarantineRejections(
  tx: Queryable,
  changes: ChangeSet,
  rejections: readonly Rejection[],
  runId: string,
): Promise<number> {
  const unique = uniqueRejections(rejections);
  const n = await quarantineRecords(tx, unique, runId);
  if (n > 0)
    changes.add(
      QUARANTINE_ENTITY,
      unique.map((r) => r.externalId),
    );
  return n;
}
