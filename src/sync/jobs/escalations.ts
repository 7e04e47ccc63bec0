import { UpstreamConfigError } from '../../sources/index.js';
import { listVanishedEscalations, upsertEscalations } from '../../store/repositories/escalations.js';
import { resolveQuarantined } from '../../store/repositories/quarantine.js';
import { saveSyncState } from '../../store/repositories/sync-state.js';
import type { JobContext, JobDefinition, JobOutcome } from '../engine/types.js';
import { toEscalationRecord } from '../helpers/mappers/jira.js';
import { quarantineRejections } from '../helpers/rejections.js';
import { withUpstreams } from '../helpers/upstreams.js';

// Escalations ("prio-list"): the open issues of the escalations project carrying the configured
// label, with the case numbers their SFDC case-links field names. The set is small, so every run
// reads all of it (paged search, no cursor).
//
// A case is escalated while an escalation naming it is open. One that a run no longer returns was
// closed, lost the label or left the project: its row is kept and its status set to "Closed", so
// "escalated" turns off and the history stays. If it comes back, the next run restores its status.

export const ESCALATIONS_SOURCE = 'escalations';

/** Status written for an escalation the search no longer returns. */
export const VANISHED_STATUS = 'Closed';

export const escalationsJob: JobDefinition = {
  name: 'escalations',
  title: 'JIRA escalations',
  refresh: 'all',
  retry: { limit: 5, delaySeconds: 30, backoff: true, maxDelaySeconds: 600 },
  timeoutSeconds: 10 * 60,
  handler: syncEscalations,
};

async function syncEscalations(ctx: JobContext): Promise<JobOutcome> {
  const { config, store } = ctx;
  const jiraUrl = config.jira.url;
  if (!jiraUrl || !config.jira.escalations) {
    ctx.logger.warn('JIRA_URL or the escalations project/label is not set; escalations are not synced');
    return { summary: 'skipped: escalations not configured' };
  }
  ctx.progress({ current: 0, total: 1, phase: 'reading open escalations' });
  const batch = await withUpstreams(ctx, async (up) => {
    if (!up.jira) throw new UpstreamConfigError('jira', 'JIRA_URL is not set');
    return up.jira.searchEscalations(ctx.signal);
  });
  ctx.counters.fetched += batch.items.length;

  const closed = await store.write(async (tx, changes) => {
    const open = await upsertEscalations(
      tx,
      batch.items.map((e) => toEscalationRecord(e, jiraUrl)),
      ctx.runId,
    );
    changes.record('escalation', open);
    // Rejected records were returned too, just unreadable: they have not vanished.
    const returned = [...batch.items.map((e) => e.key), ...batch.rejected.map((r) => r.externalId)];
    const vanished = await listVanishedEscalations(tx, returned);
    const closed = await upsertEscalations(
      tx,
      vanished.map((e) => ({ ...e, status: VANISHED_STATUS })),
      ctx.runId,
    );
    changes.record('escalation', closed);
    ctx.counters.changed += open.inserted.length + open.updated.length + closed.updated.length;
    await resolveQuarantined(
      tx,
      'jira.escalation',
      batch.items.map((e) => e.key),
    );
    ctx.counters.quarantined += await quarantineRejections(tx, changes, batch.rejected, ctx.runId);
    await saveSyncState(tx, ESCALATIONS_SOURCE, {
      lastFullAt: new Date(),
      details: { lastRun: { open: batch.items.length, closed: vanished.length } },
    });
    return vanished.length;
  });

  ctx.progress({ current: 1, total: 1, phase: 'done' });
  const cases = new Set(batch.items.flatMap((e) => e.caseNumbers)).size;
  return {
    summary: `${batch.items.length} open escalations naming ${cases} cases${closed ? `, ${closed} closed since last run` : ''}`,
  };
}
