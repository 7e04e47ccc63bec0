/**
 * Serializes simulated Jira issues, users and comments for one caller view: Cloud or Data Center,
 * REST v2 (wiki strings) or v3 (Atlassian Document Format), with the requested fields/expands.
 */
import { type CustomFieldName, customFieldId, type JiraFlavor, SIM_DEFAULTS } from './constants.js';
import { escapeHtml, jiraDate, jiraRenderedDate, wikiToAdf, wikiToHtml } from './formats.js';
import {
  ISSUE_TYPES,
  PRIORITIES,
  RESOLUTIONS,
  SEVERITY_OPTIONS,
  statusJson,
  transitionsFor,
  type WorkflowMode,
} from './jira-workflow.js';
import type { SimIssue, SimJiraComment, SimProject, SimSprint, SimUser } from './model.js';
import type { SimulatorState } from './state.js';

export interface JiraView {
  flavor: JiraFlavor;
  apiVersion: '2' | '3';
  origin: string;
  state: SimulatorState;
  /** Which workflow transitions follow; default open. */
  workflow?: WorkflowMode;
}

const api = (v: JiraView): string => `${v.origin}/jira/rest/api/${v.apiVersion}`;

export function userJson(view: JiraView, u: SimUser | undefined): Record<string, unknown> | null {
  if (!u) return null;
  const avatarUrls = {
    '48x48': `${view.origin}/jira/secure/useravatar?size=large&ownerId=${encodeURIComponent(u.key)}`,
  };
  if (view.flavor === 'cloud') {
    return {
      self: `${api(view)}/user?accountId=${encodeURIComponent(u.accountId)}`,
      accountId: u.accountId,
      emailAddress: u.email,
      avatarUrls,
      displayName: u.displayName,
      active: u.active,
      timeZone: u.timeZone,
      accountType: 'atlassian',
    };
  }
  return {
    self: `${api(view)}/user?username=${encodeURIComponent(u.name)}`,
    name: u.name,
    key: u.key,
    emailAddress: u.email,
    avatarUrls,
    displayName: u.displayName,
    active: u.active,
    timeZone: u.timeZone,
  };
}

/** Wiki string on v2, ADF document on v3 (Cloud only has v3). */
export function textValue(view: JiraView, wiki: string): unknown {
  if (view.apiVersion === '3') return wiki === '' ? null : wikiToAdf(wiki);
  return wiki;
}

export function commentJson(
  view: JiraView,
  issue: SimIssue,
  c: SimJiraComment,
  rendered = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    self: `${api(view)}/issue/${issue.id}/comment/${c.id}`,
    id: c.id,
    author: userJson(view, c.author),
    body: rendered ? wikiToHtml(c.body) : textValue(view, c.body),
    updateAuthor: userJson(view, c.updateAuthor ?? c.author),
    created: rendered ? jiraRenderedDate(c.created) : jiraDate(c.created),
    updated: rendered ? jiraRenderedDate(c.updated) : jiraDate(c.updated),
  };
  if (c.visibility) out.visibility = { ...c.visibility, identifier: c.visibility.value };
  if (view.flavor === 'cloud') out.jsdPublic = true;
  return out;
}

/** Field ids by our internal name, for this flavor. */
function cf(view: JiraView, name: CustomFieldName): string {
  return customFieldId(view.flavor, name);
}

const SYSTEM_FIELDS = [
  'summary',
  'description',
  'status',
  'priority',
  'issuetype',
  'project',
  'assignee',
  'reporter',
  'creator',
  'labels',
  'components',
  'fixVersions',
  'versions',
  'created',
  'updated',
  'resolution',
  'resolutiondate',
  'duedate',
  'environment',
  'issuelinks',
  'subtasks',
  'comment',
] as const;

/** Not part of `*navigable` (comments come with `*all` or when named). */
const NON_NAVIGABLE = new Set(['comment']);

export const FIELD_NAMES: Record<string, string> = {
  summary: 'Summary',
  description: 'Description',
  status: 'Status',
  priority: 'Priority',
  issuetype: 'Issue Type',
  project: 'Project',
  assignee: 'Assignee',
  reporter: 'Reporter',
  creator: 'Creator',
  labels: 'Labels',
  components: 'Component/s',
  fixVersions: 'Fix Version/s',
  versions: 'Affects Version/s',
  created: 'Created',
  updated: 'Updated',
  resolution: 'Resolution',
  resolutiondate: 'Resolved',
  duedate: 'Due Date',
  environment: 'Environment',
  issuelinks: 'Linked Issues',
  subtasks: 'Sub-Tasks',
  comment: 'Comment',
};

export const CUSTOM_FIELD_NAMES: Record<CustomFieldName, string> = {
  sfdcCaseLinks: 'SFDC Cases Links',
  contributors: 'Contributors',
  qaContact: 'QA Contact',
  severity: 'Severity',
  privateKeywords: 'Private Keywords',
  internalWhiteboard: 'Internal Whiteboard',
  releaseNoteText: 'Release Note Text',
  sprint: 'Sprint',
  storyPoints: 'Story Points',
};

/** All field ids an issue of this project has, in output order. */
export function issueFieldIds(view: JiraView, project: SimProject | undefined): string[] {
  const custom = (project?.fields ?? []) as readonly CustomFieldName[];
  return [...SYSTEM_FIELDS, ...custom.map((name) => cf(view, name))];
}

export function allFieldNames(view: JiraView): Record<string, string> {
  const out: Record<string, string> = { ...FIELD_NAMES };
  for (const [name, label] of Object.entries(CUSTOM_FIELD_NAMES))
    out[cf(view, name as CustomFieldName)] = label;
  return out;
}

/**
 * Resolves a `fields` parameter (`*all`, `*navigable`, names, `-name` exclusions) to the set of
 * field ids to return for one issue. `id`/`key` are envelope keys, not fields.
 */
export function selectFields(
  requested: readonly string[],
  fallback: string,
  available: readonly string[],
): Set<string> {
  const tokens = requested.length > 0 ? requested : [fallback];
  const out = new Set<string>();
  const excluded = new Set<string>();
  for (const raw of tokens) {
    const t = raw.trim();
    if (t === '' || t === 'id' || t === 'key') continue;
    if (t === '*all') {
      for (const f of available) out.add(f);
    } else if (t === '*navigable') {
      for (const f of available) if (!NON_NAVIGABLE.has(f)) out.add(f);
    } else if (t.startsWith('-')) {
      excluded.add(t.slice(1));
    } else if (available.includes(t)) {
      out.add(t);
    }
  }
  for (const f of excluded) out.delete(f);
  return out;
}

function sprintValue(view: JiraView, sprints: SimSprint[]): unknown {
  if (sprints.length === 0) return null;
  if (view.flavor === 'cloud') {
    return sprints.map((s) => ({
      id: s.id,
      name: s.name,
      state: s.state,
      boardId: s.boardId,
      goal: s.goal,
      startDate: new Date(s.start).toISOString(),
      endDate: new Date(s.end).toISOString(),
      ...(s.complete !== undefined ? { completeDate: new Date(s.complete).toISOString() } : {}),
    }));
  }
  // Data Center returns the GreenHopper toString() form.
  return sprints.map(
    (s) =>
      `com.atlassian.greenhopper.service.sprint.Sprint@${s.id.toString(16)}[id=${s.id},rapidViewId=${s.boardId},state=${s.state.toUpperCase()},name=${s.name},startDate=${new Date(s.start).toISOString()},endDate=${new Date(s.end).toISOString()},completeDate=${s.complete === undefined ? '<null>' : new Date(s.complete).toISOString()},activatedDate=${new Date(s.start).toISOString()},sequence=${s.id},goal=${s.goal},autoStartStop=false,synced=false]`,
  );
}

function optionJson(view: JiraView, value: string | undefined): Record<string, unknown> | null {
  if (value === undefined) return null;
  const opt = SEVERITY_OPTIONS.find((o) => o.value === value) ?? { id: '26799', value };
  return { self: `${api(view)}/customFieldOption/${opt.id}`, value: opt.value, id: opt.id, disabled: false };
}

function nameRef(view: JiraView, kind: string, id: string, name: string): Record<string, unknown> {
  return { self: `${api(view)}/${kind}/${id}`, id, name };
}

export interface IssueJsonOptions {
  fields: Set<string>;
  expand: Set<string>;
  /** Embed at most this many comments in fields.comment (search results); undefined = all. */
  commentLimit?: number;
}

function fieldValue(view: JiraView, issue: SimIssue, id: string, commentLimit: number | undefined): unknown {
  const { state } = view;
  const project = state.projects.get(issue.projectKey);
  const customName = (Object.keys(CUSTOM_FIELD_NAMES) as CustomFieldName[]).find((n) => cf(view, n) === id);
  if (customName) {
    // Cloud hides the restricted Red Hat fields in `fields`; their values are read from renderedFields.
    const restricted =
      view.flavor === 'cloud' && (customName === 'sfdcCaseLinks' || customName === 'privateKeywords');
    switch (customName) {
      case 'contributors':
        return issue.contributors.length > 0 ? issue.contributors.map((u) => userJson(view, u)) : null;
      case 'qaContact':
        return userJson(view, issue.qaContact);
      case 'severity':
        return optionJson(view, issue.severity);
      case 'privateKeywords':
        return restricted ? null : (issue.privateKeywords ?? null);
      case 'internalWhiteboard':
        return issue.internalWhiteboard ?? null;
      case 'sfdcCaseLinks':
        return restricted || issue.sfdcCaseLinks.length === 0 ? null : issue.sfdcCaseLinks.join(', ');
      case 'releaseNoteText':
        return issue.releaseNoteText ?? null;
      case 'sprint':
        return sprintValue(
          view,
          issue.sprintIds.flatMap((sid) => state.sprints.filter((s) => s.id === sid)),
        );
      case 'storyPoints':
        return issue.storyPoints ?? null;
    }
  }
  switch (id) {
    case 'summary':
      return issue.summary;
    case 'description':
      return issue.description === '' ? null : textValue(view, issue.description);
    case 'status':
      return statusJson(view.origin, view.apiVersion, issue.status);
    case 'priority': {
      const p = PRIORITIES.find((x) => x.name === issue.priority) ?? { id: '10200', name: issue.priority };
      return {
        ...nameRef(view, 'priority', p.id, p.name),
        iconUrl: `${view.origin}/jira/images/icons/priorities/${p.name.toLowerCase()}.svg`,
      };
    }
    case 'issuetype': {
      const t = ISSUE_TYPES.find((x) => x.name === issue.issueType) ?? {
        id: '3',
        name: issue.issueType,
        subtask: false,
      };
      return { ...nameRef(view, 'issuetype', t.id, t.name), subtask: t.subtask, description: '' };
    }
    case 'project':
      return project
        ? {
            self: `${api(view)}/project/${project.id}`,
            id: project.id,
            key: project.key,
            name: project.name,
            projectTypeKey: 'software',
          }
        : null;
    case 'assignee':
      return userJson(view, issue.assignee);
    case 'reporter':
    case 'creator':
      return userJson(view, issue.reporter);
    case 'labels':
      return [...issue.labels];
    case 'components':
      return issue.components.map((name, i) => nameRef(view, 'component', String(12_333_800 + i), name));
    case 'fixVersions':
      return issue.fixVersions.map((name, i) => ({
        ...nameRef(view, 'version', String(12_400_000 + i), name),
        archived: false,
        released: false,
      }));
    case 'versions':
      return [];
    case 'created':
      return jiraDate(issue.created);
    case 'updated':
      return jiraDate(issue.updated);
    case 'resolution':
      return issue.resolutionDate === undefined ? null : resolutionJson(view, issue);
    case 'resolutiondate':
      return issue.resolutionDate === undefined ? null : jiraDate(issue.resolutionDate);
    case 'duedate':
    case 'environment':
      return null;
    case 'issuelinks':
    case 'subtasks':
      return [];
    case 'comment': {
      const all = state.issueComments(issue);
      const shown = commentLimit === undefined ? all : all.slice(0, commentLimit);
      return {
        comments: shown.map((c) => commentJson(view, issue, c)),
        self: `${api(view)}/issue/${issue.id}/comment`,
        maxResults: shown.length,
        total: all.length,
        startAt: 0,
      };
    }
    default:
      return null;
  }
}

function renderedValue(
  view: JiraView,
  issue: SimIssue,
  id: string,
  commentLimit: number | undefined,
): unknown {
  if (id === cf(view, 'sfdcCaseLinks'))
    return issue.sfdcCaseLinks.length > 0 ? issue.sfdcCaseLinks.join(', ') : null;
  if (id === cf(view, 'privateKeywords')) return issue.privateKeywords ?? null;
  if (id === cf(view, 'internalWhiteboard')) return issue.internalWhiteboard ?? null;
  if (id === cf(view, 'releaseNoteText'))
    return issue.releaseNoteText ? `<p>${escapeHtml(issue.releaseNoteText)}</p>` : null;
  switch (id) {
    case 'description':
      return issue.description === '' ? null : wikiToHtml(issue.description);
    case 'created':
      return jiraRenderedDate(issue.created);
    case 'updated':
      return jiraRenderedDate(issue.updated);
    case 'resolutiondate':
      return issue.resolutionDate === undefined ? null : jiraRenderedDate(issue.resolutionDate);
    case 'comment': {
      const all = view.state.issueComments(issue);
      const shown = commentLimit === undefined ? all : all.slice(0, commentLimit);
      return {
        comments: shown.map((c) => commentJson(view, issue, c, true)),
        maxResults: shown.length,
        total: all.length,
        startAt: 0,
      };
    }
    default:
      return null;
  }
}

function resolutionJson(view: JiraView, issue: SimIssue): Record<string, unknown> {
  const name = issue.resolution ?? (issue.status === "Won't Fix / Obsolete" ? "Won't Do" : 'Done');
  const def = RESOLUTIONS.find((r) => r.name === name) ?? { id: '10000', name };
  return nameRef(view, 'resolution', def.id, def.name);
}

/** The transitions available from the issue's status; with `withFields`, each one's screen fields. */
export function transitionsJson(
  view: JiraView,
  issue: SimIssue,
  withFields = false,
): Record<string, unknown>[] {
  const restricted = view.workflow === 'restricted';
  return transitionsFor(
    issue.projectKey,
    SIM_DEFAULTS.jiraProject,
    SIM_DEFAULTS.escalationsProject,
    issue.status,
    view.workflow,
  ).map((t) => ({
    id: t.id,
    name: t.name,
    to: statusJson(view.origin, view.apiVersion, t.to),
    hasScreen: t.needsResolution,
    isGlobal: !restricted,
    isInitial: false,
    isAvailable: true,
    isConditional: false,
    isLooped: false,
    ...(withFields
      ? {
          fields: t.needsResolution
            ? {
                resolution: {
                  required: true,
                  schema: { type: 'resolution', system: 'resolution' },
                  name: 'Resolution',
                  key: 'resolution',
                  hasDefaultValue: false,
                  operations: ['set'],
                  allowedValues: RESOLUTIONS.map((r) => ({
                    self: `${api(view)}/resolution/${r.id}`,
                    id: r.id,
                    name: r.name,
                    description: '',
                  })),
                },
              }
            : {},
        }
      : {}),
  }));
}

export function changelogJson(view: JiraView, issue: SimIssue): Record<string, unknown> {
  return {
    startAt: 0,
    maxResults: issue.history.length,
    total: issue.history.length,
    histories: issue.history.map((h) => ({
      id: h.id,
      author: userJson(view, h.author),
      created: jiraDate(h.created),
      items: h.items.map((it) => ({
        field: it.field,
        fieldtype: 'jira',
        from: null,
        fromString: it.fromString,
        to: null,
        toString: it.toString,
      })),
    })),
  };
}

/** `{id}` only when no field was selected (Cloud's search default), else the full envelope. */
export function issueJson(view: JiraView, issue: SimIssue, opts: IssueJsonOptions): Record<string, unknown> {
  const project = view.state.projects.get(issue.projectKey);
  const available = issueFieldIds(view, project);
  const selected = available.filter((f) => opts.fields.has(f));
  if (selected.length === 0 && opts.expand.size === 0) return { id: String(issue.id) };
  const out: Record<string, unknown> = {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: String(issue.id),
    self: `${api(view)}/issue/${issue.id}`,
    key: issue.key,
  };
  const fields: Record<string, unknown> = {};
  for (const f of selected) fields[f] = fieldValue(view, issue, f, opts.commentLimit);
  out.fields = fields;
  if (opts.expand.has('renderedFields')) {
    const rendered: Record<string, unknown> = {};
    for (const f of selected) rendered[f] = renderedValue(view, issue, f, opts.commentLimit);
    out.renderedFields = rendered;
  }
  if (opts.expand.has('names')) {
    const names = allFieldNames(view);
    out.names = Object.fromEntries(selected.map((f) => [f, names[f] ?? f]));
  }
  if (opts.expand.has('transitions') || opts.expand.has('transitions.fields'))
    out.transitions = transitionsJson(view, issue, opts.expand.has('transitions.fields'));
  if (opts.expand.has('changelog')) out.changelog = changelogJson(view, issue);
  return out;
}

export function projectJson(view: JiraView, p: SimProject): Record<string, unknown> {
  return {
    expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
    self: `${api(view)}/project/${p.id}`,
    id: p.id,
    key: p.key,
    name: p.name,
    projectTypeKey: 'software',
    simplified: false,
    style: 'classic',
    isPrivate: false,
    issueTypes: ISSUE_TYPES.filter((t) => p.issueTypes.includes(t.name)).map((t) => ({
      self: `${api(view)}/issuetype/${t.id}`,
      id: t.id,
      name: t.name,
      subtask: t.subtask,
    })),
    components: p.components.map((name, i) => ({
      self: `${api(view)}/component/${12_333_800 + i}`,
      id: String(12_333_800 + i),
      name,
    })),
  };
}
