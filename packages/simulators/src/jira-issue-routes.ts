/**
 * Jira issue API (v2 and v3): get, create, edit, delete, transitions, comments (add, edit,
 * delete), remote links, plus the project / myself / serverInfo / field lookups clients make when
 * they connect.
 */
import { SIM_DEFAULTS } from './constants.js';
import { adfToWiki, isAdfDoc } from './formats.js';
import {
  html,
  isRecord,
  json,
  noContent,
  parseJsonBody,
  type RouteTable,
  type SimRequest,
  type SimResponse,
} from './http.js';
import { type JiraRequestView, jiraError, jiraRoute, paramInt, paramList } from './jira-common.js';
import {
  allFieldNames,
  commentJson,
  issueFieldIds,
  issueJson,
  projectJson,
  selectFields,
  transitionsJson,
  userJson,
} from './jira-json.js';
import { isDoneStatus, RESOLUTIONS, transitionsFor, workflowOf } from './jira-workflow.js';
import { checkFields, checkUpdate } from './jira-write.js';
import type { SimIssue, SimJiraComment } from './model.js';
import type { SimulatorState } from './state.js';

const NOT_FOUND = 'Issue does not exist or you do not have permission to see it.';

function jsonBody(req: SimRequest): { body: Record<string, unknown> } | { error: SimResponse } {
  const parsed = parseJsonBody(req);
  if (parsed instanceof Error)
    return { error: jiraError(400, [`Unexpected character in request body: ${parsed.message}`]) };
  if (!isRecord(parsed)) return { error: jiraError(400, ['Request body must be a JSON object.']) };
  return { body: parsed };
}

type IssueHandler = (req: SimRequest, view: JiraRequestView, issue: SimIssue) => SimResponse;

function withIssue(version: '2' | '3', handler: IssueHandler) {
  return jiraRoute(version, (req, _ctx, view) => {
    const issue = view.state.findIssue(req.params.key ?? '');
    return issue ? handler(req, view, issue) : jiraError(404, [NOT_FOUND]);
  });
}

function touchIssue(state: SimulatorState, issue: SimIssue): void {
  issue.updated = Math.max(state.now(), issue.updated + 1);
  state.touch();
}

function nextIssueId(state: SimulatorState): number {
  let max = 0;
  for (const i of state.issues) if (i.id > max) max = i.id;
  return max + 1;
}

function nextKeyNumber(state: SimulatorState, projectKey: string): number {
  let max = 0;
  for (const i of state.issues) {
    if (i.projectKey !== projectKey) continue;
    const n = Number(i.key.slice(i.key.lastIndexOf('-') + 1));
    if (n > max) max = n;
  }
  return max + 1;
}

function createIssue(req: SimRequest, view: JiraRequestView): SimResponse {
  const parsed = jsonBody(req);
  if ('error' in parsed) return parsed.error;
  const body = parsed.body;
  const fields = isRecord(body.fields) ? body.fields : undefined;
  if (!fields) return jiraError(400, ['Issue must have fields.'], {});
  const ref = isRecord(fields.project) ? fields.project : undefined;
  if (!ref) return jiraError(400, [], { project: 'project is required' });
  const project = [...view.state.projects.values()].find((p) => p.key === ref.key || p.id === String(ref.id));
  if (!project) return jiraError(400, [], { project: 'Specify a valid project ID or key' });
  const checked = checkFields(view, fields, project, 'create');
  if (Object.keys(checked.errors).length > 0) return jiraError(400, [], checked.errors);
  const state = view.state;
  const now = state.now();
  const id = nextIssueId(state);
  const key = `${project.key}-${nextKeyNumber(state, project.key)}`;
  const role =
    project.key === SIM_DEFAULTS.jiraProject
      ? 'card'
      : project.key === SIM_DEFAULTS.escalationsProject
        ? 'escalation'
        : 'linked';
  const issue: SimIssue = {
    id,
    key,
    projectKey: project.key,
    role,
    summary: '',
    description: '',
    // Cards start in New; the original then transitions them to To Do.
    status: 'New',
    issueType: 'Story',
    priority: 'Normal',
    reporter: view.caller.user,
    labels: [],
    components: [],
    fixVersions: [],
    created: now,
    updated: now,
    contributors: [],
    sfdcCaseLinks: [],
    sprintIds: [],
    baseCommentCount: 0,
    commentSpanStart: now,
    commentSpanEnd: now,
    extraComments: [],
    remoteLinks: [],
    history: [],
  };
  for (const m of checked.mutations) m(issue);
  const caseNumber = /^(\d{8}):/.exec(issue.summary)?.[1];
  if (role === 'card' && caseNumber) issue.caseNumber = caseNumber;
  state.addIssue(issue);
  return {
    status: 201,
    json: { id: String(id), key, self: `${req.origin}/jira/rest/api/${view.apiVersion}/issue/${id}` },
    write: true,
  };
}

function editIssue(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const parsed = jsonBody(req);
  if ('error' in parsed) return parsed.error;
  const body = parsed.body;
  const project = view.state.projects.get(issue.projectKey);
  if (!project) return jiraError(404, [NOT_FOUND]);
  const fields = isRecord(body.fields) ? body.fields : {};
  const update = isRecord(body.update) ? body.update : {};
  const a = checkFields(view, fields, project, 'update');
  const b = checkUpdate(view, update, project);
  const errors = { ...a.errors, ...b.errors };
  if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
  for (const m of [...a.mutations, ...b.mutations]) m(issue);
  touchIssue(view.state, issue);
  return noContent(true);
}

/** The resolution a transition body sets (`fields.resolution` by name or id), or an error message. */
function requestedResolution(body: Record<string, unknown>): { name?: string } | { error: string } {
  const fields = isRecord(body.fields) ? body.fields : {};
  const r = fields.resolution;
  if (r === undefined || r === null) return {};
  const ref = isRecord(r) ? r : undefined;
  const def = RESOLUTIONS.find(
    (x) =>
      (typeof ref?.name === 'string' && x.name === ref.name) ||
      (ref?.id !== undefined && x.id === String(ref.id)),
  );
  return def ? { name: def.name } : { error: `Could not find a resolution matching ${JSON.stringify(r)}.` };
}

function doTransition(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const parsed = jsonBody(req);
  if ('error' in parsed) return parsed.error;
  const body = parsed.body;
  const t = isRecord(body.transition) ? body.transition : undefined;
  const id = t && (typeof t.id === 'string' || typeof t.id === 'number') ? String(t.id) : undefined;
  if (!id) return jiraError(400, ['Missing transition id.'], {});
  const args = [issue.projectKey, SIM_DEFAULTS.jiraProject, SIM_DEFAULTS.escalationsProject] as const;
  const target = transitionsFor(...args, issue.status, view.workflow).find((x) => x.id === id);
  if (!target) {
    // Data Center names a workflow action that exists but not from here; Cloud only says the id is invalid.
    const known = view.flavor === 'dc' && workflowOf(...args).find((x) => x.id === id);
    return jiraError(
      400,
      [
        known
          ? `It seems that you have tried to perform a workflow operation (${known.name}) that is not valid for the current state of this issue (${issue.key}). The likely cause is that somebody has changed the issue recently, please look at the issue history for details.`
          : `Transition id '${id}' is not valid for this issue.`,
      ],
      {},
    );
  }
  const resolution = requestedResolution(body);
  if ('error' in resolution) return jiraError(400, [], { resolution: resolution.error });
  if (view.workflow === 'restricted') {
    if (target.needsResolution && !resolution.name)
      return jiraError(400, [], { resolution: 'Resolution is required.' });
    if (!target.needsResolution && resolution.name)
      return jiraError(400, [], {
        resolution: "Field 'resolution' cannot be set. It is not on the appropriate screen, or unknown.",
      });
  }
  const from = issue.status;
  issue.status = target.to;
  if (isDoneStatus(target.to)) {
    issue.resolutionDate = view.state.now();
    if (resolution.name) issue.resolution = resolution.name;
    else delete issue.resolution;
  } else {
    delete issue.resolutionDate;
    delete issue.resolution;
  }
  issue.history.push({
    id: String(issue.id * 100 + issue.history.length + 50),
    author: view.caller.user,
    created: view.state.now(),
    items: [{ field: 'status', fromString: from, toString: target.to }],
  });
  touchIssue(view.state, issue);
  return noContent(true);
}

function listComments(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const startAt = paramInt(req, undefined, 'startAt', 0);
  const requested = paramInt(req, undefined, 'maxResults', 50);
  if (startAt === undefined || requested === undefined)
    return jiraError(400, ['startAt and maxResults must be non-negative integers.']);
  const maxResults = Math.min(requested, 5000);
  let all = view.state.issueComments(issue);
  const orderBy = req.query.get('orderBy') ?? '';
  if (orderBy === '-created') all = [...all].reverse();
  const rendered = paramList(req, undefined, 'expand').includes('renderedBody');
  const comments = all.slice(startAt, startAt + maxResults).map((c) => {
    const out = commentJson(view, issue, c);
    if (rendered) out.renderedBody = commentJson(view, issue, c, true).body;
    return out;
  });
  return json(200, { startAt, maxResults, total: all.length, comments });
}

function addComment(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const parsed = jsonBody(req);
  if ('error' in parsed) return parsed.error;
  const body = parsed.body;
  const text = commentText(view, body);
  if (typeof text !== 'string') return text;
  const now = view.state.now();
  const comment: SimJiraComment = {
    id: view.state.nextCommentId(issue),
    author: view.caller.user,
    body: text,
    created: now,
    updated: now,
  };
  const vis = isRecord(body.visibility) ? body.visibility : undefined;
  if (vis && (vis.type === 'group' || vis.type === 'role') && typeof vis.value === 'string') {
    comment.visibility = { type: vis.type, value: vis.value };
  }
  issue.extraComments.push(comment);
  touchIssue(view.state, issue);
  return { status: 201, json: commentJson(view, issue, comment), write: true };
}

/** The comment body of a create or edit request as wiki markup (v3 takes ADF), or the error to answer. */
function commentText(view: JiraRequestView, body: Record<string, unknown>): string | SimResponse {
  let text: string | undefined;
  if (view.apiVersion === '3') {
    if (isAdfDoc(body.body)) text = adfToWiki(body.body);
    else
      return jiraError(400, [], {
        comment: 'Comment body must be an Atlassian Document (see the Atlassian Document Format)',
      });
  } else if (typeof body.body === 'string') text = body.body;
  if (text === undefined || text.trim() === '')
    return jiraError(400, [], { comment: 'Comment body can not be empty!' });
  return text;
}

function commentNotFound(id: string): SimResponse {
  return jiraError(404, [`Can not find a comment for the id: ${id}.`]);
}

/** `PUT …/comment/{id}`: a new body (and visibility); `updated` and `updateAuthor` move on. */
function editComment(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const id = req.params.id ?? '';
  const parsed = jsonBody(req);
  if ('error' in parsed) return parsed.error;
  const text = commentText(view, parsed.body);
  if (typeof text !== 'string') return text;
  const comment = view.state.editableComment(issue, id);
  if (!comment) return commentNotFound(id);
  comment.body = text;
  comment.updateAuthor = view.caller.user;
  comment.updated = Math.max(view.state.now(), comment.updated + 1);
  const vis = isRecord(parsed.body.visibility) ? parsed.body.visibility : undefined;
  if (vis && (vis.type === 'group' || vis.type === 'role') && typeof vis.value === 'string')
    comment.visibility = { type: vis.type, value: vis.value };
  // JIRA stamps the issue too, so `updated >=` searches find it.
  touchIssue(view.state, issue);
  return { status: 200, json: commentJson(view, issue, comment), write: true };
}

/** `DELETE …/comment/{id}`: 204; the comment leaves every listing and the issue is stamped. */
function deleteComment(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const id = req.params.id ?? '';
  const comment = view.state.editableComment(issue, id);
  if (!comment) return commentNotFound(id);
  comment.deleted = view.state.now();
  touchIssue(view.state, issue);
  return noContent(true);
}

/** `DELETE /issue/{key}`: 204; the issue is gone (search, lookups, comments). */
function deleteIssue(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const subtasks = req.query.get('deleteSubtasks');
  if (subtasks !== null && subtasks !== 'true' && subtasks !== 'false')
    return jiraError(400, ["The value of 'deleteSubtasks' must be true or false."]);
  view.state.removeIssue(issue);
  return noContent(true);
}

function remoteLinkJson(
  req: SimRequest,
  view: JiraRequestView,
  issue: SimIssue,
  link: SimIssue['remoteLinks'][number],
) {
  return {
    id: link.id,
    self: `${req.origin}/jira/rest/api/${view.apiVersion}/issue/${issue.key}/remotelink/${link.id}`,
    ...(link.globalId ? { globalId: link.globalId } : {}),
    application: {},
    object: { url: link.url, title: link.title, icon: {}, status: { icon: {} } },
  };
}

function addRemoteLink(req: SimRequest, view: JiraRequestView, issue: SimIssue): SimResponse {
  const parsed = jsonBody(req);
  if ('error' in parsed) return parsed.error;
  const body = parsed.body;
  const object = isRecord(body.object) ? body.object : {};
  const errors: Record<string, string> = {};
  if (typeof object.url !== 'string' || object.url === '') errors.url = "'url' is required.";
  if (typeof object.title !== 'string' || object.title === '') errors.title = "'title' is required.";
  if (Object.keys(errors).length > 0) return jiraError(400, [], errors);
  const globalId = typeof body.globalId === 'string' ? body.globalId : undefined;
  const existing = globalId ? issue.remoteLinks.find((l) => l.globalId === globalId) : undefined;
  const self = (id: number) =>
    `${req.origin}/jira/rest/api/${view.apiVersion}/issue/${issue.key}/remotelink/${id}`;
  if (existing) {
    existing.url = String(object.url);
    existing.title = String(object.title);
    touchIssue(view.state, issue);
    return { status: 200, json: { id: existing.id, self: self(existing.id) }, write: true };
  }
  const link = {
    id: issue.id * 10 + 2 + issue.remoteLinks.length,
    url: String(object.url),
    title: String(object.title),
    ...(globalId ? { globalId } : {}),
  };
  issue.remoteLinks.push(link);
  touchIssue(view.state, issue);
  return { status: 201, json: { id: link.id, self: self(link.id) }, write: true };
}

export function addJiraIssueRoutes(routes: RouteTable): void {
  for (const v of ['2', '3'] as const) {
    const base = `/rest/api/${v}`;
    routes.add(
      'GET',
      `${base}/issue/:key`,
      withIssue(v, (req, view, issue) => {
        const available = issueFieldIds(view, view.state.projects.get(issue.projectKey));
        const fields = selectFields(paramList(req, undefined, 'fields'), '*all', available);
        const expand = new Set(paramList(req, undefined, 'expand'));
        return json(200, issueJson(view, issue, { fields, expand }));
      }),
    );
    routes.add(
      'POST',
      `${base}/issue`,
      jiraRoute(v, (req, _ctx, view) => createIssue(req, view)),
    );
    routes.add('PUT', `${base}/issue/:key`, withIssue(v, editIssue));
    routes.add('DELETE', `${base}/issue/:key`, withIssue(v, deleteIssue));
    routes.add(
      'GET',
      `${base}/issue/:key/transitions`,
      withIssue(v, (req, view, issue) => {
        const withFields = paramList(req, undefined, 'expand').includes('transitions.fields');
        return json(200, { expand: 'transitions', transitions: transitionsJson(view, issue, withFields) });
      }),
    );
    routes.add('POST', `${base}/issue/:key/transitions`, withIssue(v, doTransition));
    routes.add('GET', `${base}/issue/:key/comment`, withIssue(v, listComments));
    routes.add('POST', `${base}/issue/:key/comment`, withIssue(v, addComment));
    routes.add('PUT', `${base}/issue/:key/comment/:id`, withIssue(v, editComment));
    routes.add('DELETE', `${base}/issue/:key/comment/:id`, withIssue(v, deleteComment));
    routes.add(
      'GET',
      `${base}/issue/:key/remotelink`,
      withIssue(v, (req, view, issue) => {
        const globalId = req.query.get('globalId');
        const links = issue.remoteLinks.filter((l) => globalId === null || l.globalId === globalId);
        return json(
          200,
          links.map((l) => remoteLinkJson(req, view, issue, l)),
        );
      }),
    );
    routes.add('POST', `${base}/issue/:key/remotelink`, withIssue(v, addRemoteLink));
    routes.add(
      'GET',
      `${base}/project/:projectKey`,
      jiraRoute(v, (req, _ctx, view) => {
        const ref = req.params.projectKey ?? '';
        const p = [...view.state.projects.values()].find((x) => x.key === ref.toUpperCase() || x.id === ref);
        return p
          ? json(200, projectJson(view, p))
          : jiraError(404, [`No project could be found with key '${ref}'.`]);
      }),
    );
    routes.add(
      'GET',
      `${base}/myself`,
      jiraRoute(v, (_req, _ctx, view) => json(200, userJson(view, view.caller.user))),
    );
    routes.add(
      'GET',
      `${base}/serverInfo`,
      jiraRoute(v, (req, _ctx, view) =>
        json(200, {
          baseUrl: `${req.origin}/jira`,
          version: view.flavor === 'cloud' ? '1001.0.0-SNAPSHOT' : '9.12.15',
          versionNumbers: view.flavor === 'cloud' ? [1001, 0, 0] : [9, 12, 15],
          deploymentType: view.flavor === 'cloud' ? 'Cloud' : 'Server',
          serverTitle: 'Jira (simulated)',
        }),
      ),
    );
    routes.add(
      'GET',
      `${base}/field`,
      jiraRoute(v, (_req, _ctx, view) =>
        json(
          200,
          Object.entries(allFieldNames(view)).map(([id, name]) => ({
            id,
            key: id,
            name,
            custom: id.startsWith('customfield_'),
            navigable: id !== 'comment',
            searchable: true,
          })),
        ),
      ),
    );
  }
  // A human-readable page for the links the Portal data points at (resourceURL).
  routes.add('GET', '/browse/:key', (req, ctx) => {
    const issue = ctx.state.findIssue(req.params.key ?? '');
    if (!issue)
      return html(404, '<!DOCTYPE html><title>Issue not found</title><h1>Issue does not exist</h1>');
    const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
    return html(
      200,
      `<!DOCTYPE html><title>[${issue.key}] ${esc(issue.summary)}</title><h1>${issue.key}: ${esc(issue.summary)}</h1><p>Status: ${esc(issue.status)}</p><p>(simulated Jira)</p>`,
    );
  });
}
