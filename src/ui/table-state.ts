import {
  DEFAULT_LIMIT,
  type FacetName,
  MAX_LIMIT,
  parseSort,
  type SortDir,
  type SortTerm,
} from '../shared/table-query.js';

// The state of a table view (facet selections, text search, sort, page) as URL query parameters,
// which are also the API's parameters (the grammar is the shared one): a view's URL is shareable
// and restores exactly that view.

/**
 * The next sort after a click on a column: a plain click sorts by that column alone (descending
 * first for flags and severity, flipping when it already leads), shift+click adds it or flips it
 * within a multi-column sort.
 */
export function nextSort<K extends string>(
  current: readonly SortTerm<K>[],
  key: K,
  multi: boolean,
  firstDir: SortDir,
): SortTerm<K>[] {
  const flip = (dir: SortDir) => (dir === 'asc' ? 'desc' : 'asc');
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
  selected: (facet: FacetName) => string[];
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
    limit: Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT,
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

export function toggleFacet(search: URLSearchParams, facet: FacetName, value: string): URLSearchParams {
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
