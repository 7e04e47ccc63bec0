/**
 * Validates and applies `fields` / `update` on issue create and edit the way Jira does: unknown
 * or off-screen fields, bad values and missing required fields give `{errorMessages, errors}`
 * with one message per field, and nothing is changed unless everything is valid.
 */
import { type CustomFieldName, customFieldId, SIM_DEFAULTS } from './constants.js';
import { adfToWiki, isAdfDoc } from './formats.js';
import { isRecord } from './http.js';
import type { JiraRequestView } from './jira-common.js';
import { ISSUE_TYPES, PRIORITIES, SEVERITY_OPTIONS } from './jira-workflow.js';
import type { SimIssue, SimProject, SimUser } from './model.js';

type Mutation = (issue: SimIssue) => void;

export interface WriteResult {
  errors: Record<string, string>;
  mutations: Mutation[];
  project?: SimProject;
}

const IGNORED = new Set(['duedate', 'environment', 'versions', 'timetracking']);

function customName(view: JiraRequestView, id: string): CustomFieldName | undefined {
  const names = Object.keys(SIM_DEFAULTS.customFields[view.flavor]) as CustomFieldName[];
  return names.find((n) => customFieldId(view.flavor, n) === id);
}

function resolveUser(view: JiraRequestView, ref: unknown): SimUser | null | 'invalid' {
  if (ref === null) return null;
  if (!isRecord(ref)) return 'invalid';
  if (view.flavor === 'cloud') {
    // Cloud is GDPR-strict: users are referenced by accountId only.
    if (typeof ref.accountId !== 'string') return 'invalid';
    if (ref.accountId === '-1') return null;
    return view.state.findUser({ accountId: ref.accountId }) ?? 'invalid';
  }
  const name = typeof ref.name === 'string' ? ref.name : typeof ref.key === 'string' ? ref.key : undefined;
  if (name === undefined) return 'invalid';
  if (name === '-1' || name === '') return null;
  return view.state.findUser({ name }) ?? 'invalid';
}

function userError(view: JiraRequestView, ref: unknown): string {
  if (view.flavor === 'cloud') {
    return isRecord(ref) && typeof ref.name === 'string'
      ? "Users must be referenced by 'accountId'; 'name' is not supported in GDPR strict mode."
      : 'Specify a valid value for the user (accountId).';
  }
  const name = isRecord(ref) ? String(ref.name ?? ref.key ?? '') : '';
  return `User '${name}' does not exist.`;
}

function textInput(view: JiraRequestView, value: unknown): string | 'invalid' {
  if (value === null) return '';
  if (view.apiVersion === '3') return isAdfDoc(value) ? adfToWiki(value) : 'invalid';
  return typeof value === 'string' ? value : 'invalid';
}

const ADF_ERROR = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';

function nameOrId(value: unknown): { name?: string; id?: string } | undefined {
  if (!isRecord(value)) return undefined;
  const out: { name?: string; id?: string } = {};
  if (typeof value.name === 'string') out.name = value.name;
  if (typeof value.id === 'string' || typeof value.id === 'number') out.id = String(value.id);
  return out.name !== undefined || out.id !== undefined ? out : undefined;
}

/** Validates `fields`; returns mutations to apply when `errors` is empty. */
export function checkFields(
  view: JiraRequestView,
  fields: Record<string, unknown>,
  project: SimProject,
  mode: 'create' | 'update',
): WriteResult {
  const errors: Record<string, string> = {};
  const mutations: Mutation[] = [];
  const projectFields = new Set(
    (project.fields as readonly CustomFieldName[]).map((n) => customFieldId(view.flavor, n)),
  );
  for (const [id, value] of Object.entries(fields)) {
    if (id === 'project' || IGNORED.has(id)) continue;
    if (id === 'issuetype') {
      const ref = nameOrId(value);
      const t = ISSUE_TYPES.find((x) => (ref?.id !== undefined ? x.id === ref.id : x.name === ref?.name));
      if (!t || !project.issueTypes.includes(t.name))
        errors.issuetype = 'The issue type selected is invalid.';
      else mutations.push((i) => (i.issueType = t.name));
      continue;
    }
    switch (id) {
      case 'summary': {
        if (typeof value !== 'string' || value.trim() === '')
          errors.summary = 'You must specify a summary of the issue.';
        else if (value.length > 255) errors.summary = 'Summary must be less than 255 characters.';
        else if (/[\r\n]/.test(value))
          errors.summary = 'The summary is invalid because it contains newline characters.';
        else mutations.push((i) => (i.summary = value));
        continue;
      }
      case 'description': {
        const text = textInput(view, value);
        if (text === 'invalid')
          errors.description = view.apiVersion === '3' ? ADF_ERROR : 'The description must be a string.';
        else mutations.push((i) => (i.description = text));
        continue;
      }
      case 'priority': {
        const ref = nameOrId(value);
        const p = PRIORITIES.find((x) => (ref?.id !== undefined ? x.id === ref.id : x.name === ref?.name));
        if (!p) errors.priority = 'The priority selected is invalid.';
        else mutations.push((i) => (i.priority = p.name));
        continue;
      }
      case 'labels': {
        if (!Array.isArray(value) || !value.every((l) => typeof l === 'string')) {
          errors.labels = 'Labels must be an array of strings.';
          continue;
        }
        const bad = value.find((l) => /\s/.test(l) || l === '');
        if (bad !== undefined) errors.labels = `The label '${bad}' contains spaces which is invalid.`;
        else mutations.push((i) => (i.labels = [...new Set(value as string[])]));
        continue;
      }
      case 'components': {
        const refs = Array.isArray(value) ? value.map(nameOrId) : [undefined];
        const names: string[] = [];
        for (const ref of refs) {
          const name =
            ref?.name ??
            (ref?.id !== undefined ? project.components[Number(ref.id) - 12_333_800] : undefined);
          if (name === undefined || !project.components.includes(name)) {
            errors.components = `Component name '${ref?.name ?? ref?.id ?? ''}' is not valid`;
            break;
          }
          names.push(name);
        }
        if (!errors.components) mutations.push((i) => (i.components = names));
        continue;
      }
      case 'fixVersions': {
        const refs = Array.isArray(value) ? value.map(nameOrId) : [undefined];
        if (refs.some((r) => r?.name === undefined))
          errors.fixVersions = 'Fix versions must be given by name.';
        else mutations.push((i) => (i.fixVersions = refs.map((r) => r?.name ?? '')));
        continue;
      }
      case 'assignee':
      case 'reporter': {
        const u = resolveUser(view, value);
        if (u === 'invalid') errors[id] = userError(view, value);
        else if (id === 'assignee') {
          mutations.push((i) => {
            if (u) i.assignee = u;
            else delete i.assignee;
          });
        } else if (u) mutations.push((i) => (i.reporter = u));
        continue;
      }
    }
    const name = customName(view, id);
    if (!name || !projectFields.has(id)) {
      errors[id] = `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
      continue;
    }
    const err = applyCustom(view, name, value, mutations);
    if (err) errors[id] = err;
  }
  if (mode === 'create') {
    if (fields.summary === undefined) errors.summary = 'You must specify a summary of the issue.';
    if (fields.issuetype === undefined) errors.issuetype = 'Specify an issue type';
  }
  return { errors, mutations, project };
}

function applyCustom(
  view: JiraRequestView,
  name: CustomFieldName,
  value: unknown,
  mutations: Mutation[],
): string | undefined {
  const stringOrNull = (v: unknown): string | undefined | 'invalid' => {
    if (v === null) return undefined;
    if (typeof v === 'string') return v;
    if (isAdfDoc(v)) return adfToWiki(v);
    return 'invalid';
  };
  switch (name) {
    case 'contributors': {
      const list = value === null ? [] : Array.isArray(value) ? value : ['invalid'];
      const users: SimUser[] = [];
      for (const ref of list) {
        const u = resolveUser(view, ref);
        if (u === 'invalid' || u === null) return userError(view, ref);
        users.push(u);
      }
      mutations.push((i) => (i.contributors = users));
      return undefined;
    }
    case 'qaContact': {
      const u = resolveUser(view, value);
      if (u === 'invalid') return userError(view, value);
      mutations.push((i) => {
        if (u) i.qaContact = u;
        else delete i.qaContact;
      });
      return undefined;
    }
    case 'severity': {
      if (value === null) {
        mutations.push((i) => delete i.severity);
        return undefined;
      }
      const ref = isRecord(value) ? value : {};
      const opt = SEVERITY_OPTIONS.find((o) => o.value === ref.value || o.id === String(ref.id));
      if (!opt) return `Option value '${String(ref.value ?? ref.id ?? '')}' is not valid`;
      mutations.push((i) => (i.severity = opt.value));
      return undefined;
    }
    case 'sprint': {
      if (value === null) {
        mutations.push((i) => (i.sprintIds = []));
        return undefined;
      }
      const sprint = view.state.sprints.find((s) => s.id === Number(value));
      if (typeof value !== 'number' || !sprint) return 'Number value expected as the Sprint id.';
      mutations.push((i) => (i.sprintIds = [...i.sprintIds.filter((x) => x !== sprint.id), sprint.id]));
      return undefined;
    }
    case 'storyPoints': {
      if (value !== null && typeof value !== 'number') return 'Operation value must be a number';
      mutations.push((i) => {
        if (value === null) delete i.storyPoints;
        else i.storyPoints = value;
      });
      return undefined;
    }
    case 'sfdcCaseLinks': {
      const text = stringOrNull(value);
      if (text === 'invalid') return 'Operation value must be a string';
      mutations.push(
        (i) =>
          (i.sfdcCaseLinks = (text ?? '')
            .split(/[,\s]+/)
            .map((s) => s.trim())
            .filter((s) => s !== '')),
      );
      return undefined;
    }
    case 'privateKeywords':
    case 'internalWhiteboard':
    case 'releaseNoteText': {
      const text = stringOrNull(value);
      if (text === 'invalid') return 'Operation value must be a string';
      mutations.push((i) => {
        if (text === undefined) delete i[name];
        else i[name] = text;
      });
      return undefined;
    }
  }
}

/** The `update` verb form: labels add/remove/set and set for any field. */
export function checkUpdate(
  view: JiraRequestView,
  update: Record<string, unknown>,
  project: SimProject,
): WriteResult {
  const errors: Record<string, string> = {};
  const mutations: Mutation[] = [];
  for (const [id, ops] of Object.entries(update)) {
    if (!Array.isArray(ops)) {
      errors[id] = 'Field update operations must be a list.';
      continue;
    }
    for (const op of ops) {
      if (!isRecord(op)) {
        errors[id] = 'Invalid operation.';
        continue;
      }
      if (id === 'labels' && (typeof op.add === 'string' || typeof op.remove === 'string')) {
        const add = op.add;
        const remove = op.remove;
        if (typeof add === 'string') {
          if (/\s/.test(add)) errors.labels = `The label '${add}' contains spaces which is invalid.`;
          else mutations.push((i) => (i.labels = i.labels.includes(add) ? i.labels : [...i.labels, add]));
        }
        if (typeof remove === 'string')
          mutations.push((i) => (i.labels = i.labels.filter((l) => l !== remove)));
        continue;
      }
      if ('set' in op) {
        const res = checkFields(view, { [id]: op.set }, project, 'update');
        Object.assign(errors, res.errors);
        mutations.push(...res.mutations);
        continue;
      }
      errors[id] =
        `Operation '${Object.keys(op).join(',')}' is not supported for field '${id}' by this simulator.`;
    }
  }
  return { errors, mutations, project };
}
