import type { Severity } from '../../config/config.js';
import type { RunAction } from '../../shared/api/sync.js';
import type { JiraClient } from '../../sources/index.js';
import type { Queryable } from '../../store/db.js';
import {
  listOpenCardSeverities,
  type OpenCardSeverity,
  patchCardPriority,
} from '../../store/repositories/cards.js';
import type { JobContext, JobDefinition, JobOutcome } from '../engine/types.js';
import { withUpstreams } from '../helpers/upstreams.js';
import { skippedOutcome } from './outcome.js';

// Priority sync (daily 03:12; scheduled only with READ_ONLY off): every card not Done whose JIRA
// priority differs from `priorityMap[case severity]` gets the mapped priority, and the stored card
// is patched in the same step through the store's change-logged write path, so the dashboard shows
// it before the next cards sync (the original left its cache stale). A blocked write (READ_ONLY) is
// reported as "would have" and changes nothing stored; one card failing does not stop the others.

/** Open cards whose priority is not the one their case's severity maps to. */
export async function listPriorityMismatches(
  q: Queryable,
  priorityMap: Record<Severity, string>,
): Promise<(OpenCardSeverity & { wanted: string })[]> {
  return (await listOpenCardSeverities(q))
    .map((m) => ({ ...m, wanted: priorityMap[m.severityLabel] }))
    .filter((m) => m.wanted !== undefined && m.priority !== m.wanted);
}

export const prioritySyncJob: JobDefinition = {
  name: 'priority-sync',
  title: 'JIRA priority from case severity',
  refresh: 'none',
  after: ['cases', 'cards'],
  retry: { limit: 2, delaySeconds: 60, backoff: true, maxDelaySeconds: 600 },
  timeoutSeconds: 15 * 60,
  handler: syncPriorities,
};

async function syncPriorities(ctx: JobContext): Promise<JobOutcome> {
  const { config, store } = ctx;
  if (!config.jira.url || !config.jira.project) {
    const summary = 'skipped: JIRA_URL / JIRA_PROJECT not set';
    return { summary, outcome: skippedOutcome(summary) };
  }
  const todo = await listPriorityMismatches(store.db, config.jira.priorityMap);
  ctx.counters.fetched = todo.length;
  let changed = 0;
  let blocked = 0;
  const failed: string[] = [];
  const did: RunAction[] = [];
  const wouldHave: RunAction[] = [];
  const failures: RunAction[] = [];
  const change = (m: (typeof todo)[number]) => `${m.priority ?? '(none)'} → ${m.wanted}`;
  await withUpstreams(ctx, async (up) => {
    const jira = up.jira as JiraClient;
    for (const [i, m] of todo.entries()) {
      ctx.progress({ current: i, total: todo.length, phase: 'setting priorities' });
      try {
        const outcome = await jira.setPriority(m.jiraKey, m.severityLabel);
        if (outcome.blocked) {
          blocked++;
          wouldHave.push({ action: 'set priority', target: m.jiraKey, detail: change(m) });
          ctx.logger.info(
            { key: m.jiraKey, from: m.priority, to: m.wanted },
            'READ_ONLY: would set priority',
          );
          continue;
        }
        await store.write(async (tx, changes) => {
          changes.record(
            'card',
            await patchCardPriority(tx, [{ jiraKey: m.jiraKey, priority: m.wanted }], ctx.runId),
          );
        });
        changed++;
        did.push({ action: 'set priority', target: m.jiraKey, detail: change(m) });
      } catch (err) {
        failed.push(m.jiraKey);
        failures.push({ action: 'set priority', target: m.jiraKey, detail: (err as Error).message });
        ctx.logger.error({ err, key: m.jiraKey }, 'could not set the priority');
      }
    }
  });
  if (failed.length > 0 && changed === 0 && blocked === 0)
    throw new Error(`priority sync failed for every card (${failed.slice(0, 5).join(', ')}…)`);
  ctx.counters.changed = changed;
  const parts = [`${changed} priorities set`];
  if (blocked) parts.push(`READ_ONLY: ${blocked} not sent`);
  if (failed.length) parts.push(`${failed.length} failed: ${failed.slice(0, 10).join(', ')}`);
  const summary = parts.join(', ');
  return {
    changed,
    summary,
    outcome: {
      result: config.readOnly ? 'read-only' : 'wrote',
      summary,
      did,
      wouldHave,
      failed: failures,
      handedOver: [],
      refused: null,
    },
  };
}
