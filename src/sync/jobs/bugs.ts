import type { BugBatch } from '../../sources/index.js';
import { UNKNOWN_ID } from '../../sources/index.js';
import { upsertBugs } from '../../store/repositories/bugs.js';
import { bugIdsToFetch, trackedBugIds } from '../../store/repositories/link-selection.js';
import {
  listUnresolvedByPrefix,
  resolveQuarantined,
  resolveQuarantinedRows,
} from '../../store/repositories/quarantine.js';
import { getSyncState, saveSyncState } from '../../store/repositories/sync-state.js';
import type { JobContext, JobDefinition, JobOutcome } from '../engine/types.js';
import { newestCursor } from '../helpers/cursor.js';
import { DAILY_FULL_PASS_MS, isFullPassDue } from '../helpers/full-pass.js';
import { toBugRecord } from '../helpers/mappers/bugzilla.js';
import { quarantineRejections, toQuarantineRecord } from '../helpers/rejections.js';
import { withUpstreams } from '../helpers/upstreams.js';

// Bugzilla bugs linked to cases (ids from `case_bugs`, which the Portal `details` job writes),
// fetched in batches of `bugzilla.batchSize` ids per request (the original made one call per bug).
//
// Incremental: bugs not stored yet, readable bugs whose status or summary as the Portal reports
// them differ from the stored bug, bugs quarantined as malformed (store/repositories/link-selection.ts),
// and the stored readable bugs Bugzilla reports changed since the cursor (`id=…&last_change_time=…`
// over the tracked ids, batched; a bug missing from that answer is unchanged). The cursor is the
// newest `last_change_time` Bugzilla reported, saved with the bugs it covers. The full pass — on
// `params.full`, when there is no cursor yet, and at least once a day by itself — re-reads every
// linked bug, unavailable ones included. Batches make it cheap (1,000 bugs = 10 requests).
//
// A bug the key may not read, or that does not exist, is stored as an `unavailable` row with the
// reason (the original did the same per bug); an invalid record is quarantined under its bug id
// (when its id field is unreadable the connector asks for the missing ids one by one to find out
// which bug it was) and its row is resolved once the bug arrives valid. The row of a payload whose
// id was unreadable cannot be matched to a bug: a full pass, which reads every linked bug, resolves
// it unless that same payload came back again.

export const BUGS_SOURCE = 'bugs';

export const bugsJob: JobDefinition = {
  name: 'bugs',
  title: 'Bugzilla bugs',
  refresh: 'all',
  // The ids come from the case links the details job writes.
  after: ['cases', 'details'],
  retry: { limit: 5, delaySeconds: 30, backoff: true, maxDelaySeconds: 600 },
  timeoutSeconds: 20 * 60,
  handler: syncBugs,
};

async function syncBugs(ctx: JobContext): Promise<JobOutcome> {
  const { config, store } = ctx;
  if (!config.bugzilla.apiKey) {
    // As the schedule: without a key only public bugs are readable, and the rest would be stored
    // as "unavailable" although they are not.
    ctx.logger.warn('BUGZILLA_API_KEY is not set; bugs are not synced');
    return { summary: 'skipped: BUGZILLA_API_KEY not set' };
  }
  const state = await getSyncState(store.db, BUGS_SOURCE);
  const since = state?.cursor ?? undefined;
  const full = !since || isFullPassDue(ctx.params, state?.lastFullAt, DAILY_FULL_PASS_MS);
  const ids = await bugIdsToFetch(store.db, { full });
  const chosen = new Set(ids);
  const tracked = full ? [] : (await trackedBugIds(store.db)).filter((t) => !chosen.has(t.bugId));
  const storedChange = new Map(tracked.map((t) => [Number(t.bugId), t.lastChangeTime?.getTime()]));
  ctx.progress({
    current: 0,
    total: ids.length + tracked.length,
    phase: full ? 'reading every linked bug' : 'reading changed bugs',
  });

  const batch: BugBatch =
    ids.length || (since && tracked.length)
      ? await withUpstreams(ctx, async (up) => {
          const named = ids.length ? await up.bugzilla.getBugs(ids, ctx.signal) : { items: [], rejected: [] };
          if (!since || !tracked.length) return named;
          const found = await up.bugzilla.getBugsChangedSince([...storedChange.keys()], since, ctx.signal);
          // The search re-reads its overlap; a bug whose change time is the one stored has not changed.
          const changed = found.items.filter(
            (bug) => bug.unavailable || bug.lastChangedAt.getTime() !== storedChange.get(bug.id),
          );
          return { items: [...named.items, ...changed], rejected: [...named.rejected, ...found.rejected] };
        })
      : { items: [], rejected: [] };
  const cursor = newestCursor(
    since ?? null,
    batch.items.flatMap((bug) => (bug.unavailable ? [] : [bug.lastChangedAt])),
  );
  const unavailable = batch.items.filter((bug) => bug.unavailable).length;
  ctx.counters.fetched += batch.items.length;

  ctx.progress({ current: batch.items.length, total: ids.length, phase: 'writing bugs' });
  await store.write(async (tx, changes) => {
    const written = await upsertBugs(tx, batch.items.map(toBugRecord), ctx.runId);
    changes.record('bug', written);
    ctx.counters.changed += written.inserted.length + written.updated.length;
    await resolveQuarantined(
      tx,
      'bugzilla.bug',
      batch.items.map((bug) => String(bug.id)),
    );
    ctx.counters.quarantined += await quarantineRejections(tx, changes, batch.rejected, ctx.runId);
    if (full) {
      const again = new Set(batch.rejected.map((r) => toQuarantineRecord(r).externalId));
      const unreadable = await listUnresolvedByPrefix(tx, 'bugzilla.bug', `${UNKNOWN_ID} `);
      await resolveQuarantinedRows(
        tx,
        unreadable.filter((row) => !again.has(row.externalId)).map((row) => row.id),
      );
    }
    await saveSyncState(tx, BUGS_SOURCE, {
      ...(full ? { lastFullAt: new Date() } : {}),
      ...(cursor ? { cursor } : {}),
      details: {
        lastRun: {
          full,
          tracked: tracked.length,
          requested: ids.length,
          fetched: batch.items.length,
          unavailable,
        },
      },
    });
  });

  ctx.progress({ current: ids.length, total: ids.length, phase: 'done' });
  return {
    summary:
      `${full ? 'full pass' : `incremental over ${tracked.length} tracked`}: ${ids.length} bugs requested, ` +
      `${batch.items.length} fetched, ${unavailable} unavailable, ` +
      `${ctx.counters.changed} changed, ${batch.rejected.length} rejected`,
  };
}
