import type { Batch, CaseSearchStats, PortalCase, PortalClient } from '../../sources/index.js';
import { PORTAL_SEARCH_OVERLAP_MS } from '../../sources/index.js';
import { listOpenCasesNotIn } from '../../store/repositories/case-selection.js';
import type { QuarantineRecord } from '../../store/repositories/quarantine.js';
import { getSyncState } from '../../store/repositories/sync-state.js';
import type { JobContext, JobDefinition } from '../engine/types.js';
import { isFullPassDue } from '../helpers/full-pass.js';
import { CaseBatchWriter, documentModifiedAt, LEFT_QUERY_SOURCE } from '../helpers/portal/case-writer.js';
import { readAhead } from '../helpers/read-ahead.js';
import { toQuarantineRecord } from '../helpers/rejections.js';
import { withUpstreams } from '../helpers/upstreams.js';

// Portal cases (every 15 min, and a full reconcile daily).
//
// Incremental pass: search the case query for `case_lastModifiedDate >= cursor - overlap`, store
// each page in its own short transaction, then move the cursor (kept in sync_state "cases") to the
// newest modification time seen (at most the run's start), committed with the last page. No cursor
// yet = a full load.
//
// Full pass (`params.full`, the daily reconcile): the whole query, so every case in it is re-read
// whatever its modification time says (a closure the incremental window missed is caught here).
// Then the stored open cases the query did not return: they are searched by number, first within
// the query, then across the Portal, and stored with their current state (typically Closed). A case
// found only outside the query is kept (never deleted) and a note is kept in `quarantine` (source
// portal.case.left_query) saying it left the query; the note is resolved when the case shows up in
// the query again. A case the Portal no longer returns at all is kept as last stored, with a note.
//
// Invalid search documents go to `quarantine` with their reason. Their case numbers (when readable)
// are searched again by number once in the same run and, if still invalid, at the start of the next
// run, so a transient bad record does not stay missing until the reconcile. A document without a
// case number cannot be searched by number: the cursor stays at its modification time (no later
// than the previous cursor when that time is unreadable too), so the next pass reads it again; a
// document broken for longer than a reconcile interval no longer holds the cursor back.

/** Case numbers per by-number search, which keeps the Solr query and the URL short. */
const NUMBERS_PER_QUERY = 50;
/** Rejected case numbers remembered for the next run; beyond this the daily reconcile catches them. */
const MAX_RECHECK = 500;

const CASE_NUMBER = /^\d{1,12}$/;

/** What one run has seen so far. */
class RunTally {
  /** Case numbers stored by this run. */
  readonly seen = new Set<string>();
  /** Case numbers whose search document was invalid (and not stored since). */
  readonly rejected = new Set<string>();
  newestModified: Date | undefined;
  /** Quarantine ids of the documents without a readable case number. */
  readonly unreadable = new Set<string>();
  /** The oldest modification time among those documents; `undated` when one had none readable. */
  unreadableOldest: Date | undefined;
  unreadableUndated = false;

  add(batch: Batch<PortalCase>): void {
    for (const c of batch.items) {
      this.seen.add(c.caseNumber);
      this.rejected.delete(c.caseNumber);
      if (!this.newestModified || c.lastModifiedAt > this.newestModified)
        this.newestModified = c.lastModifiedAt;
    }
    for (const r of batch.rejected) {
      if (CASE_NUMBER.test(r.externalId)) {
        if (!this.seen.has(r.externalId)) this.rejected.add(r.externalId);
        continue;
      }
      this.unreadable.add(toQuarantineRecord(r).externalId);
      const modified = documentModifiedAt(r.payload);
      if (!modified) this.unreadableUndated = true;
      else if (!this.unreadableOldest || modified < this.unreadableOldest) this.unreadableOldest = modified;
    }
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `case_number:(1 OR 2 …)`; the numbers are digits only (checked), so nothing needs escaping. */
function numberClause(numbers: readonly string[]): string {
  return `case_number:(${numbers.filter((n) => CASE_NUMBER.test(n)).join(' OR ')})`;
}

function recheckListOf(details: Record<string, unknown> | undefined): string[] {
  const list = details?.recheck;
  return Array.isArray(list)
    ? list.filter((n): n is string => typeof n === 'string' && CASE_NUMBER.test(n))
    : [];
}

interface SearchStep {
  ctx: JobContext;
  writer: CaseBatchWriter;
  tally: RunTally;
  phase: string;
  outsideQuery?: boolean;
}

/** Streams one search into the writer, page by page (the next page is read while one is written), reporting progress against `numFound`. */
async function storeSearch(
  pages: AsyncGenerator<Batch<PortalCase>>,
  stats: CaseSearchStats,
  step: SearchStep,
) {
  const { ctx, writer, tally, phase } = step;
  let done = 0;
  for await (const page of readAhead(pages)) {
    ctx.counters.fetched += page.items.length + page.rejected.length;
    done += page.items.length + page.rejected.length;
    tally.add(page);
    await writer.push({
      items: page.items,
      rejected: page.rejected,
      outsideQuery: step.outsideQuery === true,
    });
    ctx.progress({ phase, current: done, total: Math.max(done, stats.numFound) });
  }
  return done;
}

const newStats = (): CaseSearchStats => ({ numFound: 0, requests: 0, windows: 0, duplicates: 0 });

/** Searches the given case numbers in chunks, within `scope` (a Solr query) or across the Portal. */
async function storeByNumber(
  portal: PortalClient,
  numbers: readonly string[],
  scope: string | undefined,
  step: SearchStep,
): Promise<void> {
  for (const part of chunk(numbers, NUMBERS_PER_QUERY)) {
    const query = scope ? `(${scope}) AND ${numberClause(part)}` : numberClause(part);
    const stats = newStats();
    await storeSearch(portal.searchCasePages({ query, signal: step.ctx.signal }, stats), stats, step);
  }
}

/** A day plus slack: the reconcile is scheduled daily. */
const RECONCILE_OVERDUE_MS = 26 * 3_600_000;

export const casesJob: JobDefinition = {
  name: 'cases',
  title: 'Portal cases',
  refresh: 'all',
  // The 15-minute schedule is the real retry; a failed run leaves the cursor, so nothing is lost.
  retry: { limit: 3, delaySeconds: 30, backoff: true, maxDelaySeconds: 300 },
  // A first full load of ~100k cases reads ~20 pages of 5,000; far below this.
  timeoutSeconds: 30 * 60,
  handler: async (ctx) => {
    const startedAt = new Date();
    const state = await getSyncState(ctx.store.db, 'cases');
    const cursor = state?.cursor ?? null;
    // The daily reconcile's tick is dropped when an incremental run is still in flight at that
    // moment (one run per job at a time), so an overdue reconcile is done by whichever run comes next.
    const full = cursor === null || isFullPassDue(ctx.params, state?.lastFullAt, RECONCILE_OVERDUE_MS);
    const query = ctx.config.portal.caseQuery;

    return withUpstreams(ctx, async ({ portal }) => {
      const writer = new CaseBatchWriter(ctx, query);
      const tally = new RunTally();
      const step = (phase: string, outsideQuery = false): SearchStep => ({
        ctx,
        writer,
        tally,
        phase,
        outsideQuery,
      });

      // 1. The case query: all of it, or what changed since the cursor.
      const stats = newStats();
      const modifiedSince =
        cursor && !full ? new Date(cursor.getTime() - PORTAL_SEARCH_OVERLAP_MS) : undefined;
      await storeSearch(
        portal.searchCasePages({ modifiedSince, signal: ctx.signal }, stats),
        stats,
        step(full ? 'searching all cases' : 'searching changed cases'),
      );

      // 2. Cases whose search document was invalid, last run or just now: once more, by number.
      const retry = [...new Set([...(full ? [] : recheckListOf(state?.details)), ...tally.rejected])].filter(
        (n) => !tally.seen.has(n),
      );
      if (retry.length > 0) await storeByNumber(portal, retry, query, step('re-reading rejected cases'));

      // 3. Full pass: stored open cases the query did not return.
      const notes: QuarantineRecord[] = [];
      let leftQuery = 0;
      if (full) {
        const missing = await listOpenCasesNotIn(ctx.store.db, [...tally.seen, ...tally.rejected]);
        const unseen = () => missing.filter((n) => !tally.seen.has(n) && !tally.rejected.has(n));
        // First within the query: a case edited while the pages were read can slip between them.
        if (missing.length > 0)
          await storeByNumber(portal, missing, query, step('re-checking missing cases'));
        const outside = unseen();
        if (outside.length > 0) {
          await storeByNumber(
            portal,
            outside,
            undefined,
            step('re-checking cases that left the query', true),
          );
        }
        leftQuery = outside.filter((n) => tally.seen.has(n)).length;
        for (const n of unseen()) {
          notes.push({
            source: LEFT_QUERY_SOURCE,
            externalId: n,
            reason:
              `case ${n} is stored as open but the Portal no longer returns it, not even by number ` +
              '(deleted, merged or not visible to this account); kept as last stored',
            payload: { caseNumber: n },
          });
        }
      }

      // 4. The cursor only moves forward, and only with the last batch of the run. Pages are not in
      // modification order, so a case edited after its page was read can carry an older time than
      // the newest one seen: the cursor is also held at the run's start (a time by which everything
      // before it was read), and the overlap absorbs the difference between the two clocks.
      const newest = tally.newestModified;
      let reached = newest && newest > startedAt ? startedAt : newest;
      if (tally.unreadable.size > 0) {
        const floor = new Date(startedAt.getTime() - RECONCILE_OVERDUE_MS);
        let hold = tally.unreadableUndated ? (cursor ?? undefined) : tally.unreadableOldest;
        if (!hold || hold < floor) hold = floor;
        if (!reached || hold < reached) reached = hold;
      }
      const nextCursor = reached && (!cursor || reached > cursor) ? reached : cursor;
      const recheck = [...tally.rejected].slice(0, MAX_RECHECK);
      await writer.finish(
        {
          cursor: nextCursor,
          ...(full ? { lastFullAt: new Date() } : {}),
          details: {
            recheck,
            lastPass: full ? 'full' : 'incremental',
            ...(full
              ? { lastReconcile: { at: new Date().toISOString(), leftQuery, notFound: notes.length } }
              : {}),
          },
        },
        notes,
        { since: modifiedSince ?? null, seen: tally.unreadable },
      );
      ctx.progress({ phase: 'done', current: tally.seen.size, total: tally.seen.size });

      const { fetched, changed, quarantined } = ctx.counters;
      return {
        summary:
          `${full ? 'full' : 'incremental'} pass: ${fetched} fetched, ${changed} changed, ${quarantined} quarantined` +
          (full ? `, ${leftQuery} left the query, ${notes.length} not found upstream` : '') +
          `; cursor ${nextCursor?.toISOString() ?? 'none'}`,
      };
    });
  },
};
