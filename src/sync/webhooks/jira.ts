import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import type { WEBHOOK_OUTCOMES } from '../../shared/vocabulary.js';
import {
  isTeamCardIssue,
  type JiraWebhookEvent,
  parseCard,
  parseLinkedIssue,
  type WebhookIssue,
} from '../../sources/index.js';
import type { Queryable } from '../../store/db.js';
import { recordCardsGoneUpstream, upsertCards } from '../../store/repositories/cards.js';
import { findCaseRefs } from '../../store/repositories/case-selection.js';
import { upsertIssues } from '../../store/repositories/issues.js';
import {
  deleteJiraComments,
  storedCommentUpdate,
  upsertJiraComments,
} from '../../store/repositories/jira-comments.js';
import { resolveQuarantined } from '../../store/repositories/quarantine.js';
import {
  cardKeyByIssueId,
  lockCardVersion,
  lockIssueVersion,
  recordWebhookReceipt,
  wasCommentDeleted,
} from '../../store/repositories/webhooks.js';
import type { ChangeSet, Store } from '../../store/store.js';
import { toCardRecord, toIssueRecord, toJiraCommentRecord } from '../helpers/mappers/jira.js';
import { QUARANTINE_ENTITY, quarantineRejections } from '../helpers/rejections.js';

// A verified JIRA webhook delivery applied to the store, through the same upserts the cards and
// issues jobs use, in one transaction, so change_log, the change feed (SSE), card_index and the
// caches all follow as they do for a sync run. Polling stays the safety net: anything a lost or
// refused delivery misses is read by the next cards / issues pass.
//
// Against polling, the stored record decides: an event whose issue (or comment) is not newer than
// what is stored changes nothing (`stale`) — a replayed or late delivery never rolls data back.
// The stored row is locked first, so a sync run writing the same card waits or is waited for.
//
//   team card (project + card label)  created/updated → the card (and embedded comments) upserted
//                                      deleted → kept as it is, listed, and recorded in change_log
//                                      (op gone), as the full pass treats a card it no longer sees
//   comment on a stored card           created/updated → upserted; deleted → deleted (and its id
//                                      kept, so a replayed event of it cannot bring it back)
//   a stored linked issue              created/updated → upserted (its restricted keywords kept)
//   anything else                      ignored (counted)
//
// An issue event carries no comments (JIRA Cloud dropped them from issue webhooks), so a card it
// changes is put on a list the next cards pass re-reads the comments of: a comment event lost on
// the way is still caught by polling.

export const WEBHOOK_SOURCE = 'jira';

/** The change_log reason of a card a webhook reported deleted. */
export const GONE_BY_WEBHOOK = 'deleted in JIRA (webhook)';

/** How much older than its stored card a comment event may be and still be applied. */
const REPLAY_MARGIN_MS = 60_000;

export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface WebhookResult {
  outcome: WebhookOutcome;
  event: string;
  key: string | null;
  reason: string;
}

interface ApplyDeps {
  store: Store;
  config: Config;
  logger: Logger;
}

type Step = Omit<WebhookResult, 'event'> & {
  pendingCard?: string;
  deletedKey?: string;
  deletedComment?: string;
};

export async function applyJiraWebhook(deps: ApplyDeps, event: JiraWebhookEvent): Promise<WebhookResult> {
  const receivedAt = new Date();
  const step = await deps.store.write(async (tx, changes) => {
    const result = await applyEvent(tx, changes, deps.config, event);
    await recordWebhookReceipt(tx, WEBHOOK_SOURCE, {
      at: receivedAt,
      event: event.event,
      key: result.key,
      outcome: result.outcome,
      applied: result.outcome === 'applied',
      ...(result.deletedKey ? { deletedKey: result.deletedKey } : {}),
      ...(result.deletedComment ? { deletedComment: result.deletedComment } : {}),
      ...(result.pendingCard ? { pendingCard: result.pendingCard } : {}),
    });
    return result;
  });
  if (step.outcome === 'deleted')
    deps.logger.warn(
      { key: step.key, event: event.event },
      'JIRA deleted an issue t5g stores; kept as it is and listed in the webhook state',
    );
  return { outcome: step.outcome, event: event.event, key: step.key, reason: step.reason };
}

async function applyEvent(
  tx: Queryable,
  changes: ChangeSet,
  config: Config,
  event: JiraWebhookEvent,
): Promise<Step> {
  if (event.kind === 'other') return { outcome: 'ignored', key: null, reason: 'event not used by t5g' };
  if (event.kind === 'comment') return applyComment(tx, changes, config, event);
  const { issue } = event;
  const card = await lockCardVersion(tx, issue.key);
  if (event.event === 'jira:issue_deleted') {
    const linked = card ? undefined : await lockIssueVersion(tx, issue.key);
    if (!card && !linked) return { outcome: 'ignored', key: issue.key, reason: 'not a stored card or issue' };
    // The card row stays; change_log and the change feed say it left JIRA, as the full pass does.
    if (card) changes.add('card', await recordCardsGoneUpstream(tx, [issue.key], GONE_BY_WEBHOOK, null));
    return {
      outcome: 'deleted',
      key: issue.key,
      reason: `${card ? 'card' : 'linked issue'} deleted in JIRA; kept as it is`,
      deletedKey: issue.key,
    };
  }
  if (isTeamCardIssue(issue, config.jira)) return applyCard(tx, changes, config, issue, card?.updatedAt);
  const linked = await lockIssueVersion(tx, issue.key);
  if (linked) return applyLinkedIssue(tx, changes, config, issue, linked);
  return {
    outcome: 'ignored',
    key: issue.key,
    reason: card
      ? 'no longer a team card (as a full pass, the card is kept)'
      : 'not a team card or a tracked issue',
  };
}

async function applyCard(
  tx: Queryable,
  changes: ChangeSet,
  config: Config,
  issue: WebhookIssue,
  storedUpdatedAt: Date | undefined,
): Promise<Step> {
  const parsed = parseCard(issue.raw, config.jira);
  if (!parsed.card) {
    await quarantineRejections(tx, changes, parsed.rejected, null);
    return { outcome: 'quarantined', key: issue.key, reason: parsed.rejected[0]?.reason ?? 'invalid card' };
  }
  const card = parsed.card;
  if (storedUpdatedAt && card.updatedAt.getTime() <= storedUpdatedAt.getTime())
    return { outcome: 'stale', key: card.key, reason: 'not newer than the stored card' };
  const [caseRef] = card.caseNumber ? await findCaseRefs(tx, [card.caseNumber]) : [];
  const flavor = config.jira.flavor;
  const written = await upsertCards(tx, [toCardRecord(card, caseRef ?? null, flavor)], null);
  changes.record('card', written);
  if (card.comments.length) {
    const stored = await upsertJiraComments(
      tx,
      card.comments.map((c) => toJiraCommentRecord(c, caseRef ?? null, flavor)),
      null,
    );
    changes.record('jira_comment', stored);
    if (stored.quarantined > 0)
      changes.add(
        QUARANTINE_ENTITY,
        card.comments.map((c) => c.id),
      );
  }
  if (parsed.note) await quarantineRejections(tx, changes, [parsed.note], null);
  else await resolveQuarantined(tx, 'jira.card', [card.key]);
  if (parsed.rejected.length) await quarantineRejections(tx, changes, parsed.rejected, null);
  return {
    outcome: 'applied',
    key: card.key,
    reason: storedUpdatedAt ? 'card updated' : 'card stored',
    ...(card.commentsComplete ? {} : { pendingCard: card.key }),
  };
}

async function applyLinkedIssue(
  tx: Queryable,
  changes: ChangeSet,
  config: Config,
  issue: WebhookIssue,
  stored: { updatedAt: Date | null; privateKeywords: string[] | null },
): Promise<Step> {
  const parsed = parseLinkedIssue(issue.raw, config.jira);
  if (!parsed.issue) {
    await quarantineRejections(tx, changes, parsed.rejection ? [parsed.rejection] : [], null);
    return { outcome: 'quarantined', key: issue.key, reason: parsed.rejection?.reason ?? 'invalid issue' };
  }
  const linked = parsed.issue;
  if (stored.updatedAt && linked.updatedAt && linked.updatedAt.getTime() <= stored.updatedAt.getTime())
    return { outcome: 'stale', key: linked.key, reason: 'not newer than the stored issue' };
  const record = toIssueRecord(linked);
  // JIRA Cloud hides the private keywords outside renderedFields, which a webhook does not carry.
  if (linked.privateKeywords === undefined) record.privateKeywords = stored.privateKeywords;
  const written = await upsertIssues(tx, [record], null);
  changes.record('issue', written);
  await resolveQuarantined(tx, 'jira.issue', [linked.key]);
  return { outcome: 'applied', key: linked.key, reason: 'linked issue updated' };
}

async function applyComment(
  tx: Queryable,
  changes: ChangeSet,
  config: Config,
  event: Extract<JiraWebhookEvent, { kind: 'comment' }>,
): Promise<Step> {
  const key = event.issue?.key ?? (await issueKeyOf(tx, event.issueIdOrKey));
  const card = key ? await lockCardVersion(tx, key) : undefined;
  if (!key || !card)
    return { outcome: 'ignored', key: key ?? null, reason: 'comment on an issue that is not a stored card' };
  const { comment } = event;
  const stored = await storedCommentUpdate(tx, comment.id);
  if (event.event === 'comment_deleted') {
    if (!stored) return { outcome: 'stale', key, reason: 'comment not stored (already deleted)' };
    const deleted = await deleteJiraComments(tx, [comment.id]);
    changes.add('jira_comment', deleted);
    return { outcome: 'applied', key, reason: 'comment deleted', deletedComment: comment.id };
  }
  // A comment deleted by an earlier event stays deleted (its id is never reused), whatever the margin below.
  if (!stored && (await wasCommentDeleted(tx, WEBHOOK_SOURCE, comment.id)))
    return { outcome: 'stale', key, reason: 'comment deleted by an earlier event' };
  // Not newer than the stored comment; or clearly older than the stored card, which does not have
  // it (a replay of a deleted comment: the card was read with all its comments after the comment's
  // time, or changed by a webhook and so queued for the next pass to re-read its comments). The
  // margin covers JIRA stamping the issue a little after the comment it adds.
  if (stored && comment.updatedAt.getTime() <= stored.getTime())
    return { outcome: 'stale', key, reason: 'not newer than the stored comment' };
  if (!stored && comment.updatedAt.getTime() < card.updatedAt.getTime() - REPLAY_MARGIN_MS)
    return { outcome: 'stale', key, reason: 'older than the stored card, which does not have it' };
  const caseRef =
    card.caseNumber && card.caseCreatedDate
      ? { caseNumber: card.caseNumber, caseCreatedDate: card.caseCreatedDate }
      : null;
  const written = await upsertJiraComments(
    tx,
    [toJiraCommentRecord({ ...comment, issueKey: key }, caseRef, config.jira.flavor)],
    null,
  );
  changes.record('jira_comment', written);
  if (written.quarantined > 0) {
    changes.add(QUARANTINE_ENTITY, [comment.id]);
    return { outcome: 'quarantined', key, reason: 'the card has no stored case' };
  }
  return { outcome: 'applied', key, reason: stored ? 'comment updated' : 'comment stored' };
}

/** A Data Center comment event may name its issue by id only. */
async function issueKeyOf(tx: Queryable, idOrKey: string): Promise<string | undefined> {
  return /^\d+$/.test(idOrKey) ? cardKeyByIssueId(tx, idOrKey) : idOrKey.toUpperCase();
}
