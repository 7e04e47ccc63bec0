/**
 * Jira statuses, transitions, priorities and issue types the simulated projects use. The card
 * workflow has every status of the original's status map; transition ids are stable, and "11"
 * leads to To Do because the original reopens cards with that hard-coded id.
 */

export type StatusCategory = 'new' | 'indeterminate' | 'done';

export interface StatusDef {
  id: string;
  name: string;
  category: StatusCategory;
}

const CATEGORY_INFO: Record<StatusCategory, { id: number; name: string; colorName: string }> = {
  new: { id: 2, name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, name: 'Done', colorName: 'green' },
};

export const STATUSES: readonly StatusDef[] = [
  { id: '10016', name: 'New', category: 'new' },
  { id: '10020', name: 'To Do', category: 'new' },
  { id: '1', name: 'Open', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10018', name: 'Code Review', category: 'indeterminate' },
  { id: '10019', name: 'QE Review', category: 'indeterminate' },
  { id: '10021', name: 'Blocked', category: 'indeterminate' },
  { id: '10001', name: 'Done', category: 'done' },
  { id: '6', name: 'Closed', category: 'done' },
  { id: '10022', name: "Won't Fix / Obsolete", category: 'done' },
  { id: '10030', name: 'ASSIGNED', category: 'indeterminate' },
  { id: '10031', name: 'POST', category: 'indeterminate' },
  { id: '10032', name: 'MODIFIED', category: 'indeterminate' },
  { id: '10033', name: 'ON_QA', category: 'indeterminate' },
  { id: '10034', name: 'Verified', category: 'done' },
];

export function statusByName(name: string): StatusDef | undefined {
  const lower = name.toLowerCase();
  return STATUSES.find((s) => s.name.toLowerCase() === lower);
}

export function statusJson(origin: string, apiVersion: string, name: string): Record<string, unknown> {
  const def = statusByName(name) ?? { id: '10099', name, category: 'indeterminate' as const };
  const cat = CATEGORY_INFO[def.category];
  return {
    self: `${origin}/jira/rest/api/${apiVersion}/status/${def.id}`,
    description: '',
    iconUrl: `${origin}/jira/images/icons/statuses/generic.png`,
    name: def.name,
    id: def.id,
    statusCategory: {
      self: `${origin}/jira/rest/api/${apiVersion}/statuscategory/${cat.id}`,
      id: cat.id,
      key: def.category,
      colorName: cat.colorName,
      name: cat.name,
    },
  };
}

/**
 * `open`: every status to every other, no screens (lenient, the default of a plain simulator).
 * `restricted`: a real-looking workflow: each transition is available only from some statuses, the
 * terminal "Won't Fix / Obsolete" has no way out, and transitions into a done status have a screen
 * on which the resolution is required.
 */
export type WorkflowMode = 'open' | 'restricted';
export const WORKFLOW_MODES: readonly WorkflowMode[] = ['open', 'restricted'];

export interface TransitionDef {
  id: string;
  /** The transition's own name (on a restricted workflow not always the target status's). */
  name: string;
  to: string;
  /** Restricted workflow: the statuses it is available from. */
  from: readonly string[];
  /** Restricted workflow: its screen requires a resolution. */
  needsResolution: boolean;
}

type Edge = [id: string, name: string, to: string, from: readonly string[]];

const t = (...[id, name, to, from]: Edge): TransitionDef => ({
  id,
  name,
  to,
  from,
  needsResolution: isDoneStatus(to),
});

// "11" leads to To Do, from a finished card too: the original reopens cards with that hard-coded id.
const CARD_WORKFLOW: readonly TransitionDef[] = [
  t('11', 'To Do', 'To Do', ['New', 'Open', 'In Progress', 'Blocked', 'Done', 'Closed']),
  t('21', 'Start Progress', 'In Progress', ['To Do', 'Open', 'Blocked', 'Code Review', 'QE Review']),
  t('31', 'Done', 'Done', ['In Progress', 'Code Review', 'QE Review']),
  t('41', 'Open', 'Open', ['New']),
  t('51', 'Code Review', 'Code Review', ['In Progress']),
  t('61', 'QE Review', 'QE Review', ['Code Review']),
  t('71', 'Blocked', 'Blocked', ['To Do', 'Open', 'In Progress']),
  t('81', 'Close', 'Closed', ['New', 'To Do', 'Open', 'In Progress', 'Blocked', 'Done']),
  t('91', "Won't Fix", "Won't Fix / Obsolete", ['New', 'To Do', 'Open', 'In Progress', 'Blocked']),
  t('101', 'Back to New', 'New', ['To Do']),
];

const BUG_WORKFLOW: readonly TransitionDef[] = [
  t('11', 'New', 'New', ['Verified', 'Closed']),
  t('21', 'ASSIGNED', 'ASSIGNED', ['New']),
  t('31', 'POST', 'POST', ['ASSIGNED']),
  t('41', 'MODIFIED', 'MODIFIED', ['POST']),
  t('51', 'ON_QA', 'ON_QA', ['MODIFIED']),
  t('61', 'Verified', 'Verified', ['ON_QA']),
  t('71', 'Closed', 'Closed', ['New', 'ASSIGNED', 'POST', 'MODIFIED', 'ON_QA', 'Verified']),
];

const ESCALATION_WORKFLOW: readonly TransitionDef[] = [
  t('11', 'New', 'New', ['Closed']),
  t('21', 'In Progress', 'In Progress', ['New', 'Blocked']),
  t('31', 'Blocked', 'Blocked', ['In Progress']),
  t('41', 'Closed', 'Closed', ['New', 'In Progress', 'Blocked']),
];

/** Every transition of the workflow of `projectKey`'s issues, from whichever status. */
export function workflowOf(
  projectKey: string,
  cardProject: string,
  escalationProject: string,
): readonly TransitionDef[] {
  return projectKey === cardProject
    ? CARD_WORKFLOW
    : projectKey === escalationProject
      ? ESCALATION_WORKFLOW
      : BUG_WORKFLOW;
}

/** The transitions available to an issue of `projectKey` in status `current`. */
export function transitionsFor(
  projectKey: string,
  cardProject: string,
  escalationProject: string,
  current: string,
  mode: WorkflowMode = 'open',
): TransitionDef[] {
  const all = workflowOf(projectKey, cardProject, escalationProject);
  if (mode === 'restricted') {
    const here = current.toLowerCase();
    return all.filter((x) => x.from.some((f) => f.toLowerCase() === here));
  }
  // Open: global transitions to every other status, named after it, without screens.
  return all
    .filter((x) => x.to !== current)
    .map((x) => ({ ...x, name: x.to, from: [], needsResolution: false }));
}

/** Resolutions a transition screen offers; the first is the default of a Done transition. */
export const RESOLUTIONS: readonly { id: string; name: string }[] = [
  { id: '10000', name: 'Done' },
  { id: '10001', name: "Won't Do" },
  { id: '10002', name: 'Duplicate' },
  { id: '10003', name: 'Cannot Reproduce' },
];

export const PRIORITIES: readonly { id: string; name: string }[] = [
  { id: '1', name: 'Blocker' },
  { id: '2', name: 'Critical' },
  { id: '3', name: 'Major' },
  { id: '10000', name: 'Normal' },
  { id: '4', name: 'Minor' },
  { id: '10200', name: 'Undefined' },
];

export const ISSUE_TYPES: readonly { id: string; name: string; subtask: boolean }[] = [
  { id: '1', name: 'Bug', subtask: false },
  { id: '17', name: 'Story', subtask: false },
  { id: '3', name: 'Task', subtask: false },
  { id: '16', name: 'Epic', subtask: false },
  { id: '10700', name: 'Feature', subtask: false },
  { id: '12400', name: 'Vulnerability', subtask: false },
];

export const SEVERITY_OPTIONS: readonly { id: string; value: string }[] = [
  { id: '26752', value: 'Critical' },
  { id: '26753', value: 'Important' },
  { id: '26754', value: 'Moderate' },
  { id: '26755', value: 'Low' },
  { id: '26756', value: 'Informational' },
];

export function isDoneStatus(name: string): boolean {
  return statusByName(name)?.category === 'done';
}
