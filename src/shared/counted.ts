import type { DashboardFilter } from './api/tables.js';
import type { FacetName } from './table-query.js';
import { HIGH_SEVERITIES, RECENT_DAYS } from './vocabulary.js';

// One definition per number that opens a table: each count the dashboard shows with a link (stats
// breakdowns, the engineers list, the home chart) is "the rows of this table that match this
// filter". The server counts exactly that filter with the table's own SQL (the store's
// `countGrouped`), and the link opens that table with the same filter as its query string, so the
// number and the rows it opens cannot disagree.

/** The tables a count can open: the case table (one row per case and card) and the card table. */
export type CountedTable = 'cases' | 'cards';

export interface Counted {
  table: CountedTable;
  filter: DashboardFilter;
}

/** Each table's page in the UI and its API route (the same query string serves both). */
export const COUNTED_TABLES: Record<CountedTable, { page: string; api: string }> = {
  cases: { page: '/cases', api: '/api/v1/cases' },
  cards: { page: '/table/all', api: '/api/v1/cards' },
};

/** The scope of the stats and people pages: one account and/or one engineer (a card assignee). */
export interface CountScope {
  account?: string | undefined;
  engineer?: string | undefined;
}

const scoped = (s: CountScope): DashboardFilter => ({
  ...(s.account ? { account: [s.account] } : {}),
  ...(s.engineer ? { assignee: [s.engineer] } : {}),
});

const cases = (filter: DashboardFilter): Counted => ({ table: 'cases', filter });

export const COUNTS = {
  /** Every case in scope (the stats' "Cases" per case status). */
  cases: (s: CountScope = {}) => cases(scoped(s)),
  /** Cases that are not Closed (the stats' "Open Cases" per severity, account or engineer). */
  openCases: (s: CountScope = {}) => cases({ ...scoped(s), open: true }),
  /** Open cases of severity Urgent or High. */
  highPriority: (s: CountScope = {}) => cases({ ...scoped(s), open: true, severity: [...HIGH_SEVERITIES] }),
  /** Open cases on the prio-list (an open escalation names them). */
  onPrioList: (s: CountScope = {}) => cases({ ...scoped(s), open: true, prioList: ['yes'] }),
  /** Open cases in crit sit. */
  critSit: (s: CountScope = {}) => cases({ ...scoped(s), open: true, critSit: ['yes'] }),
  /** Every card in scope. */
  cards: (s: CountScope = {}): Counted => ({ table: 'cards', filter: scoped(s) }),
} satisfies Record<string, (s?: CountScope) => Counted>;

/**
 * The rows of `counted` with one value of a facet: a breakdown's row (e.g. open cases of severity
 * High). A null value is the rows without one, which the filter writes as an empty string.
 */
export function narrowed(
  counted: Counted,
  facet: Exclude<FacetName, 'label'>,
  value: string | null,
): Counted {
  return { table: counted.table, filter: { ...counted.filter, [facet]: [value ?? ''] } };
}

/** The query string of a filter, as the tables read it: repeated keys for several values. */
export function filterQuery(filter: DashboardFilter): URLSearchParams {
  const p = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) p.append(key, String(one));
  }
  return p;
}

/** The link that opens exactly the counted rows: the table's page (default) or its API route. */
export function countedLink(counted: Counted, where: 'page' | 'api' = 'page'): string {
  const qs = filterQuery(counted.filter).toString();
  const path = COUNTED_TABLES[counted.table][where];
  return qs ? `${path}?${qs}` : path;
}

const DAY_MS = 86_400_000;

/**
 * "Recent" as the recent-updates views and the weekly report's default share it: the `days` days
 * (RECENT_DAYS unless given) up to `to`, start inclusive, end exclusive.
 */
export function recentWindow(to: Date, days: number = RECENT_DAYS): { from: Date; to: Date } {
  return { from: new Date(to.getTime() - days * DAY_MS), to };
}
