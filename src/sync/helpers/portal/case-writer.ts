import { type PortalCase, parseTimestamp, type Rejection, UNKNOWN_ID } from '../../../sources/index.js';
import type { Queryable } from '../../../store/db.js';
import { upsertCases } from '../../../store/repositories/cases.js';
import {
  listUnresolvedByPrefix,
  type QuarantineRecord,
  quarantineRecords,
  resolveQuarantined,
  resolveQuarantinedRows,
} from '../../../store/repositories/quarantine.js';
import { type SyncState, saveSyncState } from '../../../store/repositories/sync-state.js';
import type { JobContext } from '../../engine/types.js';
import { toCaseRecord } from '../mappers/portal.js';
import { toQuarantineRecord, uniqueQuarantineRecords } from '../rejections.js';

// Writes the cases job's batches, one short transaction each, and keeps the cursor honest: the
// last batch is held back until the job knows its final cursor, and is committed together with it.
// So the cursor is saved in the same transaction as (the last of) the rows it covers, and never
// before every earlier batch has committed. A run that dies midway leaves the cursor where it was;
// the next run re-reads the same window, and the upserts skip what is already stored.

/** Quarantine source of the note kept for a stored case the case query no longer returns. */
export const LEFT_QUERY_SOURCE = 'portal.case.left_query';
/** Quarantine source of the Portal's invalid search documents (the connector's `RecordSource`). */
const CASE_REJECTION_SOURCE = 'portal.case';

export interface CaseBatch {
  items: PortalCase[];
  rejected: Rejection[];
  /**
   * True for cases found by number outside the case query (daily reconcile): they are stored with
   * their current state and a note is kept; for every other batch, such notes are resolved.
   */
  outsideQuery?: boolean;
  /** Notes about cases that are not in `items` (e.g. not found upstream at all). */
  notes?: QuarantineRecord[];
}

type SyncStatePatch = Partial<Pick<SyncState, 'cursor' | 'lastFullAt' | 'details'>>;

/**
 * Which earlier number-less documents this run has superseded: it re-read every case of the query
 * modified since `since` (all of them when null), and `seen` are the rows it rejected again itself.
 */
export interface UnreadableReread {
  since: Date | null;
  seen: ReadonlySet<string>;
}

/** The modification time a Portal search document states, when it can be read. */
export function documentModifiedAt(payload: unknown): Date | undefined {
  const value =
    payload && typeof payload === 'object'
      ? (payload as Record<string, unknown>).case_lastModifiedDate
      : undefined;
  return typeof value === 'string' ? parseTimestamp(value) : undefined;
}

export class CaseBatchWriter {
  private pending: CaseBatch | undefined;
  /** Notes (left the query, not found) written; not counted as quarantined records. */
  notes = 0;

  constructor(
    private readonly ctx: JobContext,
    private readonly query: string,
  ) {}

  /** Commits the batch held back so far and holds this one. */
  async push(batch: CaseBatch): Promise<void> {
    const previous = this.pending;
    this.pending = batch;
    if (previous) await this.write(previous);
  }

  /** Commits the held-back batch (if any) together with the sync state. */
  async finish(
    state: SyncStatePatch,
    notes: QuarantineRecord[] = [],
    reread?: UnreadableReread,
  ): Promise<void> {
    const last = this.pending ?? { items: [], rejected: [] };
    this.pending = undefined;
    await this.write({ ...last, notes: [...(last.notes ?? []), ...notes] }, state, reread);
  }

  private async write(batch: CaseBatch, state?: SyncStatePatch, reread?: UnreadableReread): Promise<void> {
    const { ctx } = this;
    const numbers = batch.items.map((c) => c.caseNumber);
    const rejected = uniqueQuarantineRecords(batch.rejected.map(toQuarantineRecord));
    const notes = uniqueQuarantineRecords([
      ...(batch.notes ?? []),
      ...(batch.outsideQuery ? batch.items.map((c) => this.leftQueryNote(c)) : []),
    ]);
    const outcome = await ctx.store.write(async (tx, changes) => {
      const result = await upsertCases(tx, batch.items.map(toCaseRecord), ctx.runId);
      changes.record('case', result);
      // Stored now, so an earlier rejection of the same case is history.
      await resolveQuarantined(tx, CASE_REJECTION_SOURCE, numbers);
      if (!batch.outsideQuery) await resolveQuarantined(tx, LEFT_QUERY_SOURCE, numbers);
      const quarantined = await quarantineRecords(tx, rejected, ctx.runId);
      const noted = await quarantineRecords(tx, notes, ctx.runId);
      if (quarantined + noted > 0)
        changes.add(
          'quarantine',
          [...rejected, ...notes].map((r) => r.externalId),
        );
      if (reread) await resolveReread(tx, reread);
      if (state) await saveSyncState(tx, 'cases', state);
      return { changed: result.inserted.length + result.updated.length, quarantined, noted };
    });
    // Counted after COMMIT, so a rolled-back batch is not reported as stored.
    ctx.counters.changed += outcome.changed;
    ctx.counters.quarantined += outcome.quarantined;
    this.notes += outcome.noted;
  }

  private leftQueryNote(c: PortalCase): QuarantineRecord {
    return {
      source: LEFT_QUERY_SOURCE,
      externalId: c.caseNumber,
      reason:
        `case ${c.caseNumber} no longer matches the case query (${this.query}); ` +
        `kept and updated from the Portal (status "${c.status}"), but the team query does not list it`,
      payload: { caseNumber: c.caseNumber, status: c.status, lastModifiedAt: c.lastModifiedAt },
    };
  }
}

/**
 * A document without a case number cannot be matched to the case it belongs to, so its row is
 * resolved once a pass has read its modification window again and did not get the same broken
 * document back: the case then arrived valid (or broken differently, which is a row of its own).
 * A document whose modification time is unreadable as well is settled by a full pass only.
 */
async function resolveReread(tx: Queryable, reread: UnreadableReread): Promise<void> {
  const rows = await listUnresolvedByPrefix(tx, CASE_REJECTION_SOURCE, `${UNKNOWN_ID} `);
  const superseded = rows.filter((row) => {
    if (reread.seen.has(row.externalId)) return false;
    if (reread.since === null) return true;
    const modified = documentModifiedAt(row.payload);
    return modified !== undefined && modified >= reread.since;
  });
  await resolveQuarantinedRows(
    tx,
    superseded.map((row) => row.id),
  );
}
