/**
 * Jira Software agile API `/rest/agile/1.0`: boards, sprints, moving issues into a sprint.
 * Same shapes on Cloud and Data Center (`values` + `isLast`, boards also carry `total`).
 */
import { isRecord, json, noContent, parseJsonBody, type RouteTable, type SimRequest } from './http.js';
import { jiraError, jiraRoute, paramInt } from './jira-common.js';
import type { SimSprint } from './model.js';

const AGILE = '/rest/agile/1.0';

function sprintJson(req: SimRequest, s: SimSprint): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: s.id,
    self: `${req.origin}/jira${AGILE}/sprint/${s.id}`,
    state: s.state,
    name: s.name,
    createdDate: new Date(s.start - 86_400_000).toISOString(),
    originBoardId: s.boardId,
    goal: s.goal,
  };
  if (s.state !== 'future') {
    out.startDate = new Date(s.start).toISOString();
    out.endDate = new Date(s.end).toISOString();
  }
  if (s.complete !== undefined) out.completeDate = new Date(s.complete).toISOString();
  return out;
}

/** Agile endpoints page with startAt/maxResults (default 50). */
function page<T>(
  req: SimRequest,
  items: T[],
): { startAt: number; maxResults: number; slice: T[]; isLast: boolean } | undefined {
  const startAt = paramInt(req, undefined, 'startAt', 0);
  const maxResults = paramInt(req, undefined, 'maxResults', 50);
  if (startAt === undefined || maxResults === undefined) return undefined;
  const slice = items.slice(startAt, startAt + maxResults);
  return { startAt, maxResults, slice, isLast: startAt + slice.length >= items.length };
}

export function addJiraAgileRoutes(routes: RouteTable): void {
  // Agile exists on both flavors; '2' only means "no v3-only restriction".
  const route = (handler: Parameters<typeof jiraRoute>[1]) => jiraRoute('2', handler);

  routes.add(
    'GET',
    `${AGILE}/board`,
    route((req, _ctx, view) => {
      const name = req.query.get('name')?.toLowerCase();
      const projectRef = req.query.get('projectKeyOrId');
      const type = req.query.get('type');
      const boards = view.state.boards.filter((b) => {
        const project = view.state.projects.get(b.projectKey);
        return (
          (!name || b.name.toLowerCase().includes(name)) &&
          (!type || b.type === type) &&
          (!projectRef || b.projectKey === projectRef.toUpperCase() || project?.id === projectRef)
        );
      });
      const p = page(req, boards);
      if (!p) return jiraError(400, ['startAt and maxResults must be non-negative integers.']);
      return json(200, {
        maxResults: p.maxResults,
        startAt: p.startAt,
        total: boards.length,
        isLast: p.isLast,
        values: p.slice.map((b) => {
          const project = view.state.projects.get(b.projectKey);
          return {
            id: b.id,
            self: `${req.origin}/jira${AGILE}/board/${b.id}`,
            name: b.name,
            type: b.type,
            location: {
              projectId: Number(project?.id ?? 0),
              projectKey: b.projectKey,
              projectName: project?.name ?? b.projectKey,
              displayName: `${project?.name ?? b.projectKey} (${b.projectKey})`,
            },
          };
        }),
      });
    }),
  );

  routes.add(
    'GET',
    `${AGILE}/board/:boardId/sprint`,
    route((req, _ctx, view) => {
      const board = view.state.boards.find((b) => String(b.id) === req.params.boardId);
      if (!board) return jiraError(404, ['Board does not exist or you do not have permission to see it.']);
      if (board.type !== 'scrum') return jiraError(400, ['The board does not support sprints']);
      const states = (req.query.get('state') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const sprints = view.state.sprints.filter(
        (s) => s.boardId === board.id && (states.length === 0 || states.includes(s.state)),
      );
      const p = page(req, sprints);
      if (!p) return jiraError(400, ['startAt and maxResults must be non-negative integers.']);
      return json(200, {
        maxResults: p.maxResults,
        startAt: p.startAt,
        isLast: p.isLast,
        values: p.slice.map((s) => sprintJson(req, s)),
      });
    }),
  );

  routes.add(
    'GET',
    `${AGILE}/sprint/:sprintId`,
    route((req, _ctx, view) => {
      const sprint = view.state.sprints.find((s) => String(s.id) === req.params.sprintId);
      return sprint
        ? json(200, sprintJson(req, sprint))
        : jiraError(404, ['Sprint does not exist or you do not have permission to see it.']);
    }),
  );

  routes.add(
    'POST',
    `${AGILE}/sprint/:sprintId/issue`,
    route((req, _ctx, view) => {
      const sprint = view.state.sprints.find((s) => String(s.id) === req.params.sprintId);
      if (!sprint) return jiraError(404, ['Sprint does not exist or you do not have permission to see it.']);
      if (sprint.state === 'closed') return jiraError(400, ['Issues cannot be moved to a closed sprint.']);
      const body = parseJsonBody(req);
      const keys = isRecord(body) && Array.isArray(body.issues) ? body.issues : undefined;
      if (!keys || keys.length === 0)
        return jiraError(400, ["'issues' must be a non-empty list of issue keys."]);
      if (keys.length > 50) return jiraError(400, ['At most 50 issues can be moved in one request.']);
      const issues = keys.map((k) => view.state.findIssue(String(k)));
      const missing = keys.filter((_, i) => !issues[i]);
      if (missing.length > 0)
        return jiraError(400, [
          `Issue does not exist or you do not have permission to see it: ${missing.join(', ')}`,
        ]);
      const open = new Set(view.state.sprints.filter((s) => s.state !== 'closed').map((s) => s.id));
      for (const issue of issues) {
        if (!issue) continue;
        // Moving an issue takes it out of any other open sprint; closed sprints stay in its history.
        issue.sprintIds = [...issue.sprintIds.filter((id) => !open.has(id)), sprint.id];
        issue.updated = Math.max(view.state.now(), issue.updated + 1);
      }
      view.state.touch();
      return noContent(true);
    }),
  );
}
