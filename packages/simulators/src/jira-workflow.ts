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

export interface TransitionDef {
  id: string;
  to: string;
}

const CARD_TRANSITIONS: readonly TransitionDef[] = [
  { id: '11', to: 'To Do' },
  { id: '21', to: 'In Progress' },
  { id: '31', to: 'Done' },
  { id: '41', to: 'Open' },
  { id: '51', to: 'Code Review' },
  { id: '61', to: 'QE Review' },
  { id: '71', to: 'Blocked' },
  { id: '81', to: 'Closed' },
  { id: '91', to: "Won't Fix / Obsolete" },
  { id: '101', to: 'New' },
];

const BUG_TRANSITIONS: readonly TransitionDef[] = [
  { id: '11', to: 'New' },
  { id: '21', to: 'ASSIGNED' },
  { id: '31', to: 'POST' },
  { id: '41', to: 'MODIFIED' },
  { id: '51', to: 'ON_QA' },
  { id: '61', to: 'Verified' },
  { id: '71', to: 'Closed' },
];

const ESCALATION_TRANSITIONS: readonly TransitionDef[] = [
  { id: '11', to: 'New' },
  { id: '21', to: 'In Progress' },
  { id: '31', to: 'Blocked' },
  { id: '41', to: 'Closed' },
];

/** Global transitions to every other status of the project's workflow. */
export function transitionsFor(
  projectKey: string,
  cardProject: string,
  escalationProject: string,
  current: string,
): TransitionDef[] {
  const all =
    projectKey === cardProject
      ? CARD_TRANSITIONS
      : projectKey === escalationProject
        ? ESCALATION_TRANSITIONS
        : BUG_TRANSITIONS;
  return all.filter((t) => t.to !== current);
}

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
