import type { Config, Severity } from '../../config/config.js';
import { jiraBrowseUrl } from '../../shared/rules.js';
import { resolveDeps } from '../deps.js';
import {
  RecordRejectedError,
  TransitionUnavailableError,
  UpstreamConfigError,
  UpstreamContractError,
  UpstreamError,
} from '../errors.js';
import { createHttpClient } from '../http.js';
import { createWriteGuard, type WriteOutcome } from '../read-only.js';
import { mapWithConcurrency } from '../semaphore.js';
import type { Batch, Rejection, SourceDeps } from '../types.js';
import { formatIssues, parseEach, parseTimestamp } from '../validation.js';
import { flavorOf, type JiraFlavor, type SearchRequest } from './flavor.js';
import { andJql, isKnownTimeZone, jqlString, updatedSinceClause } from './jql.js';
import {
  boardPageSchema,
  commentPageSchema,
  createdIssueSchema,
  type Escalation,
  type JiraBoard,
  type JiraCard,
  type JiraComment,
  type JiraSprint,
  type JiraTransition,
  jiraCommentSchema,
  type LinkedIssue,
  myselfSchema,
  parseCard,
  parseEscalation,
  parseLinkedIssue,
  type RemoteLink,
  remoteLinkSchema,
  sprintPageSchema,
  transitionsSchema,
} from './schemas.js';

export interface CardSearchOptions {
  /** Cursor: only cards updated at or after this instant (minus a small overlap; JQL has minute precision). */
  updatedSince?: Date;
  /** Limit to one sprint, as the original did when a sprint was configured. */
  sprintId?: number;
  /** Extra JQL ANDed to the board query (e.g. `summary ~ "04012345"`). */
  extraJql?: string;
  /**
   * Search results embed only the first comments of an issue. With 'complete' (the default) the client pages
   * `/issue/{key}/comment` for every card whose embedded list is not known to be whole.
   */
  comments?: 'complete' | 'embedded';
  signal?: AbortSignal;
}

export interface CardBatch extends Batch<JiraCard> {
  /** Kept cards that need attention, e.g. "unknown JIRA status X"; same shape as a rejection. */
  notes: Rejection[];
}

export interface IssueBatch extends Batch<LinkedIssue> {
  failed: { key: string; error: Error }[];
}

/** An issue a change search found, with the `updated` time it reported (absent when JIRA refused the key). */
export interface IssueChange {
  key: string;
  updatedAt?: Date;
}

export interface NewIssueInput {
  summary: string;
  description: string;
  severity: Severity;
  /** Cloud accountId or DC user name. */
  assignee?: string;
  /** Default: the card label plus `config.jira.newCardLabels`. */
  labels?: string[];
  /** Further fields by id, merged last. */
  extraFields?: Record<string, unknown>;
}

export interface CreatedIssue {
  id: string;
  key: string;
  url: string;
}

/** The named custom fields of `config.jira.fields`. */
export type JiraFieldName = keyof Config['jira']['fields'];

export interface JiraClient {
  readonly flavor: 'cloud' | 'dc';
  /** Raw issues of any JQL search, one array per page. */
  searchIssuePages(
    jql: string,
    fields: readonly string[],
    options?: { expand?: string[]; signal?: AbortSignal },
  ): AsyncGenerator<unknown[]>;
  /** Cards on the team board: project + card label. Unknown statuses are kept as "Unknown" with a note. */
  searchCards(options?: CardSearchOptions): Promise<CardBatch>;
  /** Open issues with the escalation label in the escalations project, with their case numbers. */
  searchEscalations(signal?: AbortSignal): Promise<Batch<Escalation>>;
  getIssue(key: string, signal?: AbortSignal): Promise<LinkedIssue>;
  /** Many issues, at most `jira.concurrency` at a time; failures are listed, the rest arrive. */
  getIssues(keys: readonly string[], signal?: AbortSignal): Promise<IssueBatch>;
  /**
   * Of `keys`, those JIRA reports updated at or after `since` (minus the search overlap), with their
   * `updated` time: `key in (…) AND updated >= …` searches, each under the JQL length limit, in the
   * searching user's time zone. A key JIRA refuses in a search (deleted, moved, hidden, malformed) is
   * listed without a time, so reading it names the problem.
   */
  issueChanges(keys: readonly string[], since: Date, signal?: AbortSignal): Promise<IssueChange[]>;
  /** Every comment of an issue, paging past the search result's truncated list. */
  listComments(key: string, signal?: AbortSignal): Promise<Batch<JiraComment>>;
  listRemoteLinks(key: string, signal?: AbortSignal): Promise<RemoteLink[]>;
  listTransitions(key: string, signal?: AbortSignal): Promise<JiraTransition[]>;
  findBoard(name?: string, signal?: AbortSignal): Promise<JiraBoard | undefined>;
  /** The active sprint of a board; prefers one whose name starts with `config.jira.sprint`, then the newest. */
  findActiveSprint(boardId: number, signal?: AbortSignal): Promise<JiraSprint | undefined>;

  createIssue(input: NewIssueInput): Promise<WriteOutcome<CreatedIssue>>;
  /**
   * Moves the issue to the status `name` (else: along the transition of that name), picked from the
   * transitions its workflow offers from its current status (`GET …/transitions`). When the transition's
   * screen requires a resolution it is sent: `options.resolution`, else "Done" if offered, else the first
   * offered. No such transition: `TransitionUnavailableError`, naming the issue, its status and `name`.
   */
  transitionIssue(
    key: string,
    name: string,
    options?: { resolution?: string },
  ): Promise<WriteOutcome<JiraTransition>>;
  addToSprint(sprintId: number, keys: readonly string[]): Promise<WriteOutcome<void>>;
  addRemoteLink(key: string, link: { url: string; title: string }): Promise<WriteOutcome<{ id?: string }>>;
  addComment(key: string, text: string): Promise<WriteOutcome<{ id: string }>>;
  /** `PUT /issue/{key}` with fields by id. */
  updateIssue(key: string, fields: Record<string, unknown>): Promise<WriteOutcome<void>>;
  /** Sets the priority `config.jira.priorityMap` gives for a case severity. */
  setPriority(key: string, severity: Severity): Promise<WriteOutcome<void>>;
  /** Sets named custom fields, mapped to ids through `config.jira.fields`. */
  updateCustomFields(
    key: string,
    values: Partial<Record<JiraFieldName, unknown>>,
  ): Promise<WriteOutcome<void>>;
}

const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-\d+$/;
/**
 * Longest `key in (…)` list one change search carries. JIRA has no documented JQL length limit, but the
 * search goes in a GET query string, and proxies in front of JIRA commonly refuse URLs past 8 KB.
 */
export const JQL_KEY_LIST_MAX_CHARS = 3_000;
const SUMMARY_LIMIT = 255; // JIRA rejects longer summaries
const DESCRIPTION_LIMIT = 32_000; // JIRA's text field limit is 32,767

/** The resolution to send on a screen that requires one: the asked one, else "Done", else the first offered. */
function pickResolution(t: JiraTransition, asked: string | undefined): string {
  const offered = t.resolutions ?? [];
  const find = (n: string) => offered.find((r) => r.toLowerCase() === n.toLowerCase());
  return (asked && (find(asked) ?? asked)) || find('Done') || offered[0] || 'Done';
}

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

/** JIRA Cloud or Data Center client, chosen by `config.jira.flavor`. */
export function createJiraClient(config: Pick<Config, 'jira' | 'readOnly'>, deps: SourceDeps): JiraClient {
  const { jira } = config;
  if (!jira.url || !jira.token) throw new UpstreamConfigError('jira', 'JIRA_URL and JIRA_TOKEN are required');
  if (jira.flavor === 'cloud' && !jira.user)
    throw new UpstreamConfigError('jira', 'JIRA_USER is required on Cloud');
  const flavor: JiraFlavor = flavorOf(jira.flavor);
  const resolved = resolveDeps(deps, 'jira');
  const { logger, metrics } = resolved;
  const authorization = flavor.authorization(jira.user, jira.token);
  const http = createHttpClient({
    upstream: 'jira',
    baseUrl: jira.url,
    concurrency: jira.concurrency,
    auth: { headers: async () => ({ Authorization: authorization }) },
    deps: resolved,
  });
  const guard = createWriteGuard({ upstream: 'jira', readOnly: config.readOnly, logger, metrics });
  const api = flavor.api;

  const issuePath = (key: string) => {
    if (!ISSUE_KEY.test(key)) throw new RangeError(`not a JIRA issue key: "${key}"`);
    return `${api}/issue/${key}`;
  };
  const withSignal = (signal?: AbortSignal) => (signal ? { signal } : {});
  const reportRejected = (rejected: Rejection[]) => {
    for (const r of rejected) metrics.rejected({ upstream: 'jira', source: r.source, count: 1 });
    if (rejected.length) logger.warn({ count: rejected.length }, 'JIRA records rejected');
  };
  const contract = (what: string, error: { issues: unknown[] } & Parameters<typeof formatIssues>[0]) =>
    new UpstreamContractError('jira', `unexpected ${what}: ${formatIssues(error)}`);

  // JQL dates are read in the searching user's time zone; ask once, fall back to UTC.
  let timeZone: Promise<string> | undefined;
  const jqlTimeZone = () => {
    timeZone ??= http
      .get({ path: `${api}/myself` })
      .then((response) => {
        const zone = myselfSchema.safeParse(response.body).data?.timeZone;
        return zone && isKnownTimeZone(zone) ? zone : 'UTC';
      })
      .catch((err: unknown) => {
        logger.warn({ err: String(err) }, 'could not read the JIRA user time zone; using UTC for JQL dates');
        return 'UTC';
      });
    return timeZone;
  };

  const cardFields = [
    'summary',
    'status',
    'priority',
    'assignee',
    'labels',
    'created',
    'updated',
    'description',
    'comment',
    jira.fields.contributors,
    jira.fields.sprint,
  ];
  const linkedIssueFields = [
    'summary',
    'issuetype',
    'status',
    'priority',
    'assignee',
    'fixVersions',
    'updated',
    jira.fields.qaContact,
    jira.fields.severity,
    jira.fields.privateKeywords,
    jira.fields.internalWhiteboard,
  ];

  function searchIssuePages(
    jql: string,
    fields: readonly string[],
    options: Pick<SearchRequest, 'lenientKeys'> & { expand?: string[]; signal?: AbortSignal } = {},
  ) {
    return flavor.searchPages(http, {
      jql,
      fields,
      pageSize: jira.pageSize,
      ...(options.expand ? { expand: options.expand } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.lenientKeys ? { lenientKeys: options.lenientKeys } : {}),
    });
  }

  async function listComments(key: string, signal?: AbortSignal): Promise<Batch<JiraComment>> {
    const batch: Batch<JiraComment> = { items: [], rejected: [] };
    for (let startAt = 0; ; ) {
      const response = await http.get({
        path: `${issuePath(key)}/comment`,
        query: { startAt, maxResults: jira.pageSize, orderBy: 'created' },
        ...withSignal(signal),
      });
      const parsed = commentPageSchema.safeParse(response.body);
      if (!parsed.success) throw contract('comment page', parsed.error);
      const page = parseEach(parsed.data.comments, jiraCommentSchema(key), 'jira.comment');
      batch.items.push(...page.items);
      batch.rejected.push(...page.rejected);
      startAt += parsed.data.comments.length;
      if (parsed.data.comments.length === 0 || startAt >= (parsed.data.total ?? startAt)) break;
    }
    reportRejected(batch.rejected);
    return batch;
  }

  async function searchCards(options: CardSearchOptions = {}): Promise<CardBatch> {
    if (!jira.project) throw new UpstreamConfigError('jira', 'JIRA_PROJECT is required to search cards');
    const jql = andJql(
      `project = ${jqlString(jira.project)}`,
      `labels = ${jqlString(jira.cardLabel)}`,
      options.sprintId !== undefined && `sprint = ${options.sprintId}`,
      options.updatedSince && updatedSinceClause(options.updatedSince, await jqlTimeZone()),
      options.extraJql && `(${options.extraJql})`,
    );
    const result: CardBatch = { items: [], rejected: [], notes: [] };
    for await (const page of searchIssuePages(
      `${jql} ORDER BY key ASC`,
      cardFields,
      withSignal(options.signal),
    )) {
      for (const raw of page) {
        const { card, rejected, note } = parseCard(raw, jira);
        result.rejected.push(...rejected);
        if (note) result.notes.push(note);
        if (card) result.items.push(card);
      }
    }
    if ((options.comments ?? 'complete') === 'complete') {
      const incomplete = result.items.filter((card) => !card.commentsComplete);
      await mapWithConcurrency(incomplete, jira.concurrency, async (card) => {
        const all = await listComments(card.key, options.signal);
        card.comments = all.items;
        card.commentsComplete = all.rejected.length === 0;
        result.rejected.push(...all.rejected);
      });
    }
    reportRejected(result.rejected);
    for (const note of result.notes)
      logger.warn({ key: note.externalId, reason: note.reason }, 'card kept with a note');
    logger.info(
      { cards: result.items.length, rejected: result.rejected.length, notes: result.notes.length },
      'card search complete',
    );
    return result;
  }

  async function getIssue(key: string, signal?: AbortSignal): Promise<LinkedIssue> {
    const response = await http.get({
      path: issuePath(key),
      query: { fields: linkedIssueFields, expand: 'renderedFields' },
      ...withSignal(signal),
    });
    const { issue, rejection } = parseLinkedIssue(response.body, jira);
    if (issue) return issue;
    const rejected = rejection ?? {
      source: 'jira.issue' as const,
      externalId: key,
      reason: 'invalid',
      payload: response.body,
    };
    reportRejected([rejected]);
    throw new RecordRejectedError('jira', rejected);
  }

  async function getPagedValues<T>(
    path: string,
    query: Record<string, string | number | undefined>,
    parse: (body: unknown) => { values: T[]; isLast?: boolean | undefined },
    signal?: AbortSignal,
  ): Promise<T[]> {
    const all: T[] = [];
    for (let startAt = 0; ; ) {
      const response = await http.get({
        path,
        query: { ...query, startAt, maxResults: 50 },
        ...withSignal(signal),
      });
      const page = parse(response.body);
      all.push(...page.values);
      startAt += page.values.length;
      if (page.isLast !== false || page.values.length === 0) return all;
    }
  }

  async function listTransitions(key: string, signal?: AbortSignal): Promise<JiraTransition[]> {
    const response = await http.get({
      path: `${issuePath(key)}/transitions`,
      query: { expand: 'transitions.fields' },
      ...withSignal(signal),
    });
    const parsed = transitionsSchema.safeParse(response.body);
    if (!parsed.success) throw contract('transitions', parsed.error);
    return parsed.data.transitions;
  }

  /** The issue's status name, for an error that has to say where the issue is. */
  async function currentStatus(key: string): Promise<string> {
    try {
      const response = await http.get({ path: issuePath(key), query: { fields: 'status' } });
      const status = (response.body as { fields?: { status?: { name?: unknown } } } | undefined)?.fields
        ?.status;
      return typeof status?.name === 'string' ? status.name : '(unknown)';
    } catch (err) {
      logger.warn({ err: String(err), key }, 'could not read the issue status');
      return '(unknown)';
    }
  }

  async function updateIssue(key: string, fields: Record<string, unknown>): Promise<WriteOutcome<void>> {
    const path = issuePath(key);
    return guard.write('updateIssue', { key, fields: Object.keys(fields) }, async (permit) => {
      await http.write(permit, { method: 'PUT', path, json: { fields } });
    });
  }

  /** Keys in batches whose `key in (…)` list stays under JQL_KEY_LIST_MAX_CHARS. */
  function keyBatches(keys: readonly string[]): string[][] {
    const batches: string[][] = [];
    let current: string[] = [];
    let length = 0;
    for (const key of keys) {
      const cost = jqlString(key).length + 2;
      if (current.length && length + cost > JQL_KEY_LIST_MAX_CHARS) {
        batches.push(current);
        current = [];
        length = 0;
      }
      current.push(key);
      length += cost;
    }
    if (current.length) batches.push(current);
    return batches;
  }

  async function issueChanges(keys: readonly string[], since: Date, signal?: AbortSignal) {
    const unique = [...new Set(keys)];
    // A malformed key cannot go into JQL; reading it (getIssue) reports it.
    const changed = new Map<string, Date | undefined>(
      unique.filter((key) => !ISSUE_KEY.test(key)).map((key) => [key, undefined]),
    );
    const clause = updatedSinceClause(since, await jqlTimeZone());
    const search = async (batch: string[]): Promise<void> => {
      const jql = andJql(`key in (${batch.map(jqlString).join(', ')})`, clause);
      // Data Center names the keys that no longer exist in warnings instead of refusing the search:
      // those are listed without a time, so reading them says what became of them.
      const lenientKeys = {
        onWarnings: (messages: string[]) => {
          for (const key of batch)
            if (messages.some((m) => m.includes(`'${key}'`)) && !changed.has(key))
              changed.set(key, undefined);
        },
      };
      try {
        for await (const page of searchIssuePages(jql, ['updated'], { lenientKeys, ...withSignal(signal) })) {
          for (const raw of page) {
            const found = raw as { key?: unknown; fields?: { updated?: unknown } } | null;
            if (typeof found?.key !== 'string') continue;
            const updated = found.fields?.updated;
            changed.set(found.key, typeof updated === 'string' ? parseTimestamp(updated) : undefined);
          }
        }
      } catch (err) {
        // Cloud refuses the whole search when one listed key does not exist or is hidden (400): halve the
        // batch until the key is alone, and hand that one to getIssue, whose 404/403 says what became of it.
        if (!(err instanceof UpstreamError && err.kind === 'http' && err.status === 400)) throw err;
        if (batch.length === 1) {
          changed.set(batch[0] as string, undefined);
          return;
        }
        const half = Math.ceil(batch.length / 2);
        await search(batch.slice(0, half));
        await search(batch.slice(half));
      }
    };
    await mapWithConcurrency(
      keyBatches(unique.filter((key) => ISSUE_KEY.test(key))),
      jira.concurrency,
      search,
    );
    logger.info({ tracked: unique.length, changed: changed.size }, 'issue change search complete');
    return [...changed]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, updatedAt]): IssueChange => (updatedAt ? { key, updatedAt } : { key }));
  }

  const write = guard.write;

  return {
    flavor: flavor.name,
    searchIssuePages,
    searchCards,
    async searchEscalations(signal) {
      if (!jira.escalations) throw new UpstreamConfigError('jira', 'JIRA_ESCALATIONS_PROJECT is not set');
      const jql = andJql(
        `project = ${jqlString(jira.escalations.project)}`,
        `labels = ${jqlString(jira.escalations.label)}`,
        'status != "Closed"',
      );
      const result: Batch<Escalation> = { items: [], rejected: [] };
      const fields = ['status', jira.fields.caseLinks];
      for await (const page of searchIssuePages(jql, fields, {
        expand: ['renderedFields'],
        ...withSignal(signal),
      })) {
        for (const raw of page) {
          const { escalation, rejection } = parseEscalation(raw, jira);
          if (escalation) result.items.push(escalation);
          if (rejection) result.rejected.push(rejection);
        }
      }
      reportRejected(result.rejected);
      return result;
    },
    getIssue,
    async getIssues(keys, signal) {
      const result: IssueBatch = { items: [], rejected: [], failed: [] };
      await mapWithConcurrency([...new Set(keys)], jira.concurrency, async (key) => {
        try {
          result.items.push(await getIssue(key, signal));
        } catch (err) {
          if (err instanceof RecordRejectedError) result.rejected.push(err.rejection);
          else if (
            err instanceof UpstreamError ||
            err instanceof UpstreamContractError ||
            err instanceof RangeError
          ) {
            result.failed.push({ key, error: err });
          } else throw err;
        }
      });
      return result;
    },
    issueChanges,
    listComments,
    async listRemoteLinks(key, signal) {
      const response = await http.get({ path: `${issuePath(key)}/remotelink`, ...withSignal(signal) });
      if (!Array.isArray(response.body))
        throw new UpstreamContractError('jira', 'remote links: expected an array');
      return parseEach(response.body, remoteLinkSchema, 'jira.issue').items;
    },
    listTransitions,
    async findBoard(name = jira.board, signal) {
      if (!name) throw new UpstreamConfigError('jira', 'JIRA_BOARD is not set');
      const boards = await getPagedValues(
        '/rest/agile/1.0/board',
        { name, projectKeyOrId: jira.project },
        (body) => {
          const parsed = boardPageSchema.safeParse(body);
          if (!parsed.success) throw contract('board list', parsed.error);
          return parsed.data;
        },
        signal,
      );
      // `name` is a "contains" filter upstream; prefer the exact match.
      const board = boards.find((b) => b.name === name) ?? boards[0];
      return board && { id: board.id, name: board.name, ...(board.type ? { type: board.type } : {}) };
    },
    async findActiveSprint(boardId, signal) {
      const sprints = await getPagedValues(
        `/rest/agile/1.0/board/${Number(boardId)}/sprint`,
        { state: 'active' },
        (body) => {
          const parsed = sprintPageSchema.safeParse(body);
          if (!parsed.success) throw contract('sprint list', parsed.error);
          return parsed.data;
        },
        signal,
      );
      const active = sprints.filter((s) => s.state.toLowerCase() === 'active').sort((a, b) => b.id - a.id);
      const preferred = jira.sprint
        ? active.find((s) => s.name.startsWith(jira.sprint as string))
        : undefined;
      const sprint = preferred ?? active[0];
      return (
        sprint && {
          id: sprint.id,
          name: sprint.name,
          state: sprint.state,
          ...(sprint.startDate ? { startDate: sprint.startDate } : {}),
          ...(sprint.endDate ? { endDate: sprint.endDate } : {}),
        }
      );
    },

    async createIssue(input) {
      if (!jira.project) throw new UpstreamConfigError('jira', 'JIRA_PROJECT is required to create issues');
      const labels = input.labels ?? [...new Set([jira.cardLabel, ...jira.newCardLabels])];
      const fields: Record<string, unknown> = {
        project: { key: jira.project },
        issuetype: { name: jira.issueType },
        ...(jira.component ? { components: [{ name: jira.component }] } : {}),
        priority: { name: jira.priorityMap[input.severity] },
        labels,
        summary: truncate(input.summary, SUMMARY_LIMIT),
        description: flavor.richText(truncate(input.description, DESCRIPTION_LIMIT)),
        ...(jira.releaseNoteValue ? { [jira.fields.releaseNote]: jira.releaseNoteValue } : {}),
        ...(input.assignee ? { assignee: flavor.userRef(input.assignee) } : {}),
        ...input.extraFields,
      };
      const detail = {
        project: jira.project,
        summary: truncate(input.summary, 120),
        labels,
        assignee: input.assignee,
      };
      return write('createIssue', detail, async (permit) => {
        // Not retried after an ambiguous failure: a second POST would create a second card. The sync layer
        // finds an issue created before a lost answer by its case number on the next run.
        const response = await http.write(permit, { method: 'POST', path: `${api}/issue`, json: { fields } });
        const parsed = createdIssueSchema.safeParse(response.body);
        if (!parsed.success) throw contract('create-issue response', parsed.error);
        return { ...parsed.data, url: jiraBrowseUrl(jira.url, parsed.data.key) ?? '' };
      });
    },
    async transitionIssue(key, name, options = {}) {
      const path = `${issuePath(key)}/transitions`;
      return write('transitionIssue', { key, transition: name }, async (permit) => {
        const available = await listTransitions(key);
        const wanted = name.trim().toLowerCase();
        const transition =
          available.find((t) => t.toStatus?.toLowerCase() === wanted) ??
          available.find((t) => t.name.toLowerCase() === wanted);
        if (!transition) {
          const current = await currentStatus(key);
          throw new TransitionUnavailableError(
            key,
            current,
            name,
            available.map((t) =>
              t.toStatus && t.toStatus !== t.name ? `${t.name} → ${t.toStatus}` : t.name,
            ),
          );
        }
        const resolution = transition.requiresResolution
          ? pickResolution(transition, options.resolution)
          : undefined;
        await http.write(permit, {
          method: 'POST',
          path,
          json: {
            transition: { id: transition.id },
            ...(resolution ? { fields: { resolution: { name: resolution } } } : {}),
          },
        });
        return transition;
      });
    },
    async addToSprint(sprintId, keys) {
      for (const key of keys) issuePath(key);
      return write('addToSprint', { sprintId, keys }, async (permit) => {
        // Moving issues into a sprint they are already in changes nothing, so a repeat is harmless.
        await http.write(permit, {
          method: 'POST',
          path: `/rest/agile/1.0/sprint/${Number(sprintId)}/issue`,
          json: { issues: keys },
          idempotent: true,
        });
      });
    },
    async addRemoteLink(key, link) {
      const path = `${issuePath(key)}/remotelink`;
      return write('addRemoteLink', { key, url: link.url, title: link.title }, async (permit) => {
        // With a globalId JIRA updates the existing link instead of adding a second one, so a repeat is harmless.
        const response = await http.write(permit, {
          method: 'POST',
          path,
          json: { globalId: link.url, object: { url: link.url, title: link.title } },
          idempotent: true,
        });
        const id = (response.body as { id?: unknown } | undefined)?.id;
        return id === undefined ? {} : { id: String(id) };
      });
    },
    async addComment(key, text) {
      const path = `${issuePath(key)}/comment`;
      return write('addComment', { key, preview: truncate(text, 80) }, async (permit) => {
        const response = await http.write(permit, {
          method: 'POST',
          path,
          json: { body: flavor.richText(text) },
        });
        const id = (response.body as { id?: unknown } | undefined)?.id;
        return { id: id === undefined ? '' : String(id) };
      });
    },
    updateIssue,
    async setPriority(key, severity) {
      return updateIssue(key, { priority: { name: jira.priorityMap[severity] } });
    },
    async updateCustomFields(key, values) {
      const fields: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(values)) fields[jira.fields[name as JiraFieldName]] = value;
      return updateIssue(key, fields);
    },
  };
}
