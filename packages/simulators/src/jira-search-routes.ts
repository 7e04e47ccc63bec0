/**
 * Jira search. Cloud: `/rest/api/{2,3}/search/jql` with nextPageToken/isLast, no total and only
 * `id` by default; the old `/search` answers 410. Data Center: `/rest/api/2/search` with
 * startAt/maxResults/total and `*navigable` by default. Results embed at most 20 comments.
 */
import { LRUCache } from 'lru-cache';
import { SIM_DEFAULTS } from './constants.js';
import {
  type HandlerContext,
  isRecord,
  json,
  parseJsonBody,
  type RouteTable,
  type SimRequest,
  type SimResponse,
} from './http.js';
import {
  dcNotFound,
  type JiraRequestView,
  jiraError,
  jiraRoute,
  paramInt,
  paramList,
  paramString,
} from './jira-common.js';
import { issueFieldIds, issueJson, selectFields } from './jira-json.js';
import { compileJql, JqlError, type JqlValidation, parseJql, sorterFor } from './jql.js';
import type { SimIssue } from './model.js';
import { hashParts } from './rng.js';

const CLOUD_GONE =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';

interface JqlResult {
  issues: SimIssue[];
  /** `validateQuery=warn`: what strict validation would have refused (e.g. keys that do not exist). */
  warnings: string[];
}

type SearchCache = LRUCache<string, JqlResult>;

function runJql(
  view: JiraRequestView,
  cache: SearchCache,
  jql: string,
  validation: JqlValidation = 'strict',
): JqlResult {
  const key = `${view.state.version}\u0000${view.flavor}\u0000${view.caller.user.accountId}\u0000${validation}\u0000${jql}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseJql(jql);
  const warnings: string[] = [];
  const predicate = compileJql(parsed.where, {
    state: view.state,
    flavor: view.flavor,
    currentUser: view.caller.user,
    now: view.state.now(),
    validation,
    warnings,
  });
  const result = { issues: view.state.issues.filter(predicate).sort(sorterFor(parsed.orderBy)), warnings };
  cache.set(key, result);
  return result;
}

/** Data Center's `validateQuery`: `strict`/`true` (default), `warn`, `none`/`false`. */
function validationParam(
  req: SimRequest,
  body: Record<string, unknown> | undefined,
): JqlValidation | undefined {
  const raw = body?.validateQuery;
  const value =
    typeof raw === 'boolean' ? String(raw) : (paramString(req, body, 'validateQuery') ?? 'strict');
  const v = value.toLowerCase();
  if (v === 'strict' || v === 'true') return 'strict';
  if (v === 'warn') return 'warn';
  if (v === 'none' || v === 'false') return 'none';
  return undefined;
}

/** POST searches carry their parameters in a JSON body; GET ones in the query string. */
function requestBody(
  req: SimRequest,
): { body: Record<string, unknown> | undefined } | { error: SimResponse } {
  if (req.method !== 'POST') return { body: undefined };
  const parsed = parseJsonBody(req);
  if (parsed instanceof Error)
    return { error: jiraError(400, [`Unexpected character in request body: ${parsed.message}`]) };
  if (parsed === undefined) return { body: {} };
  if (!isRecord(parsed)) return { error: jiraError(400, ['Request body must be a JSON object.']) };
  return { body: parsed };
}

function corrupt(issue: Record<string, unknown>, variant: number): Record<string, unknown> {
  const fields = isRecord(issue.fields) ? { ...issue.fields } : undefined;
  if (!fields) return { ...issue, id: null };
  if (variant === 0) delete fields.summary;
  else if (variant === 1) fields.status = { name: 'Banana' };
  else fields.created = 'not-a-date';
  return { ...issue, fields };
}

interface Page {
  issues: SimIssue[];
  selection: Set<string>;
  expand: Set<string>;
}

function serializePage(view: JiraRequestView, ctx: HandlerContext, page: Page): Record<string, unknown>[] {
  return page.issues.map((issue) => {
    const available = issueFieldIds(view, view.state.projects.get(issue.projectKey));
    const fields = new Set([...page.selection].filter((f) => available.includes(f)));
    const out = issueJson(view, issue, {
      fields,
      expand: page.expand,
      commentLimit: SIM_DEFAULTS.jiraEmbeddedComments,
    });
    return ctx.invalidRecord() ? corrupt(out, ctx.faults.variant([0, 1, 2])) : out;
  });
}

/** All field ids any project has; a per-issue filter then keeps that issue's own. */
function selectionFor(view: JiraRequestView, requested: string[], fallback: string): Set<string> {
  const universe = new Set<string>();
  for (const p of view.state.projects.values()) for (const f of issueFieldIds(view, p)) universe.add(f);
  return selectFields(requested, fallback, [...universe]);
}

function cloudSearch(
  req: SimRequest,
  ctx: HandlerContext,
  view: JiraRequestView,
  cache: SearchCache,
): SimResponse {
  const parsedBody = requestBody(req);
  if ('error' in parsedBody) return parsedBody.error;
  const b = parsedBody.body;
  const jql = paramString(req, b, 'jql') ?? '';
  let parsedWhere: boolean;
  try {
    parsedWhere = parseJql(jql).where !== null;
  } catch (err) {
    if (err instanceof JqlError) return jiraError(400, err.messages);
    throw err;
  }
  // Cloud refuses queries without any restriction on the enhanced search endpoint.
  if (!parsedWhere) {
    return jiraError(400, [
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    ]);
  }
  const selection = selectionFor(view, paramList(req, b, 'fields'), 'id');
  const expand = new Set(paramList(req, b, 'expand'));
  const maxCap = selection.size === 0 ? 5000 : 100;
  const requestedMax = paramInt(req, b, 'maxResults', 50);
  if (requestedMax === undefined)
    return jiraError(400, ["The value for 'maxResults' must be a non-negative integer."]);
  const maxResults = Math.min(Math.max(requestedMax, 1), maxCap);
  const jqlHash = hashParts([jql]).toString(36);
  let offset = 0;
  const token = paramString(req, b, 'nextPageToken');
  if (token) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
        o?: unknown;
        h?: unknown;
      };
      if (typeof decoded.o !== 'number' || decoded.h !== jqlHash) throw new Error('mismatch');
      offset = decoded.o;
    } catch {
      return jiraError(400, ['The provided next page token is invalid or expired.']);
    }
  }
  // No validateQuery here: the enhanced search always validates strictly.
  let all: SimIssue[];
  try {
    all = runJql(view, cache, jql).issues;
  } catch (err) {
    if (err instanceof JqlError) return jiraError(400, err.messages);
    throw err;
  }
  // Eventual consistency (fault setting): fresh issues are missing unless reconciled by id.
  const lag = ctx.faults.settingsFor('jira')?.consistencyLagMs ?? 0;
  if (lag > 0) {
    const reconcile = new Set(paramList(req, b, 'reconcileIssues'));
    const cutoff = view.state.now() - lag;
    all = all.filter((i) => i.created <= cutoff || reconcile.has(String(i.id)));
  }
  const slice = all.slice(offset, offset + maxResults);
  const isLast = offset + slice.length >= all.length;
  const out: Record<string, unknown> = {
    issues: serializePage(view, ctx, { issues: slice, selection, expand }),
    isLast,
  };
  if (!isLast)
    out.nextPageToken = Buffer.from(JSON.stringify({ o: offset + slice.length, h: jqlHash })).toString(
      'base64url',
    );
  return json(200, out);
}

function dcSearch(
  req: SimRequest,
  ctx: HandlerContext,
  view: JiraRequestView,
  cache: SearchCache,
): SimResponse {
  const parsedBody = requestBody(req);
  if ('error' in parsedBody) return parsedBody.error;
  const b = parsedBody.body;
  const jql = paramString(req, b, 'jql') ?? '';
  const startAt = paramInt(req, b, 'startAt', 0);
  const requestedMax = paramInt(req, b, 'maxResults', 50);
  if (startAt === undefined || requestedMax === undefined) {
    return jiraError(400, ['startAt and maxResults must be non-negative integers.']);
  }
  const maxResults = Math.min(requestedMax, 1000);
  const validation = validationParam(req, b);
  if (!validation)
    return jiraError(400, ["The value for 'validateQuery' must be one of strict, warn, none, true, false."]);
  let all: SimIssue[];
  let warnings: string[];
  try {
    ({ issues: all, warnings } = runJql(view, cache, jql, validation));
  } catch (err) {
    if (err instanceof JqlError) return jiraError(400, err.messages);
    throw err;
  }
  const selection = selectionFor(view, paramList(req, b, 'fields'), '*navigable');
  const expand = new Set(paramList(req, b, 'expand'));
  return json(200, {
    expand: 'schema,names',
    startAt,
    maxResults,
    total: all.length,
    issues: serializePage(view, ctx, { issues: all.slice(startAt, startAt + maxResults), selection, expand }),
    ...(warnings.length ? { warningMessages: warnings } : {}),
  });
}

export function addJiraSearchRoutes(routes: RouteTable): void {
  const cache: SearchCache = new LRUCache({ max: 32 });
  for (const v of ['2', '3'] as const) {
    for (const method of ['GET', 'POST'] as const) {
      routes.add(
        method,
        `/rest/api/${v}/search`,
        jiraRoute(v, (req, ctx, view) =>
          view.flavor === 'cloud' ? jiraError(410, [CLOUD_GONE]) : dcSearch(req, ctx, view, cache),
        ),
      );
      routes.add(
        method,
        `/rest/api/${v}/search/jql`,
        jiraRoute(v, (req, ctx, view) =>
          view.flavor === 'dc' ? dcNotFound(req) : cloudSearch(req, ctx, view, cache),
        ),
      );
    }
  }
  routes.add(
    'POST',
    '/rest/api/3/search/approximate-count',
    jiraRoute('3', (req, _ctx, view) => {
      const body = parseJsonBody(req);
      const jql = isRecord(body) && typeof body.jql === 'string' ? body.jql : '';
      try {
        return json(200, { count: runJql(view, cache, jql).issues.length });
      } catch (err) {
        if (err instanceof JqlError) return jiraError(400, err.messages);
        throw err;
      }
    }),
  );
}
