import type { DashboardFilter, Facets } from '../../shared/api/tables.js';
import { FACET_NAMES, FACET_VALUE_ORDER, type FacetName } from '../../shared/table-query.js';
import type { Queryable } from '../db.js';
import { flushCardIndex } from '../read-model/card-index.js';
import { facetQuery, SqlParams, type SqlSource } from './dashboard-filter.js';

/** The number of rows of `source` matching `filter` and the facet counts (each facet under the other selections). */
export async function countFacets(
  q: Queryable,
  source: SqlSource,
  filter: DashboardFilter,
  now: Date,
): Promise<{ total: number; facets: Facets }> {
  await flushCardIndex(q);
  const p = new SqlParams();
  const r = await q.query<{ facet: string | null; value: string | null; count: number }>(
    facetQuery(source, filter, now, p),
    p.values,
  );
  return foldFacets(r.rows, filter);
}

const rank = (order: readonly string[], v: string | null) => {
  const i = v === null ? -1 : order.indexOf(v);
  return i < 0 ? order.length : i;
};

/** Folds the facet query's rows into `{ total, facets }`; selected values always appear (count 0 if none). */
function foldFacets(
  rows: readonly { facet: string | null; value: string | null; count: number }[],
  filter: DashboardFilter,
): { total: number; facets: Facets } {
  const facets = Object.fromEntries(FACET_NAMES.map((n) => [n, []])) as unknown as Facets;
  let total = 0;
  for (const row of rows) {
    if (row.facet === null) total = row.count;
    else facets[row.facet as FacetName]?.push({ value: row.value, count: row.count });
  }
  for (const name of FACET_NAMES) {
    const list = facets[name];
    for (const v of filter[name] ?? []) {
      const value = v === '' ? null : v;
      if (!list.some((x) => x.value === value)) list.push({ value, count: 0 });
    }
    const order = FACET_VALUE_ORDER[name];
    list.sort(
      order
        ? (a, b) => rank(order, a.value) - rank(order, b.value)
        : (a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value)),
    );
  }
  return { total, facets };
}
