/**
 * Red Hat Bugzilla REST under /bugzilla/rest. Auth is `Authorization: Bearer <key>` (or
 * X-BUGZILLA-API-KEY); `api_key` query params are ignored as Red Hat does, so such callers are
 * anonymous. Batch searches silently drop bugs the caller may not see and unknown ids.
 */
import { SIM_DEFAULTS } from './constants.js';
import { isoSeconds } from './formats.js';
import {
  bearerToken,
  type HandlerContext,
  isRecord,
  json,
  listParam,
  parseJsonBody,
  RouteTable,
  type SimRequest,
  type SimResponse,
} from './http.js';
import type { SimBug } from './model.js';

export const BUGZILLA_PREFIX = '/bugzilla';
const DOCS = 'https://bugzilla.redhat.com/docs/en/html/api/index.html';

export function bzError(status: number, code: number, message: string): SimResponse {
  return json(status, { error: true, code, message, documentation: DOCS });
}

type Caller =
  | { kind: 'anonymous' }
  | { kind: 'user'; login: string }
  | { kind: 'rejected'; response: SimResponse };

function caller(req: SimRequest, ctx: HandlerContext): Caller {
  const key = bearerToken(req) ?? (req.headers['x-bugzilla-api-key'] as string | undefined);
  if (key === undefined || key === '') return { kind: 'anonymous' };
  const expected = ctx.options.credentials.bugzillaKey;
  if (ctx.options.strictAuth && key !== expected) {
    return {
      kind: 'rejected',
      response: bzError(
        401,
        306,
        'The API key you specified is invalid. Please check that you typed it correctly.',
      ),
    };
  }
  return { kind: 'user', login: 't5g-bot@redhat.com' };
}

function canSee(bug: SimBug, who: Caller): boolean {
  if (bug.visibility === 'private') return false;
  return bug.visibility === 'public' || who.kind === 'user';
}

const DEFAULT_FIELDS = [
  'id',
  'alias',
  'summary',
  'status',
  'resolution',
  'severity',
  'priority',
  'product',
  'component',
  'sub_components',
  'version',
  'target_release',
  'assigned_to',
  'assigned_to_detail',
  'qa_contact',
  'qa_contact_detail',
  'creation_time',
  'last_change_time',
  'keywords',
  'whiteboard',
  'is_open',
  'groups',
  'external_bugs',
  'cf_internal_whiteboard',
  'cf_devel_whiteboard',
  'cf_qa_whiteboard',
  'cf_fixed_in',
  'cf_doc_type',
  'cf_pm_score',
  'cf_environment',
];

function person(email: string): Record<string, unknown> {
  const nick = email.split('@')[0] ?? email;
  return { id: Math.abs(hashCode(email)) % 900_000, real_name: nick, nick, name: email, email };
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

function bugJson(bug: SimBug): Record<string, unknown> {
  return {
    id: bug.id,
    alias: [],
    summary: bug.summary,
    status: bug.status,
    resolution: bug.resolution,
    severity: bug.severity,
    priority: bug.priority,
    product: bug.product,
    component: [...bug.component],
    sub_components: {},
    version: [...bug.version],
    target_release: [...bug.targetRelease],
    assigned_to: bug.assignedTo,
    assigned_to_detail: person(bug.assignedTo),
    qa_contact: bug.qaContact,
    qa_contact_detail: bug.qaContact === '' ? {} : person(bug.qaContact),
    creation_time: isoSeconds(bug.created),
    last_change_time: isoSeconds(bug.lastChange),
    keywords: [...bug.keywords],
    whiteboard: bug.whiteboard,
    is_open: bug.status !== 'CLOSED',
    groups: bug.visibility === 'public' ? [] : ['redhat'],
    external_bugs: bug.caseNumbers.map((n) => ({
      type: { type: 'SFDC', description: 'Red Hat Customer Portal', url: SIM_DEFAULTS.portalCaseUrl },
      ext_bz_bug_id: n,
      ext_status: 'Waiting on Red Hat',
      ext_description: '',
      ext_priority: '',
    })),
    cf_internal_whiteboard: bug.internalWhiteboard,
    cf_devel_whiteboard: '',
    cf_qa_whiteboard: '',
    cf_fixed_in: '',
    cf_doc_type: bug.docType,
    cf_pm_score: String(bug.pmScore),
    cf_environment: '',
  };
}

/** include_fields / exclude_fields with the `_default`, `_all`, `_custom`, `_extra` shortcuts. */
function project(
  bug: Record<string, unknown>,
  include: string[],
  exclude: string[],
): Record<string, unknown> {
  let keys: string[];
  if (include.length === 0) keys = DEFAULT_FIELDS;
  else {
    const set = new Set<string>();
    for (const f of include) {
      if (f === '_default' || f === '_all' || f === '_extra') {
        for (const k of DEFAULT_FIELDS) set.add(k);
      } else if (f === '_custom') {
        for (const k of DEFAULT_FIELDS.filter((x) => x.startsWith('cf_'))) set.add(k);
      } else set.add(f);
    }
    keys = [...set];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) if (k in bug && !exclude.includes(k)) out[k] = bug[k];
  return out;
}

function maybeCorrupt(ctx: HandlerContext, bug: Record<string, unknown>): Record<string, unknown> {
  if (!ctx.invalidRecord()) return bug;
  const out = { ...bug };
  if (ctx.faults.variant([0, 1]) === 0) out.id = 'not-a-number';
  else out.target_release = '---';
  return out;
}

/** Throws a TypeError naming the first field of a bug update that has the wrong type. */
function validateUpdate(body: Record<string, unknown>): void {
  for (const field of ['cf_internal_whiteboard', 'whiteboard', 'status', 'resolution']) {
    if (body[field] !== undefined && typeof body[field] !== 'string')
      throw new TypeError(`${field} must be a string`);
  }
  if (body.keywords !== undefined && !isRecord(body.keywords))
    throw new TypeError('keywords must be {add, remove, set}');
}

/** Applies a validated update to one bug; returns Bugzilla's `changes` map. */
function applyUpdate(
  bug: SimBug,
  body: Record<string, unknown>,
): Record<string, { added: string; removed: string }> {
  const changes: Record<string, { added: string; removed: string }> = {};
  const setString = (field: string, get: () => string, set: (v: string) => void) => {
    const v = body[field];
    if (typeof v !== 'string') return;
    if (v !== get()) changes[field] = { added: v, removed: get() };
    set(v);
  };
  setString(
    'cf_internal_whiteboard',
    () => bug.internalWhiteboard,
    (v) => (bug.internalWhiteboard = v),
  );
  setString(
    'whiteboard',
    () => bug.whiteboard,
    (v) => (bug.whiteboard = v),
  );
  setString(
    'status',
    () => bug.status,
    (v) => (bug.status = v),
  );
  setString(
    'resolution',
    () => bug.resolution,
    (v) => (bug.resolution = v),
  );
  const kw = body.keywords;
  if (isRecord(kw)) {
    const before = [...bug.keywords];
    const list = (v: unknown): string[] =>
      Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
    let next = kw.set !== undefined ? list(kw.set) : [...bug.keywords];
    next = [...new Set([...next, ...list(kw.add)])].filter((k) => !list(kw.remove).includes(k));
    bug.keywords = next;
    const added = next.filter((k) => !before.includes(k));
    const removed = before.filter((k) => !next.includes(k));
    if (added.length > 0 || removed.length > 0)
      changes.keywords = { added: added.join(', '), removed: removed.join(', ') };
  }
  if (body.target_release !== undefined) {
    const tr = Array.isArray(body.target_release)
      ? body.target_release.map(String)
      : [String(body.target_release)];
    changes.target_release = { added: tr.join(', '), removed: bug.targetRelease.join(', ') };
    bug.targetRelease = tr;
  }
  return changes;
}

export function bugzillaRoutes(): RouteTable {
  const routes = new RouteTable('bugzilla', BUGZILLA_PREFIX);

  routes.add('GET', '/rest/bug', (req, ctx) => {
    const who = caller(req, ctx);
    if (who.kind === 'rejected') return who.response;
    const ids = listParam(req.query, 'id');
    const changedSince = req.query.get('last_change_time');
    if (ids.length === 0 && !changedSince) {
      return bzError(400, 32000, 'You must specify at least one search criterion (id or last_change_time).');
    }
    if (ids.length > SIM_DEFAULTS.bugzillaMaxIds) {
      return bzError(
        400,
        32000,
        `You may not search for more than ${SIM_DEFAULTS.bugzillaMaxIds} bug ids at once.`,
      );
    }
    let candidates: SimBug[];
    if (ids.length > 0) {
      candidates = ids.flatMap((id) => {
        const bug = /^\d+$/.test(id) ? ctx.state.bugs.get(Number(id)) : undefined;
        return bug ? [bug] : [];
      });
    } else candidates = [...ctx.state.bugs.values()];
    if (changedSince) {
      const since = Date.parse(changedSince);
      if (Number.isNaN(since)) return bzError(400, 32000, `Invalid datetime '${changedSince}'.`);
      candidates = candidates.filter((b) => b.lastChange >= since);
    }
    const include = listParam(req.query, 'include_fields');
    const exclude = listParam(req.query, 'exclude_fields');
    const seen = new Set<number>();
    const bugs = candidates
      .filter((b) => canSee(b, who) && !seen.has(b.id) && seen.add(b.id))
      .map((b) => maybeCorrupt(ctx, project(bugJson(b), include, exclude)));
    return json(200, { bugs, faults: [] });
  });

  routes.add('GET', '/rest/bug/:id', (req, ctx) => {
    const who = caller(req, ctx);
    if (who.kind === 'rejected') return who.response;
    const id = req.params.id ?? '';
    const bug = /^\d+$/.test(id) ? ctx.state.bugs.get(Number(id)) : undefined;
    if (!bug) {
      return /^\d+$/.test(id)
        ? bzError(404, 101, `Bug #${id} does not exist.`)
        : bzError(404, 100, `'${id}' is not a valid bug number nor an alias to a bug.`);
    }
    if (!canSee(bug, who)) {
      return bzError(
        401,
        102,
        who.kind === 'anonymous'
          ? `You are not authorized to access bug #${id}. To see this bug, you must first log in to an account with the appropriate permissions.`
          : `You are not authorized to access bug #${id}.`,
      );
    }
    const include = listParam(req.query, 'include_fields');
    const exclude = listParam(req.query, 'exclude_fields');
    return json(200, { bugs: [maybeCorrupt(ctx, project(bugJson(bug), include, exclude))], faults: [] });
  });

  routes.add('PUT', '/rest/bug/:id', (req, ctx) => {
    const who = caller(req, ctx);
    if (who.kind === 'rejected') return who.response;
    if (who.kind === 'anonymous')
      return bzError(401, 410, 'You must log in before using this part of Bugzilla.');
    const body = parseJsonBody(req);
    if (!isRecord(body)) return bzError(400, 32000, 'The request body must be a JSON object.');
    // As upstream: `ids` in the body names further bugs, and every named bug gets the same update.
    const extra = body.ids === undefined ? [] : Array.isArray(body.ids) ? body.ids : [body.ids];
    const ids = [...new Set([req.params.id ?? '', ...extra.map(String)])];
    const bugs: SimBug[] = [];
    for (const id of ids) {
      const bug = /^\d+$/.test(id) ? ctx.state.bugs.get(Number(id)) : undefined;
      if (!bug) return bzError(404, 101, `Bug #${id} does not exist.`);
      if (!canSee(bug, who)) return bzError(401, 102, `You are not authorized to access bug #${id}.`);
      bugs.push(bug);
    }
    let comment: { text: string; isPrivate: boolean } | undefined;
    if (body.comment !== undefined) {
      const c = body.comment;
      if (!isRecord(c) || typeof c.body !== 'string' || c.body.trim() === '')
        return bzError(400, 32000, 'comment must be an object with a non-empty body.');
      comment = { text: c.body, isPrivate: c.is_private === true };
    }
    try {
      validateUpdate(body);
    } catch (err) {
      return bzError(400, 32000, err instanceof Error ? err.message : String(err));
    }
    const now = ctx.state.now();
    const results = bugs.map((bug) => {
      const changes = applyUpdate(bug, body);
      if (comment) {
        bug.comments ??= [];
        bug.comments.push({
          id: bug.id * 1000 + bug.comments.length + 1,
          text: comment.text,
          creator: who.login,
          isPrivate: comment.isPrivate,
          time: now,
        });
      }
      // minor_update suppresses mail on the real server; the bug still changes.
      if (Object.keys(changes).length > 0 || comment) {
        bug.lastChange = now;
        ctx.state.touch();
      }
      return { id: bug.id, alias: [], last_change_time: isoSeconds(bug.lastChange), changes };
    });
    return { status: 200, json: { bugs: results }, write: true };
  });

  routes.add('GET', '/rest/bug/:id/comment', (req, ctx) => {
    const who = caller(req, ctx);
    if (who.kind === 'rejected') return who.response;
    const id = req.params.id ?? '';
    const bug = /^\d+$/.test(id) ? ctx.state.bugs.get(Number(id)) : undefined;
    if (!bug) return bzError(404, 101, `Bug #${id} does not exist.`);
    if (!canSee(bug, who)) return bzError(401, 102, `You are not authorized to access bug #${id}.`);
    const comments = (bug.comments ?? [])
      .filter((c) => !c.isPrivate || who.kind === 'user')
      .map((c, count) => ({
        id: c.id,
        bug_id: bug.id,
        count,
        text: c.text,
        creator: c.creator,
        creation_time: isoSeconds(c.time),
        time: isoSeconds(c.time),
        is_private: c.isPrivate,
      }));
    return json(200, { bugs: { [String(bug.id)]: { comments } }, comments: {} });
  });

  routes.add('GET', '/rest/version', () => json(200, { version: '5.0.4.rh101' }));

  routes.add('GET', '/rest/whoami', (req, ctx) => {
    const who = caller(req, ctx);
    if (who.kind === 'rejected') return who.response;
    if (who.kind === 'anonymous')
      return bzError(401, 410, 'You must log in before using this part of Bugzilla.');
    return json(200, { id: 4242, real_name: 'T5G Sync Bot', name: who.login, login: who.login });
  });

  routes.add('GET', '/show_bug.cgi', (req, ctx) => {
    const bug = ctx.state.bugs.get(Number(req.query.get('id')));
    const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
    return {
      status: bug ? 200 : 404,
      contentType: 'text/html;charset=UTF-8',
      text: bug
        ? `<!DOCTYPE html><title>Bug ${bug.id} – ${esc(bug.summary)}</title><h1>Bug ${bug.id}</h1><p>${esc(bug.summary)}</p>`
        : '<h1>Invalid Bug ID</h1>',
    };
  });

  return routes;
}
