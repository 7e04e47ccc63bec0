import type { Served } from '../../shared/api/common.js';
import type {
  cardTableSchema,
  caseTableSchema,
  DashboardFilter,
  TableQuery,
} from '../../shared/api/tables.js';
import { FACET_NAMES, parseSort, type SortTerm } from '../../shared/table-query.js';
import { countCardFacets, listCards } from '../../store/queries/card-list.js';
import { countCaseFacets, listCases } from '../../store/queries/case-list.js';
import { CARD_INDEX_ENTITIES } from '../../store/read-model/card-index.js';
import type { CsvColumn } from '../csv.js';
import { type CardItem, type CaseItem, cardItem, caseItem } from '../presenters.js';
import { presentContext, stableKey, type ViewDeps } from './deps.js';

// The card and case tables: a page, the total and the facet counts for one filter. The page goes
// straight to SQL (an index scan); the total and facets, which scan every matching row, are cached
// per filter and dropped by the change feed when any table they read changes.

/** Tables the card/case views read: a write to any of them changes rows, totals or facets. */
export const TABLE_ENTITIES = [...CARD_INDEX_ENTITIES, 'comment'] as const;

/** Every synced table a read view may show: what a view reading several of them is cached by. */
export const READ_ENTITIES = [
  ...TABLE_ENTITIES,
  'case_bug',
  'bug',
  'case_issue',
  'issue',
  'stats_snapshot',
] as const;

/** Only the filter fields, empty selections dropped, so equal filters share one cache entry. */
export function filterOf(query: DashboardFilter): DashboardFilter {
  const f: DashboardFilter = {};
  for (const name of FACET_NAMES) {
    const values = query[name];
    if (values?.length) Object.assign(f, { [name]: [...new Set(values)].sort() });
  }
  if (query.updatedWithinDays !== undefined) f.updatedWithinDays = query.updatedWithinDays;
  if (query.recent) f.recent = true;
  if (query.open) f.open = true;
  if (query.q?.trim()) f.q = query.q.trim();
  return f;
}

export function cardFacets(deps: ViewDeps, filter: DashboardFilter, now: Date) {
  return deps.store.read(TABLE_ENTITIES, `cards:facets:${stableKey(filter)}`, (q) =>
    countCardFacets(q, filter, now),
  );
}

export async function cardTable(deps: ViewDeps, query: TableQuery): Promise<Served<typeof cardTableSchema>> {
  const ctx = presentContext(deps);
  const filter = filterOf(query);
  const [rows, counts] = await Promise.all([
    listCards(deps.store.db, {
      filter,
      sort: parseSort(query.sort),
      limit: query.limit,
      offset: query.offset,
      now: ctx.now,
      escalationProject: deps.config.jira.escalations?.project,
    }),
    cardFacets(deps, filter, ctx.now),
  ]);
  return { items: rows.map((r) => cardItem(r, ctx)), ...counts };
}

export async function caseTable(deps: ViewDeps, query: TableQuery): Promise<Served<typeof caseTableSchema>> {
  const ctx = presentContext(deps);
  const filter = filterOf(query);
  const [rows, counts] = await Promise.all([
    listCases(deps.store.db, {
      filter,
      sort: parseSort(query.sort),
      limit: query.limit,
      offset: query.offset,
      now: ctx.now,
    }),
    deps.store.read(TABLE_ENTITIES, `cases:facets:${stableKey(filter)}`, (q) =>
      countCaseFacets(q, filter, ctx.now),
    ),
  ]);
  return { items: rows.map((r) => caseItem(r, ctx)), ...counts };
}

// ---- CSV: every matching row, in batches ---------------------------------------------------------

const CSV_BATCH = 1000;

async function* batches<T>(fetch: (offset: number) => Promise<T[]>): AsyncIterable<T[]> {
  for (let offset = 0; ; offset += CSV_BATCH) {
    const rows = await fetch(offset);
    if (rows.length) yield rows;
    if (rows.length < CSV_BATCH) return;
  }
}

const csvSort = (query: TableQuery): SortTerm[] => parseSort(query.sort);

export function cardRowsForCsv(deps: ViewDeps, query: TableQuery): AsyncIterable<CardItem[]> {
  const ctx = presentContext(deps);
  const filter = filterOf(query);
  const sort = csvSort(query);
  return batches(async (offset) =>
    (
      await listCards(deps.store.db, {
        filter,
        sort,
        limit: CSV_BATCH,
        offset,
        now: ctx.now,
        escalationProject: deps.config.jira.escalations?.project,
      })
    ).map((r) => cardItem(r, ctx)),
  );
}

export function caseRowsForCsv(deps: ViewDeps, query: TableQuery): AsyncIterable<CaseItem[]> {
  const ctx = presentContext(deps);
  const filter = filterOf(query);
  const sort = csvSort(query);
  return batches(async (offset) =>
    (await listCases(deps.store.db, { filter, sort, limit: CSV_BATCH, offset, now: ctx.now })).map((r) =>
      caseItem(r, ctx),
    ),
  );
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');
const PRIO_LABEL = { yes: 'Yes', potentially: 'Potentially', no: 'No' } as const;

/** The card table's columns, Daily Telco included. */
export const CARD_CSV: CsvColumn<CardItem>[] = [
  { header: 'Case', value: (c) => c.caseNumber },
  { header: 'Case URL', value: (c) => c.caseUrl },
  { header: 'Severity', value: (c) => c.severity },
  { header: 'On Prio-list?', value: (c) => PRIO_LABEL[c.prioList] },
  { header: 'Crit Sit?', value: (c) => yesNo(c.critSit) },
  { header: 'Summary', value: (c) => c.summary },
  { header: 'Product', value: (c) => c.product },
  { header: 'Account', value: (c) => c.account },
  { header: 'Case Status', value: (c) => c.caseStatus },
  { header: 'Internal Status', value: (c) => c.internalStatus },
  { header: 'Assignee', value: (c) => c.assignee },
  { header: 'Contributors', value: (c) => c.contributors.join('; ') },
  { header: 'JIRA', value: (c) => c.key },
  { header: 'JIRA URL', value: (c) => c.jiraUrl },
  { header: 'Most Recent Comment Date', value: (c) => c.lastComment?.date },
  { header: 'Most Recent Comment', value: (c) => c.lastComment?.body },
  { header: 'Days Open', value: (c) => c.daysOpen },
  { header: 'SLA', value: (c) => c.sla },
  { header: 'Case Last Updated', value: (c) => c.caseLastUpdated },
  { header: 'Daily Telco', value: (c) => yesNo(c.dailyTelco) },
  { header: 'Labels', value: (c) => c.labels.join('; ') },
];

export const CASE_CSV: CsvColumn<CaseItem>[] = [
  { header: 'Case', value: (c) => c.caseNumber },
  { header: 'Case URL', value: (c) => c.caseUrl },
  { header: 'Created', value: (c) => c.createdDate },
  { header: 'Severity', value: (c) => c.severity },
  { header: 'On Prio-list?', value: (c) => PRIO_LABEL[c.prioList] },
  { header: 'Crit Sit?', value: (c) => yesNo(c.critSit) },
  { header: 'Summary', value: (c) => c.summary },
  { header: 'Product', value: (c) => c.product },
  { header: 'Account', value: (c) => c.account },
  { header: 'Status', value: (c) => c.status },
  { header: 'Owner', value: (c) => c.owner },
  { header: 'JIRA', value: (c) => c.card?.key },
  { header: 'Internal Status', value: (c) => c.card?.internalStatus },
  { header: 'Assignee', value: (c) => c.card?.assignee },
  { header: 'Days Open', value: (c) => c.daysOpen },
  { header: 'SLA', value: (c) => c.sla },
  { header: 'Last Update', value: (c) => c.lastUpdate },
  { header: 'Closed', value: (c) => c.closedDate },
];
