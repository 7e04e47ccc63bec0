import type { CaseExtra } from '../../sources/index.js';
import type { CaseRef } from '../../store/repositories/case-parents.js';
import {
  findCaseRefs,
  latestChangeId,
  listChangedCaseRefs,
  listOpenCaseRefs,
} from '../../store/repositories/case-selection.js';
import { getSyncState } from '../../store/repositories/sync-state.js';
import type { JobDefinition } from '../engine/types.js';
import { casesToRetry, retryableFailures, storeCaseExtras } from '../helpers/portal/case-extras-writer.js';
import { withUpstreams } from '../helpers/upstreams.js';

// Portal case details (00:24 / 12:24 UTC by default): for each selected case, the case detail
// (crit sit, group, notified users, relief/resolved times, linked bugs and every comment) and its
// JIRA links (`/cases/{n}/jiras`), two requests per case, `portal.concurrency` at a time.
//
// Which cases: those whose stored row changed since the last details run, read from `change_log`
// (the cases job writes a row there only when a case really changed; a new Portal comment bumps the
// case's last-modified time, so it counts). The position in change_log is this job's cursor, kept
// in sync_state "details" (`details.changeLogId`) and saved with the last batch. Of those, open
// cases, plus cases whose change was their status (just closed: their final resolution time and
// comments), plus closed cases whose details are stored (their fields changed upstream, so their
// SLA or group may have too), plus cases first stored already closed in the last 90 days (so the
// relief/resolution stats have a history from the first sync). Plus the cases whose lookup failed
// last run for a transient reason.
//
// A full pass (`params.full`, the first run, or when the last one is older than FULL_PASS_AFTER_MS)
// takes every open case, and catches what the change detection cannot see (a JIRA link or a
// notified user added without the case's last-modified time moving).
//
// A failed lookup is noted in `quarantine` and retried next run (403/404 only when the case changes
// again or at the next full pass); the job fails only when every lookup failed.

/** The default schedule runs twice a day; this makes about one of them a full pass. */
export const FULL_PASS_AFTER_MS = 20 * 3_600_000;
/** Cases per fetch-and-store batch: bounds memory and transaction size, not concurrency. */
const CASES_PER_BATCH = 100;
/** Failed cases remembered for the next run; beyond this the next full pass catches them. */
const MAX_RETRY = 1_000;
const EXTRAS: readonly CaseExtra[] = ['detail', 'links'];

function uniqueRefs(refs: readonly CaseRef[]): CaseRef[] {
  const byNumber = new Map<string, CaseRef>();
  for (const r of refs) byNumber.set(r.caseNumber, r);
  return [...byNumber.values()];
}

function numberList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export const detailsJob: JobDefinition = {
  name: 'details',
  title: 'Portal case details, comments and links',
  refresh: 'all',
  // In a full refresh, read the details of the cases the cases run has just stored.
  after: ['cases'],
  retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 900 },
  // A full pass over 2,000 open cases is 4,000 requests at 4 at a time: minutes, not an hour.
  timeoutSeconds: 60 * 60,
  handler: async (ctx) => {
    const { db } = ctx.store;
    const state = await getSyncState(db, 'details');
    const afterRaw = state?.details.changeLogId;
    const afterId = typeof afterRaw === 'number' ? afterRaw : undefined;
    const lastFull = state?.lastFullAt?.getTime();
    const full =
      ctx.params.full === true ||
      afterId === undefined ||
      lastFull === undefined ||
      Date.now() - lastFull > FULL_PASS_AFTER_MS;

    // Read the position first: a change committed while the selection runs is picked up next time.
    const uptoId = await latestChangeId(db, 'case');
    const targets = uniqueRefs([
      ...(full ? await listOpenCaseRefs(db) : []),
      ...(await listChangedCaseRefs(db, afterId ?? 0, uptoId)),
      ...(full ? [] : await findCaseRefs(db, numberList(state?.details.retry))),
    ]);
    const pass = full ? 'full' : 'incremental';
    ctx.progress({ phase: `fetching case details (${pass})`, current: 0, total: targets.length });

    const totals = { fetched: 0, failures: 0, retry: [] as string[] };
    await withUpstreams(ctx, async ({ portal }) => {
      const batches = Math.max(1, Math.ceil(targets.length / CASES_PER_BATCH));
      const batchRefs = (b: number) => targets.slice(b * CASES_PER_BATCH, (b + 1) * CASES_PER_BATCH);
      const fetchBatch = (b: number) => {
        const fetching = portal.fetchCaseExtras(
          batchRefs(b).map((r) => r.caseNumber),
          EXTRAS,
          ctx.signal,
        );
        // Awaited in its turn; a failed write before then must not leave it unhandled.
        fetching.catch(() => undefined);
        return fetching;
      };
      // One batch is read from the Portal while the one before it is written: the lookups wait on
      // the Portal, the write on PostgreSQL. Writes stay one after another, in order.
      let next = fetchBatch(0);
      for (let b = 0; b < batches; b++) {
        const refs = batchRefs(b);
        const result = await next;
        if (b + 1 < batches) next = fetchBatch(b + 1);
        const last = b === batches - 1;
        const anyStored = totals.fetched > 0 || result.byCase.size > 0;
        const transient = totals.retry.length > 0 || retryableFailures(result).length > 0;
        if (last && !anyStored && transient) {
          // Nothing came back, and not only because cases are gone or forbidden: an outage rather
          // than a few bad cases. Fail, so the engine retries (and alerts after the last retry); the
          // cursor stays where it was, so no change is skipped.
          throw new Error(
            `every case lookup failed (${totals.failures + result.failed.length}); first: ${result.failed[0]?.error.message}`,
          );
        }
        // The last batch carries the cursor, and the cases to retry next run (its own included).
        const retryNext = [...new Set([...totals.retry, ...casesToRetry(result)])].slice(0, MAX_RETRY);
        const outcome = await storeCaseExtras(
          ctx,
          refs,
          result,
          last
            ? {
                ...(full ? { lastFullAt: new Date() } : {}),
                details: { changeLogId: uptoId, retry: retryNext, lastPass: pass },
              }
            : undefined,
        );
        totals.fetched += outcome.fetched;
        totals.failures += outcome.failures;
        totals.retry.push(...outcome.retry);
        ctx.counters.fetched += outcome.fetched;
        ctx.counters.changed += outcome.changed;
        ctx.counters.quarantined += outcome.quarantined;
        ctx.progress({
          phase: `fetching case details (${pass})`,
          current: Math.min(targets.length, (b + 1) * CASES_PER_BATCH),
          total: targets.length,
        });
      }
    });

    const { changed, quarantined } = ctx.counters;
    return {
      summary:
        `${pass} pass: ${targets.length} cases, ${totals.fetched} fetched, ${changed} rows changed, ` +
        `${quarantined} quarantined, ${totals.failures} failed lookups (${totals.retry.length} to retry)`,
    };
  },
};
