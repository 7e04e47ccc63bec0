import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import { formatIssues, optional, timestamp } from '../validation.js';
import { type JiraComment, jiraCommentSchema } from './schemas.js';

// JIRA webhook deliveries (Cloud and Data Center): the signature JIRA puts on them and the events
// t5g uses. JIRA signs the raw body with the webhook's secret, `X-Hub-Signature: sha256=<hex>`
// (HMAC-SHA256), so the check runs on the bytes as received, before any parsing.
//
// Payloads: `{timestamp (epoch ms), webhookEvent, issue, changelog?}` for jira:issue_created /
// updated / deleted, `{timestamp, webhookEvent, comment, issue?}` for comment_created / updated /
// deleted. Both flavors send the issue in its REST v2 form (users by accountId on Cloud, by name on
// Data Center); a Data Center comment event may come without the issue, and then its comment's
// `self` (`…/issue/{issueId}/comment/{id}`) names the issue.

export const JIRA_SIGNATURE_HEADER = 'x-hub-signature';

export type SignatureCheck = 'ok' | 'missing' | 'mismatch';

/** Checks `X-Hub-Signature` against the HMAC of the raw body, in constant time. */
export function verifyJiraSignature(
  rawBody: Buffer,
  header: string | string[] | undefined,
  secret: string,
): SignatureCheck {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return 'missing';
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(value.trim());
  if (!match?.[1]) return 'mismatch';
  const presented = Buffer.from(match[1].toLowerCase(), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected) ? 'ok' : 'mismatch';
}

export const ISSUE_EVENTS = ['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted'] as const;
export const COMMENT_EVENTS = ['comment_created', 'comment_updated', 'comment_deleted'] as const;
export type IssueEventName = (typeof ISSUE_EVENTS)[number];
export type CommentEventName = (typeof COMMENT_EVENTS)[number];

/** A delivery's issue as far as routing it goes; `raw` is the whole issue for the card parser. */
export interface WebhookIssue {
  id: string;
  key: string;
  projectKey?: string;
  projectName?: string;
  labels?: string[];
  updatedAt?: Date;
  raw: unknown;
}

export type JiraWebhookEvent =
  | { kind: 'issue'; event: IssueEventName; at: Date; issue: WebhookIssue }
  | {
      kind: 'comment';
      event: CommentEventName;
      at: Date;
      /** Absent on a Data Center delivery without the issue; then `issueIdOrKey` is from the comment's `self`. */
      issue?: WebhookIssue;
      issueIdOrKey: string;
      comment: Omit<JiraComment, 'issueKey'>;
    }
  /** An event t5g does not use (sprint, worklog, project …): acknowledged and counted. */
  | { kind: 'other'; event: string; at: Date };

const idString = z.union([z.string().min(1), z.number()]).transform((v) => String(v));
const epochMs = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

const envelope = z.looseObject({
  webhookEvent: z.string().min(1).max(200),
  timestamp: epochMs,
});

const issueSchema = z.looseObject({
  id: idString,
  key: z.string().min(1).max(255),
  fields: optional(
    z.looseObject({
      project: optional(z.looseObject({ key: optional(z.string()), name: optional(z.string()) })),
      labels: optional(z.array(z.string())),
      updated: optional(timestamp),
    }),
  ),
});

const commentSelf = /\/issue\/([^/]+)\/comment\/[^/]+$/;

function toIssue(parsed: z.output<typeof issueSchema>, raw: unknown): WebhookIssue {
  const f = parsed.fields;
  return {
    id: parsed.id,
    key: parsed.key,
    ...(f?.project?.key ? { projectKey: f.project.key } : {}),
    ...(f?.project?.name ? { projectName: f.project.name } : {}),
    ...(f?.labels ? { labels: f.labels } : {}),
    ...(f?.updated ? { updatedAt: f.updated } : {}),
    raw,
  };
}

export type WebhookParse = { ok: true; event: JiraWebhookEvent } | { ok: false; message: string };

/** A parsed JSON body → the event, or why it is not a JIRA webhook delivery t5g can read. */
export function parseJiraWebhook(body: unknown): WebhookParse {
  const head = envelope.safeParse(body);
  if (!head.success) return { ok: false, message: `not a JIRA webhook: ${formatIssues(head.error)}` };
  const { webhookEvent, timestamp } = head.data;
  const at = new Date(timestamp);
  if (Number.isNaN(at.getTime())) return { ok: false, message: 'timestamp is not a time' };
  const raw = body as { issue?: unknown; comment?: unknown };
  if ((ISSUE_EVENTS as readonly string[]).includes(webhookEvent)) {
    const issue = issueSchema.safeParse(raw.issue);
    if (!issue.success) return { ok: false, message: `issue: ${formatIssues(issue.error)}` };
    return {
      ok: true,
      event: {
        kind: 'issue',
        event: webhookEvent as IssueEventName,
        at,
        issue: toIssue(issue.data, raw.issue),
      },
    };
  }
  if ((COMMENT_EVENTS as readonly string[]).includes(webhookEvent)) {
    const issue = raw.issue === undefined ? undefined : issueSchema.safeParse(raw.issue);
    if (issue && !issue.success) return { ok: false, message: `issue: ${formatIssues(issue.error)}` };
    const self = z.looseObject({ self: optional(z.string()) }).safeParse(raw.comment).data?.self;
    const comment = jiraCommentSchema('').safeParse(raw.comment);
    if (!comment.success) return { ok: false, message: `comment: ${formatIssues(comment.error)}` };
    const issueIdOrKey = issue?.data.key ?? (self ? commentSelf.exec(self)?.[1] : undefined);
    if (!issueIdOrKey)
      return { ok: false, message: 'comment: no issue (neither `issue` nor `comment.self`)' };
    const { issueKey: _none, ...rest } = comment.data;
    return {
      ok: true,
      event: {
        kind: 'comment',
        event: webhookEvent as CommentEventName,
        at,
        ...(issue?.data ? { issue: toIssue(issue.data, raw.issue) } : {}),
        issueIdOrKey,
        comment: rest,
      },
    };
  }
  return { ok: true, event: { kind: 'other', event: webhookEvent, at } };
}

/** The cards search's own test: the team's project (by key or name) and the card label. */
export function isTeamCardIssue(
  issue: WebhookIssue,
  jira: Pick<Config['jira'], 'project' | 'cardLabel'>,
): boolean {
  if (!jira.project || !issue.labels) return false;
  const project = jira.project.toLowerCase();
  const inProject =
    issue.projectKey?.toLowerCase() === project ||
    issue.projectName?.toLowerCase() === project ||
    // A delivery without project fields: the key's prefix is the project key.
    (!issue.projectKey && issue.key.toLowerCase().startsWith(`${project}-`));
  return inProject && issue.labels.includes(jira.cardLabel);
}
