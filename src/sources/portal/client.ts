import type { Config } from '../../config/config.js';
import { resolveDeps } from '../deps.js';
import { RecordRejectedError, UpstreamContractError, UpstreamError } from '../errors.js';
import { createHttpClient, createTokenEndpointClient } from '../http.js';
import { createWriteGuard, type WriteOutcome } from '../read-only.js';
import { mapWithConcurrency } from '../semaphore.js';
import type { Batch, Rejection, SourceDeps } from '../types.js';
import { formatIssues, parseEach, parseOne } from '../validation.js';
import { type CaseSearchStats, type SolrPage, searchAllCases } from './case-search.js';
import {
  CASE_SEARCH_FIELDS,
  type CaseJiraLink,
  caseJiraLinkSchema,
  type NotifiedUser,
  notifiedUsersSchema,
  type PortalCase,
  type PortalCaseDetail,
  type PortalComment,
  portalCaseDetailSchema,
  portalCommentSchema,
  solrResponseSchema,
} from './schemas.js';
import { andQuery, solrDate } from './search-windows.js';
import { createPortalTokenSource } from './token.js';

export interface CaseSearchOptions {
  /** Solr query; defaults to `config.portal.caseQuery`. */
  query?: string;
  /** Only cases modified at or after this instant (`case_lastModifiedDate:[… TO *]`). */
  modifiedSince?: Date;
  signal?: AbortSignal;
}

export interface CaseSearchResult extends Batch<PortalCase> {
  stats: CaseSearchStats;
}

export interface CaseDetailResult {
  detail: PortalCaseDetail;
  /** Embedded comments that failed validation (the detail itself is kept). */
  rejected: Rejection[];
}

export type CaseExtra = 'detail' | 'comments' | 'links';

export interface CaseExtras {
  detail?: PortalCaseDetail;
  comments?: PortalComment[];
  links?: CaseJiraLink[];
  /** Links of the case the Portal sent malformed (quarantined): `links` is then not the whole list. */
  linksRejected?: number;
}

export interface CaseExtrasResult {
  byCase: Map<string, CaseExtras>;
  rejected: Rejection[];
  /** Calls that failed after retries (404 for a deleted case, 403, exhausted retries); the rest still arrive. */
  failed: { caseNumber: string; extra: CaseExtra; error: Error }[];
}

export interface PortalClient {
  /** Every matching case, each once, past the Portal's 9,999-result cap. */
  searchCases(options?: CaseSearchOptions): Promise<CaseSearchResult>;
  /** The same search as pages, for callers that store as they go. `stats` fills in as pages arrive. */
  searchCasePages(options?: CaseSearchOptions, stats?: CaseSearchStats): AsyncGenerator<Batch<PortalCase>>;
  getCaseDetail(caseNumber: string, signal?: AbortSignal): Promise<CaseDetailResult>;
  listComments(caseNumber: string, signal?: AbortSignal): Promise<Batch<PortalComment>>;
  /** JIRA issues linked to the case; items without a `title` are skipped, as the original did. */
  listCaseJiraLinks(caseNumber: string, signal?: AbortSignal): Promise<Batch<CaseJiraLink>>;
  listNotifiedUsers(caseNumber: string, signal?: AbortSignal): Promise<NotifiedUser[]>;
  /** Details, comments and/or JIRA links of many cases, at most `portal.concurrency` at a time. */
  fetchCaseExtras(
    caseNumbers: readonly string[],
    extras: readonly CaseExtra[],
    signal?: AbortSignal,
  ): Promise<CaseExtrasResult>;
  addNotifiedUser(caseNumber: string, ssoUsername: string): Promise<WriteOutcome<void>>;
  /** `removed: false` when the user was not notified (404), which is the wanted end state too. */
  removeNotifiedUser(caseNumber: string, ssoUsername: string): Promise<WriteOutcome<{ removed: boolean }>>;
}

/** Customer Portal ("hydra") client. Authenticates with the offline token through Red Hat SSO. */
export function createPortalClient(
  config: Pick<Config, 'portal' | 'readOnly'>,
  deps: SourceDeps,
): PortalClient {
  const { portal } = config;
  const resolved = resolveDeps(deps, 'portal');
  const ssoDeps = resolveDeps(deps, 'sso');
  const sso = createTokenEndpointClient({
    upstream: 'sso',
    baseUrl: portal.ssoTokenUrl,
    concurrency: 1,
    deps: ssoDeps,
  });
  const tokens = createPortalTokenSource({
    portal,
    sso,
    clock: resolved.clock,
    logger: resolved.logger,
    cache: deps.tokenCache,
  });
  const http = createHttpClient({
    upstream: 'portal',
    baseUrl: portal.apiUrl,
    concurrency: portal.concurrency,
    auth: tokens,
    deps: resolved,
  });
  const guard = createWriteGuard({
    upstream: 'portal',
    readOnly: config.readOnly,
    logger: resolved.logger,
    metrics: resolved.metrics,
  });
  const { logger, metrics } = resolved;

  const casePath = (caseNumber: string) => {
    if (!/^\d{1,12}$/.test(caseNumber)) throw new RangeError(`not a case number: "${caseNumber}"`);
    return caseNumber;
  };
  const reportRejected = (rejected: Rejection[]) => {
    for (const r of rejected) metrics.rejected({ upstream: 'portal', source: r.source, count: 1 });
    if (rejected.length)
      logger.warn({ count: rejected.length, source: rejected[0]?.source }, 'records rejected');
  };
  const expectArray = (body: unknown, what: string): unknown[] => {
    if (!Array.isArray(body)) throw new UpstreamContractError('portal', `${what}: expected a JSON array`);
    return body;
  };

  async function fetchPage(q: string, start: number, rows: number, signal?: AbortSignal): Promise<SolrPage> {
    const response = await http.get({
      path: '/search/cases',
      kind: 'search',
      query: { q, fl: CASE_SEARCH_FIELDS, rows, start, partnerSearch: 'false' },
      ...(signal ? { signal } : {}),
    });
    const parsed = solrResponseSchema.safeParse(response.body);
    if (!parsed.success) {
      throw new UpstreamContractError('portal', `unexpected search response: ${formatIssues(parsed.error)}`);
    }
    return parsed.data.response;
  }

  async function* searchCasePages(
    options: CaseSearchOptions = {},
    stats: CaseSearchStats = { numFound: 0, requests: 0, windows: 0, duplicates: 0 },
  ): AsyncGenerator<Batch<PortalCase>> {
    const base = options.query ?? portal.caseQuery;
    const query = options.modifiedSince
      ? andQuery(base, `case_lastModifiedDate:[${solrDate(options.modifiedSince)} TO *]`)
      : `(${base})`;
    const runner = {
      fetchPage: (q: string, start: number, rows: number) => fetchPage(q, start, rows, options.signal),
      pageSize: portal.pageSize,
      nowMs: () => resolved.clock.now(),
      logger,
    };
    for await (const batch of searchAllCases(runner, query, stats)) {
      reportRejected(batch.rejected);
      yield batch;
    }
  }

  async function getCaseDetail(caseNumber: string, signal?: AbortSignal): Promise<CaseDetailResult> {
    const response = await http.get({
      path: `/v1/cases/${casePath(caseNumber)}`,
      ...(signal ? { signal } : {}),
    });
    const parsed = parseOne(response.body, portalCaseDetailSchema, 'portal.caseDetail');
    if (!parsed.ok) {
      reportRejected([parsed.rejection]);
      throw new UpstreamContractError(
        'portal',
        `case ${caseNumber} detail rejected: ${parsed.rejection.reason}`,
      );
    }
    const d = parsed.value;
    const comments = parseEach(d.comments ?? [], portalCommentSchema(d.caseNumber), 'portal.comment');
    reportRejected(comments.rejected);
    return {
      detail: {
        caseNumber: d.caseNumber,
        ...(d.status ? { status: d.status } : {}),
        critSit: d.critSit ?? false,
        ...(d.groupName ? { groupName: d.groupName } : {}),
        notifiedUsers: d.notifiedUsers ?? [],
        ...(d.reliefAt ? { reliefAt: d.reliefAt } : {}),
        ...(d.resolvedAt ? { resolvedAt: d.resolvedAt } : {}),
        bugzillas: d.bugzillas ?? [],
        comments: comments.items,
        raw: d.raw,
      },
      rejected: comments.rejected,
    };
  }

  async function listComments(caseNumber: string, signal?: AbortSignal): Promise<Batch<PortalComment>> {
    const response = await http.get({
      path: `/v1/cases/${casePath(caseNumber)}/comments`,
      ...(signal ? { signal } : {}),
    });
    const batch = parseEach(
      expectArray(response.body, 'comments'),
      portalCommentSchema(caseNumber),
      'portal.comment',
    );
    reportRejected(batch.rejected);
    return batch;
  }

  async function listCaseJiraLinks(caseNumber: string, signal?: AbortSignal): Promise<Batch<CaseJiraLink>> {
    const response = await http.get({
      path: `/cases/${casePath(caseNumber)}/jiras`,
      ...(signal ? { signal } : {}),
    });
    // Links without a title are placeholders the Portal keeps for unreachable issues; the original skipped them.
    const titled = expectArray(response.body, 'case JIRA links').filter(
      (item) =>
        item !== null && typeof item === 'object' && typeof (item as { title?: unknown }).title === 'string',
    );
    const batch = parseEach(titled, caseJiraLinkSchema(caseNumber), 'portal.caseJiraLink');
    reportRejected(batch.rejected);
    return batch;
  }

  async function fetchCaseExtras(
    caseNumbers: readonly string[],
    extras: readonly CaseExtra[],
    signal?: AbortSignal,
  ): Promise<CaseExtrasResult> {
    const result: CaseExtrasResult = { byCase: new Map(), rejected: [], failed: [] };
    const unique = [...new Set(caseNumbers)];
    const tasks = unique.flatMap((caseNumber) => extras.map((extra) => ({ caseNumber, extra })));
    const entry = (caseNumber: string) => {
      const found = result.byCase.get(caseNumber) ?? {};
      result.byCase.set(caseNumber, found);
      return found;
    };
    await mapWithConcurrency(tasks, portal.concurrency, async ({ caseNumber, extra }) => {
      try {
        if (extra === 'detail') {
          const { detail, rejected } = await getCaseDetail(caseNumber, signal);
          entry(caseNumber).detail = detail;
          result.rejected.push(...rejected);
        } else if (extra === 'comments') {
          const batch = await listComments(caseNumber, signal);
          entry(caseNumber).comments = batch.items;
          result.rejected.push(...batch.rejected);
        } else {
          const batch = await listCaseJiraLinks(caseNumber, signal);
          entry(caseNumber).links = batch.items;
          if (batch.rejected.length) entry(caseNumber).linksRejected = batch.rejected.length;
          result.rejected.push(...batch.rejected);
        }
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof RecordRejectedError) result.rejected.push(err.rejection);
        else if (err instanceof UpstreamError || err instanceof UpstreamContractError) {
          result.failed.push({ caseNumber, extra, error: err });
        } else throw err;
      }
    });
    if (result.failed.length) {
      logger.warn({ failed: result.failed.length, of: tasks.length }, 'some case lookups failed');
    }
    return result;
  }

  return {
    async searchCases(options) {
      const stats: CaseSearchStats = { numFound: 0, requests: 0, windows: 0, duplicates: 0 };
      const result: CaseSearchResult = { items: [], rejected: [], stats };
      for await (const batch of searchCasePages(options, stats)) {
        result.items.push(...batch.items);
        result.rejected.push(...batch.rejected);
      }
      logger.info(
        { cases: result.items.length, rejected: result.rejected.length, ...stats },
        'case search complete',
      );
      return result;
    },
    searchCasePages,
    getCaseDetail,
    listComments,
    listCaseJiraLinks,
    async listNotifiedUsers(caseNumber, signal) {
      // The Portal documents no GET of `…/notifiedusers` (only POST and DELETE); the list comes inside the
      // case itself, `GET /v1/cases/{n}` → `notifiedUsers`.
      const response = await http.get({
        path: `/v1/cases/${casePath(caseNumber)}`,
        ...(signal ? { signal } : {}),
      });
      const parsed = notifiedUsersSchema.safeParse(
        (response.body as { notifiedUsers?: unknown } | null)?.notifiedUsers ?? [],
      );
      if (!parsed.success) {
        throw new UpstreamContractError('portal', `unexpected notified users: ${formatIssues(parsed.error)}`);
      }
      return parsed.data;
    },
    fetchCaseExtras,
    async addNotifiedUser(caseNumber, ssoUsername) {
      const path = `/v1/cases/${casePath(caseNumber)}/notifiedusers`;
      return guard.write('addNotifiedUser', { caseNumber, ssoUsername }, async (permit) => {
        // Adding a user who is already notified changes nothing, so a repeat after a lost answer is harmless.
        await http.write(permit, {
          method: 'POST',
          path,
          json: { user: [{ ssoUsername }] },
          idempotent: true,
        });
      });
    },
    async removeNotifiedUser(caseNumber, ssoUsername) {
      const path = `/v1/cases/${casePath(caseNumber)}/notifiedusers/${encodeURIComponent(ssoUsername)}`;
      return guard.write('removeNotifiedUser', { caseNumber, ssoUsername }, async (permit) => {
        try {
          await http.write(permit, { method: 'DELETE', path });
          return { removed: true };
        } catch (err) {
          // Not (or no longer) notified: the state we wanted. Also what a retried DELETE sees after a lost answer.
          if (err instanceof UpstreamError && err.isNotFound) return { removed: false };
          throw err;
        }
      });
    },
  };
}
