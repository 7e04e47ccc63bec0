import { CARD_LABELS, PRIO_LIST_STATES, SEVERITIES, YES_NO } from './vocabulary.js';

// The query grammar of the card and case tables: facets, sort keys and their text form, paging.
// The API validates it (the querystring schema built on it is in api/tables.ts, apart, so the UI
// bundle does not carry zod) and the UI writes it into the URL, so a view's URL is its API query.

/** The facets, in the order the API reports their counts. */
export const FACET_NAMES = [
  'severity',
  'prioList',
  'critSit',
  'escalated',
  'product',
  'account',
  'caseStatus',
  'internalStatus',
  'assignee',
  'label',
  'closedNotDone',
] as const;
export type FacetName = (typeof FACET_NAMES)[number];

/** The facet panes in the order the UI shows them. */
export const FACET_PANES = [
  'severity',
  'prioList',
  'critSit',
  'escalated',
  'closedNotDone',
  'product',
  'account',
  'caseStatus',
  'internalStatus',
  'assignee',
  'label',
] as const satisfies readonly FacetName[];

export const FACET_TITLES: Record<FacetName, string> = {
  severity: 'Severity',
  prioList: 'On Prio-list?',
  critSit: 'Crit Sit?',
  escalated: 'Escalated?',
  closedNotDone: 'Case Closed, but Internal Status not Done',
  product: 'Product',
  account: 'Account',
  caseStatus: 'Case Status',
  internalStatus: 'Internal Status',
  assignee: 'Assignee',
  label: 'Labels',
};

/** How a facet value reads; the API's yes/no flags become words. */
export function facetValueLabel(facet: FacetName, value: string | null): string {
  if (value === null || value === '') return facet === 'assignee' ? '(unassigned)' : '(none)';
  if (facet === 'escalated') return value === 'yes' ? 'Cases on Prio-list or Crit Sit' : 'Neither';
  if (['prioList', 'critSit', 'closedNotDone'].includes(facet))
    return value.charAt(0).toUpperCase() + value.slice(1);
  return value;
}

/** Facets with a natural order keep it (Urgent before Low); the others list the biggest first. */
export const FACET_VALUE_ORDER: Partial<Record<FacetName, readonly string[]>> = {
  severity: SEVERITIES,
  prioList: PRIO_LIST_STATES,
  critSit: YES_NO,
  escalated: YES_NO,
  closedNotDone: YES_NO,
  label: CARD_LABELS,
};

// ---- sorting -------------------------------------------------------------------------------------

/** The columns clients may sort on. */
export const SORT_KEYS = [
  'severity',
  'prioList',
  'critSit',
  'caseNumber',
  'summary',
  'product',
  'account',
  'caseStatus',
  'internalStatus',
  'assignee',
  'jiraKey',
  'lastComment',
  'daysOpen',
  'caseCreated',
  'caseUpdated',
  'cardUpdated',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export interface SortTerm<K extends string = SortKey> {
  key: K;
  dir: SortDir;
}

/** The original table's default order: most severe, then on the prio-list, then crit sit. */
export const DEFAULT_SORT: readonly SortTerm[] = [
  { key: 'severity', dir: 'desc' },
  { key: 'prioList', dir: 'desc' },
  { key: 'critSit', dir: 'desc' },
];

/** `key:dir,key:dir`; the direction defaults to asc. */
export const SORT_PATTERN = `^(${SORT_KEYS.join('|')})(:(asc|desc|ASC|DESC))?(,(${SORT_KEYS.join('|')})(:(asc|desc|ASC|DESC))?)*$`;

const isSortKey = (key: string): key is SortKey => (SORT_KEYS as readonly string[]).includes(key);

/** The sort of a `sort` parameter (the default when there is none); unknown keys are left out. */
export function parseSort(text: string | null | undefined): SortTerm[] {
  if (!text) return [...DEFAULT_SORT];
  return text.split(',').flatMap((part) => {
    const [key = '', dir = 'asc'] = part.split(':');
    return isSortKey(key) ? [{ key, dir: dir.toLowerCase() === 'desc' ? 'desc' : 'asc' }] : [];
  });
}

export const formatSort = (terms: readonly SortTerm<string>[]) =>
  terms.map((t) => `${t.key}:${t.dir}`).join(',');

// ---- paging --------------------------------------------------------------------------------------

export const PAGE_SIZES = [10, 25, 50, 100, 500] as const;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;
