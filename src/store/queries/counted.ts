import type { Counted, CountedTable } from '../../shared/counted.js';
import type { FacetName } from '../../shared/table-query.js';
import type { Queryable } from '../db.js';
import { flushCardIndex } from '../read-model/card-index.js';
import { CARD_SOURCE } from './card-list.js';
import { CASE_SOURCE } from './case-list.js';
import { groupCountQuery, SqlParams, type SqlSource } from './dashboard-filter.js';

// The numbers that open a table (src/shared/counted.ts), counted with that table's own SQL source
// and filter, so a number is always the `total` of the table its link opens.

/** The SQL source of each table a counted number opens. */
const COUNTED_SOURCES: Record<CountedTable, SqlSource> = { cases: CASE_SOURCE, cards: CARD_SOURCE };

/**
 * What `counted` counts, per value of one facet: each value's count is the `total` of the table
 * the counted number opens, narrowed to that value (`narrowed`).
 */
export async function countGrouped(
  q: Queryable,
  counted: Counted,
  facet: Exclude<FacetName, 'label'>,
  now: Date,
): Promise<Map<string | null, number>> {
  await flushCardIndex(q);
  const p = new SqlParams();
  const r = await q.query<{ value: string | null; count: number }>(
    groupCountQuery(COUNTED_SOURCES[counted.table], counted.filter, facet, now, p),
    p.values,
  );
  return new Map(r.rows.map((row) => [row.value, row.count]));
}

/** `countGrouped` as a plain object of the non-null values (a breakdown). */
export async function breakdown(
  q: Queryable,
  counted: Counted,
  facet: Exclude<FacetName, 'label'>,
  now: Date,
): Promise<Record<string, number>> {
  const counts = await countGrouped(q, counted, facet, now);
  return Object.fromEntries([...counts].flatMap(([value, n]) => (value === null ? [] : [[value, n]])));
}
