import type { Config } from '../../../config/config.js';
import type { Upstreams } from '../../../sources/index.js';
import {
  claimNotifications,
  finishNotifications,
  type NotificationChannel,
  type NotificationResult,
} from '../../../store/repositories/card-creations.js';
import type { JobContext } from '../../engine/types.js';
import {
  failureSlackText,
  MASS_CREATION_SUBJECT,
  mailBlock,
  massCreationBody,
  newCardsSubject,
  notificationBody,
  slackBody,
  slackReply,
} from './content.js';
import { type CardDone, claimHolder } from './steps.js';

// Notifications of card creation. Each one is independent: a failed (or unconfigured) e-mail does
// not stop the Slack posts, and neither changes what was stored. The original sent the mail first,
// and a mail error (e.g. no recipient) skipped Slack and the cache update after the cards existed.

export interface NotifyResult {
  mail: 'sent' | 'blocked' | 'failed' | 'skipped';
  /** The cases the mail named (the ones whose mail notification this run claimed). */
  mailed: string[];
  slack: { posted: number; failed: number; skipped: number };
  /** Cards another run announced (or is announcing) on a channel: this run sent nothing for them there. */
  alreadyAnnounced: { case: string; channel: NotificationChannel }[];
  errors: string[];
}

/**
 * One mail to the team listing every new card, then one Slack post per card (reply = description).
 * Each card's notification on each channel is claimed first (`claimNotifications`): a card whose
 * claim another run took over (this worker was paused past its lease) is announced by that run, not
 * again by this one.
 */
export async function notifyNewCards(
  ctx: JobContext,
  up: Upstreams,
  cards: readonly CardDone[],
): Promise<NotifyResult> {
  const { config, store } = ctx;
  const runId = claimHolder(ctx);
  const result: NotifyResult = {
    mail: 'skipped',
    mailed: [],
    slack: { posted: 0, failed: 0, skipped: 0 },
    alreadyAnnounced: [],
    errors: [],
  };
  if (cards.length === 0) return result;
  const bodies = new Map(cards.map((c) => [c.case.caseNumber, notificationBody(c.case, c, c.assignee)]));
  const claim = async (channel: NotificationChannel, of: readonly CardDone[]) => {
    const won = new Set(
      await claimNotifications(store.db, {
        runId,
        channel,
        caseNumbers: of.map((c) => c.case.caseNumber),
      }),
    );
    for (const c of of)
      if (!won.has(c.case.caseNumber)) result.alreadyAnnounced.push({ case: c.case.caseNumber, channel });
    return of.filter((c) => won.has(c.case.caseNumber));
  };
  const finish = (
    channel: NotificationChannel,
    of: readonly CardDone[],
    outcome: NotificationResult,
    error?: string,
  ) =>
    finishNotifications(store.db, {
      runId,
      channel,
      caseNumbers: of.map((c) => c.case.caseNumber),
      result: outcome,
      ...(error ? { error } : {}),
    });

  if (config.email.to.length > 0) {
    const mailCards = await claim('mail', cards);
    if (mailCards.length > 0) {
      try {
        const sent = await up.email.send({
          to: config.email.to,
          subject: newCardsSubject(
            config.email.subject,
            mailCards.map((c) => c.case.caseNumber),
          ),
          text: mailCards.map((c) => mailBlock(bodies.get(c.case.caseNumber) ?? '', c.case)).join(''),
        });
        result.mail = sent.blocked ? 'blocked' : 'sent';
        result.mailed = mailCards.map((c) => c.case.caseNumber);
        await finish('mail', mailCards, result.mail);
      } catch (err) {
        result.mail = 'failed';
        result.errors.push(`mail: ${(err as Error).message}`);
        ctx.logger.error({ err }, 'new-card mail failed; Slack and the stored cards are unaffected');
        await finish('mail', mailCards, 'failed', (err as Error).message);
      }
    }
  } else ctx.logger.warn('EMAIL_TO is not set; no new-card mail');

  for (const c of cards) {
    const channel = up.slack.enabled ? up.slack.channelForSeverity(c.case.severity) : undefined;
    if (!channel) {
      result.slack.skipped++;
      continue;
    }
    const [mine] = await claim('slack', [c]);
    if (!mine) continue;
    try {
      const posted = await up.slack.postWithReply({
        channel,
        text: slackBody(bodies.get(c.case.caseNumber) ?? '', c.assignee),
        reply: slackReply(c.case),
      });
      if (posted.blocked) result.slack.skipped++;
      else result.slack.posted++;
      await finish('slack', [c], posted.blocked ? 'blocked' : 'sent');
    } catch (err) {
      result.slack.failed++;
      result.errors.push(`slack ${c.case.caseNumber}: ${(err as Error).message}`);
      ctx.logger.error({ err, case: c.case.caseNumber }, 'new-card Slack post failed');
      await finish('slack', [c], 'failed', (err as Error).message);
    }
  }
  return result;
}

/** The failure post to the low-severity channel; never throws (the run goes on with the next case). */
export async function notifyFailure(ctx: JobContext, up: Upstreams, caseNumber: string, message: string) {
  const channel = up.slack.enabled ? up.slack.channelForSeverity(4) : undefined;
  if (!channel) return;
  try {
    await up.slack.postMessage({ channel, text: failureSlackText(caseNumber, message) });
  } catch (err) {
    ctx.logger.error({ err, case: caseNumber }, 'failure Slack post failed');
  }
}

/** The mass-creation alert to `alertTo`; the outcome is recorded in the run either way. */
export async function sendMassCreationAlert(
  ctx: JobContext,
  up: Upstreams,
  config: Config,
  caseNumbers: readonly string[],
): Promise<'sent' | 'blocked' | 'failed'> {
  try {
    const sent = await up.email.send({
      to: config.email.alertTo,
      subject: MASS_CREATION_SUBJECT,
      text: massCreationBody(config.cardCreation.maxPerRun, caseNumbers),
    });
    return sent.blocked ? 'blocked' : 'sent';
  } catch (err) {
    ctx.logger.error({ err }, 'mass-creation alert mail failed');
    return 'failed';
  }
}
