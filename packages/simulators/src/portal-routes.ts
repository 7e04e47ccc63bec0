/**
 * Customer Portal ("hydra") API under /portal/hydra/rest: Solr case search, case detail,
 * comments, linked Jira issues and notified users. Every call needs a live SSO access token.
 */
import { LRUCache } from 'lru-cache';
import { SIM_DEFAULTS } from './constants.js';
import {
  bearerToken,
  type Handler,
  type HandlerContext,
  intParam,
  isRecord,
  json,
  parseJsonBody,
  RouteTable,
  type SimRequest,
  type SimResponse,
} from './http.js';
import type { SimCase } from './model.js';
import { caseComment, caseDetail, caseJiraLinks, caseSchema, corruptDoc, searchDoc } from './portal-docs.js';
import { compileSolrQuery, parseSolrSort, SolrQueryError } from './solr-query.js';
import type { SimulatorState } from './state.js';

export const PORTAL_PREFIX = '/portal/hydra/rest';

const message = (status: number, text: string): SimResponse => json(status, { message: text });

function withToken(handler: Handler): Handler {
  return (req, ctx) => {
    const verdict = ctx.tokens.check(bearerToken(req), ctx.state.now());
    if (verdict !== 'valid') {
      return json(
        401,
        {
          message:
            verdict === 'expired' ? 'Access token expired' : 'Unauthorized: missing or invalid access token',
        },
        { 'WWW-Authenticate': `Bearer realm="redhat-external", error="invalid_token"` },
      );
    }
    return handler(req, ctx);
  };
}

/** Resolves `:caseNumber`, answering 404/403 like the Portal does. */
function withCase(handler: (req: SimRequest, ctx: HandlerContext, c: SimCase) => SimResponse): Handler {
  return withToken((req, ctx) => {
    const n = req.params.caseNumber ?? '';
    const c = ctx.state.caseByNumber.get(n) ?? ctx.state.caseByNumber.get(n.padStart(8, '0'));
    if (!c) return message(404, `Case ${n} not found`);
    if (c.forbidden) return message(403, `You do not have permission to access case ${c.number}`);
    return handler(req, ctx, c);
  });
}

/** Sorted search results per (query, sort, state version); paging re-uses them. */
type SearchCache = LRUCache<string, SimCase[]>;

function runSearch(state: SimulatorState, cache: SearchCache, q: string, sort: string): SimCase[] {
  const key = `${state.version}\u0000${q}\u0000${sort}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const schema = caseSchema(state);
  const predicate = compileSolrQuery(q, schema, state.now());
  // Default order is creation date ascending: t5g's second-page workaround depends on it.
  const order =
    sort.trim() === '' ? [{ field: 'case_createdDate', desc: false }] : parseSolrSort(sort, schema);
  const docs = state.cases.filter(predicate);
  docs.sort((a, b) => {
    for (const { field, desc } of order) {
      const get = schema[field]?.get;
      if (!get) continue;
      const va = get(a);
      const vb = get(b);
      const x = typeof va === 'number' ? va : (va?.[0] ?? '');
      const y = typeof vb === 'number' ? vb : (vb?.[0] ?? '');
      if (x < y) return desc ? 1 : -1;
      if (x > y) return desc ? -1 : 1;
    }
    return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
  });
  cache.set(key, docs);
  return docs;
}

export function portalRoutes(): RouteTable {
  const routes = new RouteTable('portal', PORTAL_PREFIX);
  const cache: SearchCache = new LRUCache({ max: 16 });
  const cap = SIM_DEFAULTS.portalResultCap;

  routes.add(
    'GET',
    '/search/cases',
    withToken((req, ctx) => {
      const q = req.query.get('q') ?? '*:*';
      const start = intParam(req.query, 'start', 0);
      const rows = intParam(req.query, 'rows', 10);
      if (start === undefined || rows === undefined || start < 0 || rows < 0) {
        return message(400, 'start and rows must be non-negative integers');
      }
      if (start >= cap) {
        return message(
          400,
          `Result window is too large: start must be less than ${cap} (start + rows <= ${cap})`,
        );
      }
      let matches: SimCase[];
      try {
        matches = runSearch(ctx.state, cache, q, req.query.get('sort') ?? '');
      } catch (err) {
        if (err instanceof SolrQueryError) return message(400, err.message);
        throw err;
      }
      const fl = req.query.get('fl');
      const fields =
        fl && fl.trim() !== '' && fl.trim() !== '*'
          ? new Set(
              fl
                .split(',')
                .map((f) => f.trim())
                .filter((f) => f !== ''),
            )
          : null;
      // The Portal silently cuts a window that ends past the cap; numFound stays the true total.
      const end = Math.min(start + rows, cap, matches.length);
      const docs = matches.slice(start, Math.max(start, end)).map((c) => {
        const doc = searchDoc(ctx.state, c, fields);
        return ctx.invalidRecord() ? corruptDoc(doc, ctx.faults.variant([0, 1, 2])) : doc;
      });
      return json(200, {
        responseHeader: {
          status: 0,
          QTime: 3,
          params: { q, start: String(start), rows: String(rows), ...(fl ? { fl } : {}) },
        },
        response: { numFound: matches.length, start, docs },
      });
    }),
  );

  routes.add(
    'GET',
    '/v1/cases/:caseNumber',
    withCase((req, ctx, c) => {
      const detail = caseDetail(ctx.state, c, req.origin);
      if (ctx.invalidRecord()) {
        delete detail.caseNumber;
        detail.severity = 'banana';
      }
      return json(200, detail);
    }),
  );

  routes.add(
    'GET',
    '/v1/cases/:caseNumber/comments',
    withCase((req, ctx, c) => {
      const bound = (name: string): number | null | undefined => {
        const raw = req.query.get(name);
        if (raw === null || raw === '') return null;
        const ms = Date.parse(raw);
        return Number.isNaN(ms) ? undefined : ms;
      };
      const from = bound('startDate');
      const to = bound('endDate');
      if (from === undefined || to === undefined)
        return message(400, 'startDate and endDate must be ISO-8601 dates');
      const comments = ctx.state
        .caseComments(c)
        .filter((m) => (from === null || m.created >= from) && (to === null || m.created <= to));
      return json(200, comments.map(caseComment));
    }),
  );

  routes.add(
    'GET',
    '/cases/:caseNumber/jiras',
    withCase((req, ctx, c) =>
      json(
        200,
        caseJiraLinks(ctx.state, c, req.origin).map((link) =>
          // The key stays readable, so the broken link can be matched to a later valid one.
          ctx.invalidRecord() ? { ...link, lastModifiedDate: 'yesterday-ish' } : link,
        ),
      ),
    ),
  );

  // No GET of `…/notifiedusers`: the real Portal serves the list only inside `GET /v1/cases/{n}`.

  routes.add(
    'POST',
    '/v1/cases/:caseNumber/notifiedusers',
    withCase((req, ctx, c) => {
      const body = parseJsonBody(req);
      const users = isRecord(body) ? body.user : undefined;
      if (!Array.isArray(users) || users.length === 0) {
        return message(400, 'Request body must be {"user":[{"ssoUsername":"…"}]}');
      }
      const names: string[] = [];
      for (const u of users) {
        const sso = isRecord(u) ? u.ssoUsername : undefined;
        if (typeof sso !== 'string' || sso.trim() === '') return message(400, 'ssoUsername is required');
        names.push(sso);
      }
      for (const sso of names) {
        if (c.notifiedUsers.some((u) => u.ssoUsername === sso)) continue;
        const member = ctx.state.team.find((m) => m.jira_user === sso);
        c.notifiedUsers.push({ ssoUsername: sso, title: member?.name ?? sso });
      }
      ctx.state.touch();
      return { status: 201, text: '', write: true };
    }),
  );

  routes.add(
    'DELETE',
    '/v1/cases/:caseNumber/notifiedusers/:ssoUsername',
    withCase((req, ctx, c) => {
      const sso = req.params.ssoUsername ?? '';
      const at = c.notifiedUsers.findIndex((u) => u.ssoUsername === sso);
      if (at < 0) return message(404, `User ${sso} is not a notified user of case ${c.number}`);
      c.notifiedUsers.splice(at, 1);
      ctx.state.touch();
      return { status: 204, write: true };
    }),
  );

  return routes;
}
