import type { Config } from '../../../config/config.js';
import type { Upstreams } from '../../../sources/index.js';
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
import type { CardDone } from './steps.js';

// Notifications of card creation. Each one is independent: a failed (or unconfigured) e-mail does
// not stop the Slack posts, and neither changes what was stored. The original sent the mail first,
// and a mail error (e.g. no recipient) skipped Slack and the cache update after the cards existed.

export interface NotifyResult {
  mail: 'sent' | 'blocked' | 'failed' | 'skipped';
  slack: { posted: number; failed: number; skipped: number };
  errors: string[];
}

/** One mail to the team listing every new card, then one Slack post per card (reply = description). */
export async function notifyNewCards(
  ctx: JobContext,
  up: Upstreams,
  cards: readonly CardDone[],
): Promise<NotifyResult> {
  const { config } = ctx;
  const result: NotifyResult = { mail: 'skipped', slack: { posted: 0, failed: 0, skipped: 0 }, errors: [] };
  if (cards.length === 0) return result;
  const bodies = cards.map((c) => notificationBody(c.case, c, c.assignee));

  if (config.email.to.length > 0) {
    try {
      const sent = await up.email.send({
        to: config.email.to,
        subject: newCardsSubject(
          config.email.subject,
          cards.map((c) => c.case.caseNumber),
        ),
        text: cards.map((c, i) => mailBlock(bodies[i] ?? '', c.case)).join(''),
      });
      result.mail = sent.blocked ? 'blocked' : 'sent';
    } catch (err) {
      result.mail = 'failed';
      result.errors.push(`mail: ${(err as Error).message}`);
      ctx.logger.error({ err }, 'new-card mail failed; Slack and the stored cards are unaffected');
    }
  } else ctx.logger.warn('EMAIL_TO is not set; no new-card mail');

  for (const [i, c] of cards.entries()) {
    const channel = up.slack.enabled ? up.slack.channelForSeverity(c.case.severity) : undefined;
    if (!channel) {
      result.slack.skipped++;
      continue;
    }
    try {
      const posted = await up.slack.postWithReply({
        channel,
        text: slackBody(bodies[i] ?? '', c.assignee),
        reply: slackReply(c.case),
      });
      if (posted.blocked) result.slack.skipped++;
      else result.slack.posted++;
    } catch (err) {
      result.slack.failed++;
      result.errors.push(`slack ${c.case.caseNumber}: ${(err as Error).message}`);
      ctx.logger.error({ err, case: c.case.caseNumber }, 'new-card Slack post failed');
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
