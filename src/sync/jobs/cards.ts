import type { CardBatch, JiraCard, JiraClient, JiraComment } from '../../sources/index.js';
import { UpstreamConfigError, UpstreamError } from '../../sources/index.js';
import {
  listCardKeys,
  recordCardsGoneUpstream,
  storedUpdateTimes,
  upsertCards,
} from '../../store/repositories/cards.js';
import type { CaseRef } from '../../store/repositories/case-parents.js';
import { findCaseRefs } from '../../store/repositories/case-selection.js';
import { pruneCardComments, upsertJiraComments } from '../../store/repositories/jira-comments.js';
import { resolveQuarantined } from '../../store/repositories/quarantine.js';
import { getSyncState, saveSyncState } from '../../store/repositories/sync-state.js';
import {
  clearPendingCommentChecks,
  lockCardVersion,
  pendingCommentChecks,
} from '../../store/repositories/webhooks.js';
import type { JobContext, JobDefinition, JobOutcome } from '../engine/types.js';
import { newestCursor } from '../helpers/cursor.js';
import { toCardRecord, toJiraCommentRecord } from '../helpers/mappers/jira.js';
import { quarantineRejections } from '../helpers/rejections.js';
import { withUpstreams } from '../helpers/upstreams.js';
import { WEBHOOK_SOURCE } from '../webhooks/jira.js';

// The team's JIRA cards (project + card label; every sprint, not only the active one) with every
// comment, contributors and the internal status from the configured map.
//
// Incremental (hourly): JQL `updated >= cursor`; the connector subtracts a small overlap and floors
// to the minute, so re-reading the last couple of minutes is expected. The cursor is the newest
// `updated` JIRA reported (JIRA's clock, not ours), saved in the transaction that writes those
// cards, so a crash re-reads instead of skipping.
//
// Full pass (`params.full`, daily by `schedules.cardsFull`, and the very first run): every team
// card. Cards this store holds that the full pass no longer sees (deleted, moved to another
// project, label removed) are kept as they are, listed in `sync_state.details.lastFullPass`
// (`missingUpstream`, `missingKeys`) and the log, and recorded once in change_log (op `gone`, on
// the change feed), as the webhook receiver records a deletion: nothing silently disappears.
//
// Nothing is dropped: an unknown JIRA status keeps the card with status "Unknown" and quarantines a
// note; a card whose `<case#>:` summary prefix names no stored case is kept unlinked (its comments
// are quarantined until the card is read again with its case stored: when the card next changes,
// at the latest by the next full pass); an invalid record is quarantined with its reason.
//
// Webhooks: a card a JIRA webhook changed is stored with its new update time but without its
// comments (issue webhooks carry none), so the incremental search would not see it as changed.
// The receiver lists such cards; each pass reads their comments whole and takes them off the list,
// so a lost comment webhook is still caught by polling.

export const CARDS_SOURCE = 'cards';

/** The change_log reason of a stored card the full pass no longer returned. */
const GONE_BY_FULL_PASS = 'not returned by the full pass (deleted, moved or unlabelled)';

/** Cards per write transaction; the cursor goes with the last one. */
const WRITE_CHUNK = 500;
/** How many of the keys a full pass no longer sees are kept in sync_state (the count is always kept). */
const MISSING_KEYS_KEPT = 200;

export const cardsJob: JobDefinition = {
  name: 'cards',
  title: 'JIRA cards',
  refresh: 'all',
  // Cards link to their case by number, so a full refresh reads the cases first.
  after: ['cases'],
  retry: { limit: 5, delaySeconds: 30, backoff: true, maxDelaySeconds: 600 },
  timeoutSeconds: 30 * 60,
  handler: syncCards,
};

async function syncCards(ctx: JobContext): Promise<JobOutcome> {
  const { config, store } = ctx;
  if (!config.jira.url || !config.jira.project) {
    ctx.logger.warn('JIRA_URL or JIRA_PROJECT is not set; cards are not synced');
    return { summary: 'skipped: JIRA_URL / JIRA_PROJECT not set' };
  }
  const state = await getSyncState(store.db, CARDS_SOURCE);
  const since = ctx.params.full ? undefined : (state?.cursor ?? undefined);
  const full = since === undefined;

  const pending = await pendingCommentChecks(store.db, WEBHOOK_SOURCE);

  ctx.progress({ current: 0, total: 1, phase: full ? 'reading all team cards' : 'reading changed cards' });
  const { batch, changed, rechecked } = await withUpstreams(ctx, async (up) => {
    if (!up.jira) throw new UpstreamConfigError('jira', 'JIRA_URL is not set');
    const read = await readCards(ctx, up.jira, since);
    return { ...read, rechecked: await recheckComments(ctx, up.jira, pending, read.changed, full) };
  });

  // The newest stored case of each number: numbers have been reused, and a card tracks the current case.
  const found = await findCaseRefs(store.db, [
    ...new Set(changed.flatMap((card) => (card.caseNumber ? [card.caseNumber] : []))),
  ]);
  const refs = new Map(found.map((ref) => [ref.caseNumber, ref]));
  const caseOf = (card: JiraCard): CaseRef | null => (card.caseNumber && refs.get(card.caseNumber)) || null;
  const cursor = newestCursor(
    state?.cursor ?? null,
    batch.items.map((card) => card.updatedAt),
  );
  const missing = full ? await missingUpstream(ctx, batch) : [];
  const noted = new Set(batch.notes.map((note) => note.externalId));
  const comments = changed.reduce((n, card) => n + card.comments.length, 0);
  ctx.counters.fetched += batch.items.length + comments;

  const chunks = chunk(changed, WRITE_CHUNK);
  for (const [i, part] of chunks.entries()) {
    ctx.progress({ current: i, total: chunks.length, phase: 'writing cards' });
    const last = i === chunks.length - 1;
    await store.write(async (tx, changes) => {
      const flavor = config.jira.flavor;
      const cards = await upsertCards(
        tx,
        part.map((card) => toCardRecord(card, caseOf(card), flavor)),
        ctx.runId,
      );
      changes.record('card', cards);
      const stored = await upsertJiraComments(
        tx,
        part.flatMap((card) => card.comments.map((c) => toJiraCommentRecord(c, caseOf(card), flavor))),
        ctx.runId,
      );
      changes.record('jira_comment', stored);
      // Only a card whose comment list was read whole can tell that a stored comment was deleted.
      const whole = part.filter((card) => card.commentsComplete);
      const pruned = await pruneCardComments(
        tx,
        whole.map((card) => card.key),
        whole.flatMap((card) => card.comments.map((c) => c.id)),
      );
      if (pruned.length) changes.add('jira_comment', pruned);
      // A card that was quarantined before (unknown status, invalid) and now reads fine is resolved.
      await resolveQuarantined(
        tx,
        'jira.card',
        part.filter((card) => !noted.has(card.key)).map((card) => card.key),
      );
      ctx.counters.changed +=
        cards.inserted.length + cards.updated.length + stored.inserted.length + stored.updated.length;
      ctx.counters.changed += pruned.length;
      // Every comment's card was written just before, so none is refused here.
      ctx.counters.quarantined += stored.quarantined;
      if (!last) return;
      if (missing.length) {
        const gone = await recordCardsGoneUpstream(tx, missing, GONE_BY_FULL_PASS, ctx.runId);
        changes.add('card', gone);
        ctx.counters.changed += gone.length;
      }
      ctx.counters.quarantined += await quarantineRejections(
        tx,
        changes,
        [...batch.rejected, ...batch.notes],
        ctx.runId,
      );
      await saveSyncState(tx, CARDS_SOURCE, {
        cursor,
        ...(full
          ? {
              lastFullAt: new Date(),
              details: {
                lastFullPass: {
                  cards: batch.items.length,
                  rejected: batch.rejected.length,
                  missingUpstream: missing.length,
                  missingKeys: missing.slice(0, MISSING_KEYS_KEPT),
                },
              },
            }
          : {}),
      });
    });
  }
  if (pending.length) await writeRechecked(ctx, rechecked, full ? pending : [], changed);
  ctx.progress({ current: chunks.length, total: chunks.length, phase: 'done' });

  const parts = [
    `${full ? 'full pass' : 'incremental'}: ${batch.items.length} cards read, ${changed.length} new or updated`,
    `${comments} comments`,
    `${ctx.counters.changed} rows changed`,
    batch.notes.length ? `${batch.notes.length} unknown status` : '',
    missing.length ? `${missing.length} stored cards no longer upstream` : '',
  ];
  return { summary: parts.filter(Boolean).join(', ') };
}

/**
 * Full pass: every team card with every comment (the connector pages the comment API past the
 * embedded list). Incremental: the search re-reads the cursor's last couple of minutes, so the
 * cards JIRA has not updated since they were stored are left out before any comment is paged;
 * only new and updated cards get their full comment list (the HTTP layer bounds the concurrency).
 */
async function readCards(
  ctx: JobContext,
  jira: JiraClient,
  since: Date | undefined,
): Promise<{ batch: CardBatch; changed: JiraCard[] }> {
  if (!since) {
    const batch = await jira.searchCards({ comments: 'complete', signal: ctx.signal });
    return { batch, changed: batch.items };
  }
  const batch = await jira.searchCards({ updatedSince: since, comments: 'embedded', signal: ctx.signal });
  const stored = await storedUpdateTimes(
    ctx.store.db,
    batch.items.map((card) => card.key),
  );
  const changed = batch.items.filter((card) => stored.get(card.key) !== card.updatedAt.getTime());
  await Promise.all(
    changed
      .filter((card) => !card.commentsComplete)
      .map(async (card) => {
        const all = await jira.listComments(card.key, ctx.signal);
        card.comments = all.items;
        card.commentsComplete = all.rejected.length === 0;
        batch.rejected.push(...all.rejected);
      }),
  );
  return { batch, changed };
}

/** The comments of one card a webhook changed, read whole (or the card is gone upstream). */
interface Recheck {
  key: string;
  comments: JiraComment[] | null;
  complete: boolean;
}

/** Cards on the webhook list that this pass does not read whole anyway: their comments, read whole. */
async function recheckComments(
  ctx: JobContext,
  jira: JiraClient,
  pending: readonly string[],
  changed: readonly JiraCard[],
  full: boolean,
): Promise<Recheck[]> {
  if (full || pending.length === 0) return [];
  const covered = new Set(changed.filter((c) => c.commentsComplete).map((c) => c.key));
  return Promise.all(
    pending
      .filter((key) => !covered.has(key))
      .map(async (key): Promise<Recheck> => {
        try {
          const all = await jira.listComments(key, ctx.signal);
          ctx.counters.fetched += all.items.length;
          return { key, comments: all.items, complete: all.rejected.length === 0 };
        } catch (err) {
          // Gone or hidden: nothing to re-read; the full pass lists it as missing.
          if (err instanceof UpstreamError && [403, 404].includes(err.status ?? 0))
            return { key, comments: null, complete: true };
          throw err;
        }
      }),
  );
}

/** Stores the re-read comments (deleting the ones JIRA no longer has) and clears the list entries done. */
async function writeRechecked(
  ctx: JobContext,
  rechecked: readonly Recheck[],
  fullPassKeys: readonly string[],
  written: readonly JiraCard[],
): Promise<void> {
  const flavor = ctx.config.jira.flavor;
  await ctx.store.write(async (tx, changes) => {
    const done = new Set<string>(fullPassKeys);
    // Cards this pass read whole (changed ones, or every card on a full pass) need no second read.
    for (const card of written) if (card.commentsComplete) done.add(card.key);
    for (const r of rechecked) {
      if (r.comments === null) {
        done.add(r.key);
        continue;
      }
      const card = await lockCardVersion(tx, r.key);
      if (!card) {
        done.add(r.key);
        continue;
      }
      const caseRef =
        card.caseNumber && card.caseCreatedDate
          ? { caseNumber: card.caseNumber, caseCreatedDate: card.caseCreatedDate }
          : null;
      const stored = await upsertJiraComments(
        tx,
        r.comments.map((c) => toJiraCommentRecord(c, caseRef, flavor)),
        ctx.runId,
      );
      changes.record('jira_comment', stored);
      ctx.counters.changed += stored.inserted.length + stored.updated.length;
      ctx.counters.quarantined += stored.quarantined;
      if (!r.complete) continue;
      const pruned = await pruneCardComments(
        tx,
        [r.key],
        r.comments.map((c) => c.id),
      );
      if (pruned.length) changes.add('jira_comment', pruned);
      ctx.counters.changed += pruned.length;
      done.add(r.key);
    }
    await clearPendingCommentChecks(tx, WEBHOOK_SOURCE, [...done]);
  });
}

/** Stored cards a complete pass did not return (rejected records are not missing, just unreadable). */
async function missingUpstream(ctx: JobContext, batch: CardBatch): Promise<string[]> {
  const seen = new Set([...batch.items.map((c) => c.key), ...batch.rejected.map((r) => r.externalId)]);
  const missing = (await listCardKeys(ctx.store.db)).filter((key) => !seen.has(key));
  if (missing.length) {
    ctx.logger.warn(
      { count: missing.length, keys: missing.slice(0, 20) },
      'stored cards are no longer returned by JIRA (deleted, moved or unlabelled); kept as they are',
    );
  }
  return missing;
}

/** At least one (possibly empty) chunk, so the cursor is saved even when nothing changed. */
function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length ? out : [[]];
}
