/**
 * Shared plumbing for the Jira route modules: flavor/auth resolution, the per-flavor 404 for
 * API versions a flavor does not have, Data Center's rate-limit headers and the error shape.
 */
import type { Handler, HandlerContext, SimRequest, SimResponse } from './http.js';
import { json } from './http.js';
import { identifyJiraCaller, isResponse, type JiraCaller } from './jira-auth.js';
import type { JiraView } from './jira-json.js';

export const JIRA_PREFIX = '/jira';

export interface JiraRequestView extends JiraView {
  caller: JiraCaller;
}

export type JiraHandler = (req: SimRequest, ctx: HandlerContext, view: JiraRequestView) => SimResponse;

export function jiraError(
  status: number,
  errorMessages: string[],
  errors: Record<string, string> = {},
): SimResponse {
  return json(status, { errorMessages, errors });
}

/** Data Center (Jersey) answer for a REST path it does not have. */
export function dcNotFound(req: SimRequest): SimResponse {
  return json(404, { message: `null for uri: ${req.origin}${req.path}`, 'status-code': 404 });
}

/** Data Center sends its rate-limit state on every response. */
const DC_RATE_HEADERS = {
  'X-RateLimit-Limit': '100',
  'X-RateLimit-Remaining': '99',
  'X-RateLimit-FillRate': '10',
  'X-RateLimit-Interval-Seconds': '1',
};

/**
 * Wraps a handler with auth. `apiVersion` '3' exists only on Cloud; agile and v2 exist on both.
 * `only` restricts a route to one flavor (the other gets its own kind of 404 / 410).
 */
export function jiraRoute(apiVersion: '2' | '3', handler: JiraHandler): Handler {
  return (req, ctx) => {
    const caller = identifyJiraCaller(req, ctx);
    if (isResponse(caller)) return caller;
    if (caller.flavor === 'dc' && apiVersion === '3') return dcNotFound(req);
    const res = handler(req, ctx, {
      flavor: caller.flavor,
      apiVersion,
      origin: req.origin,
      state: ctx.state,
      workflow: ctx.options.workflow,
      caller,
    });
    if (caller.flavor === 'dc') res.headers = { ...DC_RATE_HEADERS, ...res.headers };
    return res;
  };
}

/** A request parameter from the query string (GET) or the JSON body (POST), as a string list. */
export function paramList(
  req: SimRequest,
  body: Record<string, unknown> | undefined,
  name: string,
): string[] {
  const fromBody = body?.[name];
  if (Array.isArray(fromBody)) return fromBody.map(String);
  if (typeof fromBody === 'string') return fromBody.split(',');
  if (typeof fromBody === 'number') return [String(fromBody)];
  return req.query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function paramString(
  req: SimRequest,
  body: Record<string, unknown> | undefined,
  name: string,
): string | undefined {
  const fromBody = body?.[name];
  if (typeof fromBody === 'string') return fromBody;
  if (typeof fromBody === 'number') return String(fromBody);
  return req.query.get(name) ?? undefined;
}

export function paramInt(
  req: SimRequest,
  body: Record<string, unknown> | undefined,
  name: string,
  fallback: number,
): number | undefined {
  const raw = paramString(req, body, name);
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
