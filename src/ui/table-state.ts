// The state of a table view (facet selections, text search, sort, page) as URL query parameters,
// which are also the API's parameters: a view's URL is shareable and restores exactly that view.

export const FACETS = [
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
] as const;
export type Facet = (typeof FACETS)[number];

export const FACET_TITLES: Record<Facet, string> = {
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
export function facetValueLabel(facet: Facet, value: string | null): string {
  if (value === null || value === '') return facet === 'assignee' ? '(unassigned)' : '(none)';
  if (facet === 'escalated') return value === 'yes' ? 'Cases on Prio-list or Crit Sit' : 'Neither';
  if (['prioList', 'critSit', 'closedNotDone'].includes(facet))
    return value.charAt(0).toUpperCase() + value.slice(1);
  return value;
}

export const PAGE_SIZES = [10, 25, 50, 100, 500] as const;
export const DEFAULT_LIMIT = 50;

export interface SortTerm {
  key: string;
  dir: 'asc' | 'desc';
}

export const DEFAULT_SORT: SortTerm[] = [
  { key: 'severity', dir: 'desc' },
  { key: 'prioList', dir: 'desc' },
  { key: 'critSit', dir: 'desc' },
];

export function parseSort(text: string | null): SortTerm[] {
  if (!text) return DEFAULT_SORT;
  return text.split(',').map((part) => {
    const [key = '', dir] = part.split(':');
    return { key, dir: dir === 'desc' ? 'desc' : 'asc' };
  });
}

export const formatSort = (terms: SortTerm[]) => terms.map((t) => `${t.key}:${t.dir}`).join(',');

/**
 * The next sort after a click on a column: a plain click sorts by that column alone (descending
 * first for flags and severity, flipping when it already leads), shift+click adds it or flips it
 * within a multi-column sort.
 */
export function nextSort(
  current: SortTerm[],
  key: string,
  multi: boolean,
  firstDir: 'asc' | 'desc',
): SortTerm[] {
  const flip = (dir: 'asc' | 'desc') => (dir === 'asc' ? 'desc' : 'asc');
  if (!multi) {
    const lead = current[0];
    return [{ key, dir: lead?.key === key ? flip(lead.dir) : firstDir }];
  }
  const existing = current.find((t) => t.key === key);
  if (existing) return current.map((t) => (t.key === key ? { key, dir: flip(t.dir) } : t));
  return [...current, { key, dir: firstDir }];
}

export interface TableState {
  params: URLSearchParams;
  selected: (facet: Facet) => string[];
  q: string;
  sort: SortTerm[];
  limit: number;
  offset: number;
}

export function readState(search: URLSearchParams): TableState {
  const limit = Number(search.get('limit'));
  const offset = Number(search.get('offset'));
  return {
    params: search,
    selected: (facet) => search.getAll(facet),
    q: search.get('q') ?? '',
    sort: parseSort(search.get('sort')),
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : DEFAULT_LIMIT,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** A copy of the parameters with one change; any change but paging goes back to the first page. */
export function withParam(
  search: URLSearchParams,
  name: string,
  value: string | string[] | null,
  opts: { keepOffset?: boolean } = {},
): URLSearchParams {
  const next = new URLSearchParams(search);
  next.delete(name);
  for (const v of value === null ? [] : Array.isArray(value) ? value : [value]) next.append(name, v);
  if (!opts.keepOffset) next.delete('offset');
  return next;
}

export function toggleFacet(search: URLSearchParams, facet: Facet, value: string): URLSearchParams {
  const current = search.getAll(facet);
  const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return withParam(search, facet, next);
}

/** The API query: the page's fixed filter (e.g. recent, or one account) plus the user's state. */
export function apiParams(
  search: URLSearchParams,
  fixed: Record<string, string | string[]>,
): URLSearchParams {
  const p = new URLSearchParams(search);
  for (const [k, v] of Object.entries(fixed)) {
    p.delete(k);
    for (const one of Array.isArray(v) ? v : [v]) p.append(k, one);
  }
  return p;
}
