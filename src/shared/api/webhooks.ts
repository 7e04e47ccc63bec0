import { z } from 'zod';
import { WEBHOOK_OUTCOMES, WEBHOOK_SOURCES } from '../vocabulary.js';
import { bool, dateTime, int, nstr, str, strings, type Wire } from './common.js';

// Webhooks upstreams push (JIRA): the answer to one delivery, and what the sync page shows.

/** The answer to a verified delivery. */
export const webhookResultSchema = z.strictObject({
  outcome: z.enum(WEBHOOK_OUTCOMES),
  /** The delivery's `webhookEvent`. */
  event: str,
  /** The issue key it concerned, when there is one. */
  key: nstr,
  reason: str,
});

export const webhookSourceSchema = z.strictObject({
  source: z.enum(WEBHOOK_SOURCES),
  /** False while its secret is not configured: deliveries are refused. */
  enabled: bool,
  /** Where the upstream's webhook must point (path on this server). */
  path: str,
  lastReceivedAt: dateTime.nullable(),
  /** The last delivery that changed stored data. */
  lastAppliedAt: dateTime.nullable(),
  lastEvent: nstr,
  lastKey: nstr,
  lastOutcome: nstr,
  received: int,
  /** Issues JIRA deleted that t5g still stores (kept as they are), and the latest of their keys. */
  deletedUpstream: int,
  deletedKeys: strings,
  /** Cards a webhook changed whose comments the next cards pass re-reads. */
  pendingCommentChecks: int,
});

export const webhookStatusSchema = z.strictObject({ sources: z.array(webhookSourceSchema) });

export type WebhookResult = Wire<typeof webhookResultSchema>;
export type WebhookStatus = Wire<typeof webhookStatusSchema>;
export type WebhookSourceStatus = Wire<typeof webhookSourceSchema>;
