import type { Queryable } from '../db.js';
import { flushCardIndex } from '../read-model/card-index.js';
import {
  type DashboardFilter,
  type Facets,
  facetQuery,
  foldFacets,
  SqlParams,
  type SqlSource,
} from './dashboard-filter.js';

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
