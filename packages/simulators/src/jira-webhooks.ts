/**
 * JIRA webhooks: when the simulated JIRA data changes (`/_sim/mutate`, writes through the JIRA
 * API), the simulator POSTs the events a real JIRA sends to a configured URL, signed the way JIRA
 * signs them (`X-Hub-Signature: sha256=<hex HMAC of the raw body with the webhook secret>`).
 *
 * Events are found by comparing the world with a snapshot taken after the previous change, so
 * whatever changes an issue or a comment (now or in a later route) raises its event without the
 * route knowing about webhooks:
 *   jira:issue_created / jira:issue_updated (with a changelog of the changed fields) / jira:issue_deleted
 *   comment_created / comment_updated / comment_deleted
 * Bodies use the REST v2 representation (wiki-markup strings), as JIRA's webhooks do on both
 * flavors; users are Cloud accountIds or Data Center names by `flavor`. Deliveries go out one at
 * a time in event order; a failed one (network error, 5xx, 429) is retried a few times with
 * backoff, as JIRA does, then dropped and counted.
 */
import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JiraFlavor } from './constants.js';
import { commentJson, issueFieldIds, issueJson, type JiraView, selectFields, userJson } from './jira-json.js';
import type { SimIssue, SimJiraComment } from './model.js';
import type { SimulatorState } from './state.js';

export interface JiraWebhookSettings {
  /** Where events are POSTed; unset = no deliveries. */
  url?: string;
  /** HMAC-SHA256 secret; unset = unsigned deliveries (as a JIRA webhook without a secret sends). */
  secret?: string;
  /** Payload flavor: Cloud (accountId users) or Data Center (name users). Default cloud. */
  flavor?: JiraFlavor;
}

export type JiraWebhookEventName =
  | 'jira:issue_created'
  | 'jira:issue_updated'
  | 'jira:issue_deleted'
  | 'comment_created'
  | 'comment_updated'
  | 'comment_deleted';

export interface WebhookStats {
  url: string | null;
  flavor: JiraFlavor;
  signed: boolean;
  /** Events raised (queued), delivered (2xx answer), dropped after the last retry. */
  raised: number;
  delivered: number;
  dropped: number;
  /** Deliveries the receiver answered with a non-2xx status, by status. */
  refused: Record<string, number>;
  lastError: string | null;
}

interface ChangelogItem {
  field: string;
  fieldtype: 'jira';
  from: string | null;
  fromString: string | null;
  to: string | null;
  toString: string | null;
}

/** What one issue looked like after the previous change. */
interface IssueSnapshot {
  issue: SimIssue;
  updated: number;
  fields: Record<string, string | null>;
  comments: Map<string, { comment: SimJiraComment; updated: number }>;
  /** Ids of the comments already deleted (their event raised). */
  tombstones: Set<string>;
}

const SIGNATURE_HEADER = 'X-Hub-Signature';
const ATTEMPTS = 4;
const TIMEOUT_MS = 5_000;

/** `sha256=<hex>`: the value of JIRA's `X-Hub-Signature` header for this raw body. */
export function signJiraWebhook(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The fields whose change the changelog reports, as JIRA names them, by their display string. */
function trackedFields(issue: SimIssue): Record<string, string | null> {
  return {
    summary: issue.summary,
    status: issue.status,
    priority: issue.priority,
    assignee: issue.assignee?.displayName ?? null,
    labels: issue.labels.join(' '),
    description: issue.description,
    Contributors: issue.contributors.map((u) => u.displayName).join(', '),
    Sprint: issue.sprintIds.join(','),
  };
}

function snapshotOf(issue: SimIssue): IssueSnapshot {
  return {
    issue,
    updated: issue.updated,
    fields: trackedFields(issue),
    tombstones: new Set(issue.extraComments.filter((c) => c.deleted !== undefined).map((c) => c.id)),
    // Generated comments are regenerated unchanged until one is edited or deleted, which first
    // copies them into `extraComments`; only that list can change.
    comments: new Map(
      issue.extraComments
        .filter((c) => c.deleted === undefined)
        .map((c) => [c.id, { comment: c, updated: c.updated }]),
    ),
  };
}

/**
 * The comments an issue had at the previous change. Generated comments copied into the issue's
 * own list since then (to be edited or deleted) were there already, as generated (updated = created).
 */
function commentsBefore(before: IssueSnapshot, issue: SimIssue): IssueSnapshot['comments'] {
  const out = new Map(before.comments);
  for (const c of issue.extraComments)
    if (c.generated && !out.has(c.id) && !before.tombstones.has(c.id))
      out.set(c.id, { comment: c, updated: c.created });
  return out;
}

export class JiraWebhookSender {
  private settings: JiraWebhookSettings;
  private readonly snapshot = new Map<string, IssueSnapshot>();
  private queue: Promise<void> = Promise.resolve();
  private sequence = 0;
  private stats = { raised: 0, delivered: 0, dropped: 0, refused: {} as Record<string, number> };
  private lastError: string | null = null;
  /** Base URL of the simulator, for the `self` links in payloads; set once it listens. */
  origin = 'http://127.0.0.1';

  constructor(
    private readonly state: SimulatorState,
    settings: JiraWebhookSettings = {},
  ) {
    this.settings = { ...settings };
    for (const issue of state.issues) this.snapshot.set(issue.key, snapshotOf(issue));
  }

  configure(settings: JiraWebhookSettings): void {
    this.settings = { ...settings };
  }

  status(): WebhookStats {
    return {
      url: this.settings.url ?? null,
      flavor: this.settings.flavor ?? 'cloud',
      signed: Boolean(this.settings.secret),
      ...this.stats,
      refused: { ...this.stats.refused },
      lastError: this.lastError,
    };
  }

  /** Resolves when every delivery queued so far has been answered or dropped. */
  idle(): Promise<void> {
    return this.queue;
  }

  /**
   * Call after anything may have changed JIRA data: raises the events of what changed since the
   * last call and queues their deliveries. The snapshot moves on whether or not a URL is set, so
   * setting one later does not replay old changes.
   */
  afterChange(): void {
    const events: { event: JiraWebhookEventName; body: Record<string, unknown> }[] = [];
    const now = this.state.now();
    const view = this.view();
    const seen = new Set<string>();
    for (const issue of this.state.issues) {
      seen.add(issue.key);
      const before = this.snapshot.get(issue.key);
      const after = snapshotOf(issue);
      this.snapshot.set(issue.key, after);
      if (!before) {
        events.push({
          event: 'jira:issue_created',
          body: this.issueEvent(view, issue, 'jira:issue_created', now),
        });
        continue;
      }
      const items = changelogItems(before.fields, after.fields);
      const had = commentsBefore(before, issue);
      const comments: { event: JiraWebhookEventName; body: Record<string, unknown> }[] = [];
      for (const [id, c] of after.comments) {
        const old = had.get(id);
        if (!old) comments.push(this.commentEvent(view, issue, c.comment, 'comment_created', now));
        else if (old.updated !== c.updated)
          comments.push(this.commentEvent(view, issue, c.comment, 'comment_updated', now));
      }
      for (const [id, c] of had)
        if (!after.comments.has(id))
          comments.push(this.commentEvent(view, issue, c.comment, 'comment_deleted', now));
      if (items.length > 0 || before.updated !== after.updated)
        events.push({
          event: 'jira:issue_updated',
          body: this.issueEvent(view, issue, 'jira:issue_updated', now, items, comments[0]?.event),
        });
      events.push(...comments);
    }
    for (const [key, before] of this.snapshot) {
      if (seen.has(key)) continue;
      this.snapshot.delete(key);
      events.push({
        event: 'jira:issue_deleted',
        body: this.issueEvent(view, before.issue, 'jira:issue_deleted', now),
      });
    }
    if (!this.settings.url) return;
    for (const e of events) this.enqueue(e.body);
  }

  private view(): JiraView {
    return {
      flavor: this.settings.flavor ?? 'cloud',
      apiVersion: '2',
      origin: `${this.origin}/jira`,
      state: this.state,
    };
  }

  private issueEvent(
    view: JiraView,
    issue: SimIssue,
    event: 'jira:issue_created' | 'jira:issue_updated' | 'jira:issue_deleted',
    timestamp: number,
    items: ChangelogItem[] = [],
    commentEvent?: JiraWebhookEventName,
  ): Record<string, unknown> {
    const project = this.state.projects.get(issue.projectKey);
    // Issue webhooks carry every navigable field; comments come with the comment events only.
    const fields = selectFields(['*navigable'], '*navigable', issueFieldIds(view, project));
    const typeName =
      event === 'jira:issue_created'
        ? 'issue_created'
        : event === 'jira:issue_deleted'
          ? 'issue_deleted'
          : items.some((i) => i.field === 'status')
            ? 'issue_generic'
            : items.length > 0
              ? 'issue_updated'
              : commentEvent === 'comment_updated'
                ? 'issue_comment_edited'
                : commentEvent === 'comment_deleted'
                  ? 'issue_comment_deleted'
                  : 'issue_commented';
    return {
      timestamp,
      webhookEvent: event,
      issue_event_type_name: typeName,
      user: userJson(view, issue.assignee ?? issue.reporter),
      issue: issueJson(view, issue, { fields, expand: new Set() }),
      ...(event === 'jira:issue_updated' && items.length > 0
        ? { changelog: { id: String(issue.id * 100_000 + (this.sequence % 100_000)), items } }
        : {}),
    };
  }

  private commentEvent(
    view: JiraView,
    issue: SimIssue,
    comment: SimJiraComment,
    event: 'comment_created' | 'comment_updated' | 'comment_deleted',
    timestamp: number,
  ): { event: JiraWebhookEventName; body: Record<string, unknown> } {
    // A comment event names its issue with a few fields only.
    const brief = issueJson(view, issue, {
      fields: new Set(['summary', 'status', 'priority', 'assignee', 'issuetype', 'project']),
      expand: new Set(),
    });
    delete brief.expand;
    return {
      event,
      body: { timestamp, webhookEvent: event, comment: commentJson(view, issue, comment), issue: brief },
    };
  }

  private enqueue(body: Record<string, unknown>): void {
    const { url, secret } = this.settings;
    if (!url) return;
    const text = JSON.stringify(body);
    const id = ++this.sequence;
    this.stats.raised++;
    this.queue = this.queue.then(() => this.deliver(url, secret, text, id));
  }

  private async deliver(url: string, secret: string | undefined, text: string, id: number): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'user-agent': 'Atlassian Webhook HTTP Client',
            'x-atlassian-webhook-identifier': String(id),
            ...(attempt > 1 ? { 'x-atlassian-webhook-retry': String(attempt - 1) } : {}),
            ...(secret ? { [SIGNATURE_HEADER]: signJiraWebhook(text, secret) } : {}),
          },
          body: text,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.stats.delivered++;
          return;
        }
        this.stats.refused[res.status] = (this.stats.refused[res.status] ?? 0) + 1;
        this.lastError = `${url} answered ${res.status}`;
        // JIRA retries only what may pass later: server errors and rate limits.
        if (res.status < 500 && res.status !== 429) {
          this.stats.dropped++;
          return;
        }
      } catch (err) {
        this.lastError = `${url}: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (attempt < ATTEMPTS) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
    this.stats.dropped++;
  }
}

function changelogItems(
  before: Record<string, string | null>,
  after: Record<string, string | null>,
): ChangelogItem[] {
  const items: ChangelogItem[] = [];
  for (const [field, to] of Object.entries(after)) {
    const from = before[field] ?? null;
    if (from === to) continue;
    items.push({ field, fieldtype: 'jira', from: null, fromString: from, to: null, toString: to });
  }
  return items;
}

const settingsSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .optional(),
    secret: z.string().min(1).nullable().optional(),
    flavor: z.enum(['cloud', 'dc']).optional(),
  })
  .strict();

/**
 * `GET /_sim/webhooks` (settings and delivery counts), `PUT /_sim/webhooks` `{url, secret, flavor}`
 * (null clears), `POST /_sim/webhooks/flush` (waits until every queued delivery is answered).
 */
export function registerWebhookControlRoutes(app: FastifyInstance, sender: JiraWebhookSender): void {
  app.get('/_sim/webhooks', async () => sender.status());
  app.put('/_sim/webhooks', async (request, reply) => {
    let body: unknown;
    try {
      const raw = typeof request.body === 'string' ? request.body : '';
      body = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      return reply.code(400).send({ message: 'Body must be JSON' });
    }
    const parsed = settingsSchema.safeParse(body);
    if (!parsed.success)
      return reply.code(400).send({ message: 'Invalid webhook settings', details: parsed.error.issues });
    const { url, secret, flavor } = parsed.data;
    sender.configure({
      ...(url ? { url } : {}),
      ...(secret ? { secret } : {}),
      ...(flavor ? { flavor } : {}),
    });
    return sender.status();
  });
  app.post('/_sim/webhooks/flush', async () => {
    await sender.idle();
    return sender.status();
  });
}
