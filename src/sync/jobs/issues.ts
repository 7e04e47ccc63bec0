import type { IssueBatch, Rejection } from '../../sources/index.js';
import { UpstreamConfigError, UpstreamContractError, UpstreamError } from '../../sources/index.js';
import { upsertIssues } from '../../store/repositories/issues.js';
import { issueKeysToFetch } from '../../store/repositories/link-selection.js';
import { resolveQuarantined } from '../../store/repositories/quarantine.js';
import { getSyncState, saveSyncState } from '../../store/repositories/sync-state.js';
import type { JobContext, JobDefinition, JobOutcome } from '../engine/types.js';
import { DAILY_FULL_PASS_MS, isFullPassDue } from '../helpers/full-pass.js';
import { toIssueRecord } from '../helpers/mappers/jira.js';
import { quarantineRejections } from '../helpers/rejections.js';
import { withUpstreams } from '../helpers/upstreams.js';

// JIRA issues linked to open cases (keys from `case_issues`, which the Portal `details` job
// writes). Only what is new or changed is fetched: keys not stored yet, and keys whose Portal link
// reports a newer modification than the stored issue (store/repositories/link-selection.ts). A
// full pass refetches every key: on `params.full`, and at least once a day by itself (the schedule
// has no separate full run), since an issue can change without its case — and so its link — being
// re-read.
//
// Requests go through the connector's `getIssues`: one GET per key, `jira.concurrency` at a time.
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
  const full = isFullPassDue(ctx.params, state?.lastFullAt, DAILY_FULL_PASS_MS);
  const keys = await issueKeysToFetch(store.db, { full });
  ctx.progress({
    current: 0,
    total: keys.length,
    phase: full ? 'reading every linked issue' : 'reading changed issues',
  });

  const batch: IssueBatch = keys.length
    ? await withUpstreams(ctx, async (up) => {
        if (!up.jira) throw new UpstreamConfigError('jira', 'JIRA_URL is not set');
        return up.jira.getIssues(keys, ctx.signal);
      })
    : { items: [], rejected: [], failed: [] };
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
        details: {
          lastRun: { full, requested: keys.length, fetched: batch.items.length, gone: gone.length },
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
