import type { IssueBatch, Rejection } from '../../sources/index.js';
import { UpstreamConfigError, UpstreamContractError, UpstreamError } from '../../sources/index.js';
import { upsertIssues } from '../../store/repositories/issues.js';
import { issueKeysToFetch, trackedIssueKeys } from '../../store/repositories/link-selection.js';
import { resolveQuarantined } from '../../store/repositories/quarantine.js';
import { getSyncState, saveSyncState } from '../../store/repositories/sync-state.js';
import type { JobContext, JobDefinition, JobOutcome } from '../engine/types.js';
import { newestCursor } from '../helpers/cursor.js';
import { DAILY_FULL_PASS_MS, isFullPassDue } from '../helpers/full-pass.js';
import { toIssueRecord } from '../helpers/mappers/jira.js';
import { quarantineRejections } from '../helpers/rejections.js';
import { withUpstreams } from '../helpers/upstreams.js';

// JIRA issues linked to open cases (keys from `case_issues`, which the Portal `details` job
// writes). Only what is new or changed is fetched: keys not stored yet, keys whose Portal link
// reports a newer modification than the stored issue (store/repositories/link-selection.ts), and
// the stored keys JIRA itself reports changed since the cursor (`key in (…) AND updated >= …`
// searches under the JQL length limit, in the JIRA user's time zone, as the card sync does) — an
// issue changes without its case, and so its link, being re-read. The cursor is the newest
// `updated` JIRA reported (JIRA's clock), saved with the issues it covers. A full pass refetches
// every key: on `params.full`, when there is no cursor yet, and at least once a day by itself.
//
// Issues are read through the connector's `getIssues`: one GET per key, `jira.concurrency` at a time.
// An issue that is gone or hidden (403/404) or unreadable is quarantined and retried by the next
// full pass; any other failure (the connector already retried it) fails the run after the issues
// that did arrive are stored, so the job's retry fetches only the rest.

export const ISSUES_SOURCE = 'issues';

export const issuesJob: JobDefinition = {
  name: 'issues',
  title: 'Linked JIRA issues',
  refresh: 'all',
  // The keys come from the case links the details job writes.
  after: ['cases', 'details'],
  retry: { limit: 5, delaySeconds: 30, backoff: true, maxDelaySeconds: 600 },
  timeoutSeconds: 30 * 60,
  handler: syncIssues,
};

async function syncIssues(ctx: JobContext): Promise<JobOutcome> {
  const { config, store } = ctx;
  if (!config.jira.url) {
    ctx.logger.warn('JIRA_URL is not set; linked issues are not synced');
    return { summary: 'skipped: JIRA_URL not set' };
  }
  const state = await getSyncState(store.db, ISSUES_SOURCE);
  const since = state?.cursor ?? undefined;
  const full = !since || isFullPassDue(ctx.params, state?.lastFullAt, DAILY_FULL_PASS_MS);
  const selected = await issueKeysToFetch(store.db, { full });
  const chosen = new Set(selected);
  const tracked = full ? [] : (await trackedIssueKeys(store.db)).filter((t) => !chosen.has(t.issueKey));
  const storedUpdate = new Map(tracked.map((t) => [t.issueKey, t.updatedAt?.getTime()]));
  ctx.progress({
    current: 0,
    total: selected.length + tracked.length,
    phase: full ? 'reading every linked issue' : 'asking JIRA which issues changed',
  });

  let keys = selected;
  const batch: IssueBatch = await withUpstreams(ctx, async (up) => {
    if (!up.jira) throw new UpstreamConfigError('jira', 'JIRA_URL is not set');
    if (since && tracked.length) {
      const changes = await up.jira.issueChanges([...storedUpdate.keys()], since, ctx.signal);
      // The search re-reads its overlap; an issue whose `updated` is the one stored has not changed.
      const changed = changes.filter(
        (c) => !c.updatedAt || c.updatedAt.getTime() !== storedUpdate.get(c.key),
      );
      keys = [...selected, ...changed.map((c) => c.key)];
    }
    ctx.progress({
      current: 0,
      total: keys.length,
      phase: full ? 'reading every linked issue' : 'reading changed issues',
    });
    return keys.length ? up.jira.getIssues(keys, ctx.signal) : { items: [], rejected: [], failed: [] };
  });
  const cursor = newestCursor(
    since ?? null,
    batch.items.flatMap((issue) => (issue.updatedAt ? [issue.updatedAt] : [])),
  );
  const gone = batch.failed.filter((f) => isPermanent(f.error));
  const retryable = batch.failed.filter((f) => !isPermanent(f.error));
  ctx.counters.fetched += batch.items.length;

  ctx.progress({ current: batch.items.length, total: keys.length, phase: 'writing issues' });
  await store.write(async (tx, changes) => {
    const written = await upsertIssues(tx, batch.items.map(toIssueRecord), ctx.runId);
    changes.record('issue', written);
    ctx.counters.changed += written.inserted.length + written.updated.length;
    await resolveQuarantined(
      tx,
      'jira.issue',
      batch.items.map((issue) => issue.key),
    );
    const goneRejections = gone.map(
      ({ key, error }): Rejection => ({
        source: 'jira.issue',
        externalId: key,
        reason: error.message,
        payload: null,
      }),
    );
    ctx.counters.quarantined += await quarantineRejections(
      tx,
      changes,
      [...batch.rejected, ...goneRejections],
      ctx.runId,
    );
    // A failed run leaves the state alone: its retry (or the next run) still sees the same work.
    if (retryable.length === 0) {
      await saveSyncState(tx, ISSUES_SOURCE, {
        ...(full ? { lastFullAt: new Date() } : {}),
        ...(cursor ? { cursor } : {}),
        details: {
          lastRun: {
            full,
            tracked: tracked.length,
            requested: keys.length,
            fetched: batch.items.length,
            gone: gone.length,
          },
        },
      });
    }
  });

  if (retryable.length) {
    const first = retryable[0];
    throw new Error(
      `${retryable.length} of ${keys.length} linked issues could not be fetched (first: ${first?.key}: ${first?.error.message}); ` +
        'the others are stored and a retry fetches the rest',
    );
  }
  ctx.progress({ current: keys.length, total: keys.length, phase: 'done' });
  return {
    summary:
      `${full ? 'full pass' : 'incremental'}: ${keys.length} issues requested, ${batch.items.length} fetched, ` +
      `${ctx.counters.changed} changed${gone.length ? `, ${gone.length} gone or hidden` : ''}`,
  };
}

/** Errors that another attempt would not fix: the issue is gone, hidden from us, or its key is malformed. */
function isPermanent(error: Error): boolean {
  if (error instanceof RangeError || error instanceof UpstreamContractError) return true;
  return (
    error instanceof UpstreamError && error.kind === 'http' && [403, 404, 410].includes(error.status ?? 0)
  );
}
