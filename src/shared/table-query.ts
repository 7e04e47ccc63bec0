import { z } from 'zod';
import { CARD_LABELS, PRIO_LIST_STATES, SEVERITIES, YES_NO } from './vocabulary.js';

// The query grammar of the card and case tables: facets, sort keys and their text form, paging and
// the filter fields. The API validates it and the UI writes it into the URL, so a view's URL is
// also its API query.

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

// ---- the querystring -----------------------------------------------------------------------------

const many = <T extends z.ZodType>(item: T) => z.array(item).max(200);
const text = z.string().max(300);
const yesNo = many(z.enum(YES_NO));

/** Filter fields, shared by every view built on the card/case filters (tables, reports, CSV). */
export const filterFields = {
  severity: many(z.enum(SEVERITIES)).optional(),
  prioList: many(z.enum(PRIO_LIST_STATES)).optional(),
  critSit: yesNo.optional(),
  escalated: yesNo.describe('On the prio-list or crit sit.').optional(),
  product: many(text).describe('An empty value selects rows with no product.').optional(),
  account: many(text).optional(),
  caseStatus: many(text).optional(),
  internalStatus: many(text).optional(),
  assignee: many(text).describe('An empty value selects unassigned cards.').optional(),
  label: many(z.enum(CARD_LABELS)).optional(),
  closedNotDone: yesNo.describe('Case Closed while the card is not Done.').optional(),
  updatedWithinDays: z.int().min(1).max(3650).describe('Case updated in the last N days.').optional(),
  recent: z.boolean().describe('A JIRA comment updated in the last 7 days.').optional(),
  q: z.string().max(200).describe('Full text over cases and both comment kinds.').optional(),
};

/**
 * What the tables filter on. Within a facet the selected values are alternatives (OR); across
 * facets and the other fields every condition must hold (AND). For the text facets an empty string
 * selects rows where the value is missing (no product, unassigned, no case).
 */
export const dashboardFilter = z.strictObject(filterFields);
export type DashboardFilter = z.output<typeof dashboardFilter>;

export const pagingFields = {
  sort: z
    .string()
    .regex(new RegExp(SORT_PATTERN))
    .describe('key:asc|desc, comma-separated; default severity:desc,prioList:desc,critSit:desc.')
    .optional(),
  limit: z.int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  offset: z.int().min(0).max(1_000_000).default(0),
};

export const formatField = {
  format: z.enum(['json', 'csv']).describe('csv streams every matching row.').optional(),
};

/** The card and case tables' querystring. */
export const tableQuery = z.strictObject({ ...filterFields, ...pagingFields, ...formatField });
export type TableQuery = z.output<typeof tableQuery>;
