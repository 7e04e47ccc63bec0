import type { DashboardFilter } from '../../shared/api/tables.js';
import { recentWindow } from '../../shared/counted.js';
import { FACET_NAMES, type FacetName, type SortKey, type SortTerm } from '../../shared/table-query.js';
import {
  CASE_STATUS,
  CASE_STATUS_GROUP_ORDER,
  type CardLabel,
  INTERNAL_STATUS_DONE,
  type PrioListState,
} from '../../shared/vocabulary.js';

// Filters, facets and sort orders of the dashboard's card and case tables, turned into SQL. The
// grammar (facet names, sort keys, the filter fields) is the shared one; this file maps it to SQL.
//
// Dynamic SQL is built only from the allowlists in this file: facet names map to fixed column
// expressions, sort keys to fixed expressions, directions to ASC/DESC. Every user-supplied value
// goes in as a parameter ($n). A "source" is a trusted SQL fragment (card_index, or the cases
// subquery) exposing the row columns below under the alias `r`.
//
// Row columns every source exposes: jira_key, case_number, case_created_date, severity (1 Urgent …
// 4 Low), severity_label, account, product, case_status, summary, case_last_update, case_closed_date,
// card_status, assignee_name, is_trends, is_potential_escalation, is_daily_telco, crit_sit, escalated,
// prio_rank (2 on the prio-list, 1 potentially, 0 no), last_comment_at, card_updated_at, and
// search_vector (the case's search document, cases.search_vector; NULL when the case is not stored).

/** The generated flag column behind each card label with a meaning. */
const LABEL_COLUMNS: Record<CardLabel, string> = {
  Trends: 'is_trends',
  'Daily Telco': 'is_daily_telco',
  'Potential Escalation': 'is_potential_escalation',
};

/** Collects parameter values; `add` returns the typed placeholder to put in the SQL. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

interface FacetSpec {
  /** The row's value for the counts (NULL shows as a null value). */
  value: string;
  /** The predicate for the selected values. */
  match(selected: readonly string[], p: SqlParams): string;
}

const anyOf = (expr: string, values: readonly unknown[], type: string, p: SqlParams) =>
  `${expr} = ANY(${p.add(values, `${type}[]`)})`;

/** A nullable text column; '' selects NULL. */
const textFacet = (col: string): FacetSpec => ({
  value: col,
  match(selected, p) {
    const values = selected.filter((v) => v !== '');
    const parts: string[] = [];
    if (values.length) parts.push(anyOf(col, values, 'text', p));
    if (selected.includes('')) parts.push(`${col} IS NULL`);
    return `(${parts.join(' OR ')})`;
  },
});

/** A boolean condition shown as yes/no. */
const yesNoFacet = (condition: string): FacetSpec => ({
  value: `CASE WHEN ${condition} THEN 'yes' ELSE 'no' END`,
  match: (selected, p) =>
    anyOf(
      `(${condition})`,
      [...new Set(selected)].map((v) => v === 'yes'),
      'boolean',
      p,
    ),
});

const PRIO_RANK: Record<PrioListState, number> = { yes: 2, potentially: 1, no: 0 };

const FACETS: Record<Exclude<FacetName, 'label'>, FacetSpec> = {
  severity: textFacet('r.severity_label'),
  prioList: {
    value: `CASE r.prio_rank WHEN 2 THEN 'yes' WHEN 1 THEN 'potentially' ELSE 'no' END`,
    match: (selected, p) =>
      anyOf(
        'r.prio_rank',
        selected.map((v) => PRIO_RANK[v as PrioListState]),
        'smallint',
        p,
      ),
  },
  critSit: yesNoFacet('r.crit_sit'),
  escalated: yesNoFacet('r.escalated OR r.crit_sit'),
  product: textFacet('r.product'),
  account: textFacet('r.account'),
  caseStatus: textFacet('r.case_status'),
  internalStatus: textFacet('r.card_status'),
  assignee: textFacet('r.assignee_name'),
  closedNotDone: yesNoFacet(
    `r.case_status = '${CASE_STATUS.closed}' AND r.card_status IS NOT NULL AND r.card_status <> '${INTERNAL_STATUS_DONE}'`,
  ),
};

/**
 * An open case: its status is not Closed. A card whose case is not stored and states no status
 * counts as open (nothing says it closed).
 */
const OPEN_CASE = `r.case_status IS DISTINCT FROM '${CASE_STATUS.closed}'`;

/** Labels are several per row: a row matches when it carries any selected label. */
const labelMatch = (selected: readonly string[]) =>
  `(${selected.map((l) => `r.${LABEL_COLUMNS[l as CardLabel]}`).join(' OR ')})`;

export interface SqlSource {
  /** CTEs the source needs, `name AS (…)`. */
  ctes: readonly string[];
  /** FROM item aliased `r`. */
  from: string;
  /** Unique tail of every ORDER BY, so pages never overlap. */
  tiebreak: readonly string[];
  /**
   * The row's card (jira_key and the card columns) is LEFT JOINed to the table the source scans
   * (the case table): a condition naming it cannot narrow that scan.
   */
  cardJoined?: boolean;
}

export interface BuiltFilter {
  ctes: string[];
  /** Conditions that are not facets (text search, time windows): apply to facet counts too. */
  base: string[];
  /** One condition per facet with a selection. */
  facets: Map<FacetName, string>;
}

export function buildFilter(
  source: SqlSource,
  filter: DashboardFilter,
  p: SqlParams,
  now: Date,
): BuiltFilter {
  const built: BuiltFilter = { ctes: [], base: [], facets: new Map() };
  for (const name of FACET_NAMES) {
    const selected = filter[name];
    if (!selected?.length) continue;
    built.facets.set(name, name === 'label' ? labelMatch(selected) : FACETS[name].match(selected, p));
  }
  if (filter.updatedWithinDays !== undefined) {
    built.base.push(
      `r.case_last_update >= ${p.add(now.toISOString(), 'timestamptz')} - make_interval(days => ${p.add(filter.updatedWithinDays, 'int')})`,
    );
  }
  if (filter.open) built.base.push(OPEN_CASE);
  if (filter.recent) {
    built.base.push(`r.last_comment_at >= ${p.add(recentWindow(now).from.toISOString(), 'timestamptz')}`);
  }
  const q = filter.q?.trim();
  if (q) {
    const query = `websearch_to_tsquery('english', ${p.add(q, 'text')})`;
    // Case numbers whose Portal comments, or whose cards' JIRA comments, match: an array computed
    // once (an InitPlan), so `case_number = ANY(…)` is one more index condition of the scan.
    built.ctes.push(`fts_commented AS MATERIALIZED (SELECT ARRAY(
      SELECT m.case_number FROM comments m WHERE m.search_vector @@ ${query}
      UNION SELECT k.case_number FROM jira_comments j JOIN cards k ON k.jira_key = j.jira_key
            WHERE j.search_vector @@ ${query}) AS numbers)`);
    const key = p.add(q.toUpperCase(), 'text');
    // The row's case's own text, its comments, or a case number typed as is: conditions on the
    // source's main table, OR-ed into one bitmap scan of its indexes (GIN and btree).
    const text = `r.search_vector @@ ${query}
      OR r.case_number = ANY((SELECT numbers FROM fts_commented)::text[]) OR r.case_number = ${p.add(q, 'text')}`;
    if (source.cardJoined) {
      // A JIRA key typed as is finds its card's row. The card is joined to the scanned table, so a
      // condition naming it would only be checked after the join of every row: the scan takes
      // the key's case number, and of that case only the card's row is kept (the second
      // condition, written to be true at once for every other case, so it does not skew the
      // planner's row estimate).
      const keyed = `ARRAY(SELECT x.case_number FROM card_index x WHERE x.jira_key = ${key})`;
      built.base.push(
        `(${text} OR r.case_number = ANY(${keyed}))`,
        `(r.case_number <> ALL(${keyed}) OR r.jira_key = ${key} OR ${text})`,
      );
    } else {
      // A JIRA key typed as is also finds its row.
      built.base.push(`(${text} OR r.jira_key = ${key})`);
    }
  }
  return built;
}

const and = (conds: readonly string[]) => (conds.length ? conds.join(' AND ') : 'true');

// ---- sorting -------------------------------------------------------------------------------------

interface SortSpec {
  /** The SQL to order by; a function when it depends on the request's `now` (a placeholder). */
  expr: string | ((now: string) => string);
  invert?: boolean;
}

/**
 * The expression behind each sort key. `invert` keys read "desc" as "most first" where the stored
 * value runs the other way (severity 1 is Urgent, the original's order 4).
 */
const SORTS: Record<SortKey, SortSpec> = {
  severity: { expr: 'r.severity', invert: true },
  prioList: { expr: 'r.prio_rank' },
  critSit: { expr: 'r.crit_sit' },
  caseNumber: { expr: 'r.case_number' },
  summary: { expr: 'r.summary' },
  product: { expr: 'r.product' },
  account: { expr: 'r.account' },
  caseStatus: { expr: 'r.case_status' },
  internalStatus: { expr: 'r.card_status' },
  assignee: { expr: 'r.assignee_name' },
  jiraKey: { expr: 'r.jira_key' },
  lastComment: { expr: 'r.last_comment_at' },
  // The number the cell shows (the shared daysOpen rule): whole days from creation to closure for a
  // closed case, to `now` while open, never below 0.
  daysOpen: {
    expr: (now) => `greatest(0, floor(extract(epoch FROM (CASE WHEN r.case_status = '${CASE_STATUS.closed}'
      AND r.case_closed_date IS NOT NULL THEN r.case_closed_date ELSE ${now} END) - r.case_created_date) / 86400))`,
  },
  caseCreated: { expr: 'r.case_created_date' },
  caseUpdated: { expr: 'r.case_last_update' },
  cardUpdated: { expr: 'r.card_updated_at' },
};

/** Orders only the server uses: the reports' grouping order, the known statuses first. */
const INTERNAL_SORTS = {
  caseStatusGroup: {
    expr: `CASE r.case_status ${CASE_STATUS_GROUP_ORDER.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE ${CASE_STATUS_GROUP_ORDER.length} END`,
  },
} satisfies Record<string, SortSpec>;

/** A sort term of a statement: a client's sort key or one of the server's own orders. */
export type OrderTerm = SortTerm<SortKey | keyof typeof INTERNAL_SORTS>;

/** ORDER BY for `terms`; `now` is added as a parameter only when a term needs it. */
export function orderBy(
  terms: readonly OrderTerm[],
  tiebreak: readonly string[],
  now: Date,
  p: SqlParams,
): string {
  let nowParam: string | undefined;
  const nowSql = () => {
    nowParam ??= p.add(now.toISOString(), 'timestamptz');
    return nowParam;
  };
  const parts = terms.map(({ key, dir }) => {
    const s: SortSpec =
      key in INTERNAL_SORTS ? INTERNAL_SORTS[key as keyof typeof INTERNAL_SORTS] : SORTS[key as SortKey];
    const sqlDir = (dir === 'desc') !== Boolean(s.invert) ? 'DESC' : 'ASC';
    const expr = typeof s.expr === 'string' ? s.expr : s.expr(nowSql());
    return `${expr} ${sqlDir} NULLS LAST`;
  });
  return [...parts, ...tiebreak.map((t) => `${t} ASC NULLS LAST`)].join(', ');
}

// ---- statements ----------------------------------------------------------------------------------

export const withClause = (ctes: readonly string[]) => (ctes.length ? `WITH ${ctes.join(',\n')}\n` : '');

/** The page: rows of `source` matching `filter`, in `sort` order. Selects `r.*`. */
export function pageQuery(
  source: SqlSource,
  filter: DashboardFilter,
  sort: readonly OrderTerm[],
  page: { limit: number; offset: number },
  now: Date,
  p: SqlParams,
): { ctes: string[]; select: string; order: string } {
  const f = buildFilter(source, filter, p, now);
  const order = orderBy(sort, source.tiebreak, now, p);
  // Text search and time windows are selective, and their matches cluster in the default order
  // (recent comments sit on the newest keys), where the planner assumes them spread out and walks
  // the default-order index past thousands of rows. Fenced (OFFSET 0), they are evaluated first
  // through their own indexes and only the matches are sorted.
  const from = f.base.length ? `(SELECT * FROM ${source.from} WHERE ${and(f.base)} OFFSET 0) r` : source.from;
  return {
    ctes: [...source.ctes, ...f.ctes],
    select: `SELECT r.* FROM ${from} WHERE ${and([...f.facets.values()])} ORDER BY ${order}
             LIMIT ${p.add(page.limit, 'int')} OFFSET ${p.add(page.offset, 'int')}`,
    order,
  };
}

/** The number of rows of `source` matching `filter`. */
export function countQuery(source: SqlSource, filter: DashboardFilter, now: Date, p: SqlParams): string {
  const f = buildFilter(source, filter, p, now);
  const where = and([...f.base, ...f.facets.values()]);
  return `${withClause([...source.ctes, ...f.ctes])}SELECT count(*)::int AS n FROM ${source.from} WHERE ${where}`;
}

/**
 * The rows of `source` matching `filter`, counted per value of one facet: the count for a value
 * is exactly what `countQuery` gives for the filter narrowed to that value (which is what a
 * breakdown row's link opens). Unlike the facet panes, a selection on `facet` itself applies.
 */
export function groupCountQuery(
  source: SqlSource,
  filter: DashboardFilter,
  facet: Exclude<FacetName, 'label'>,
  now: Date,
  p: SqlParams,
): string {
  const f = buildFilter(source, filter, p, now);
  const where = and([...f.base, ...f.facets.values()]);
  return `${withClause([...source.ctes, ...f.ctes])}SELECT ${FACETS[facet].value} AS value, count(*)::int AS count
    FROM ${source.from} WHERE ${where} GROUP BY 1`;
}

/**
 * One statement for the total and every facet's counts. As in search panes, each facet is counted
 * with every *other* selection applied, so its own options stay visible and say how many rows each
 * would add. Every facet without a selection sees the same rows (all selections applied), so they
 * are counted together in one pass (GROUPING SETS, with the total); each selected facet takes one
 * more pass over the rows its other selections leave. On a plain table without text search or
 * time windows, each pass reads the table itself (the selections can use its indexes); otherwise
 * the rows that pass those conditions are materialised once and each pass scans them.
 */
export function facetQuery(source: SqlSource, filter: DashboardFilter, now: Date, p: SqlParams): string {
  const f = buildFilter(source, filter, p, now);
  const selected = [...f.facets.keys()];
  const direct = f.base.length === 0 && source.ctes.length === 0;
  // The row's value of a facet, a label's flag and a selection's predicate, in the pass's FROM.
  const value = (name: Exclude<FacetName, 'label'>) => (direct ? FACETS[name].value : `f_${name}`);
  const flag = (col: string) => (direct ? `r.${col}` : col);
  const match = (name: FacetName) => (direct ? f.facets.get(name)! : `m_${name}`);
  const from = direct ? source.from : 'base';
  const others = (name: FacetName | null) => and(selected.filter((s) => s !== name).map(match));
  const labels = Object.entries(LABEL_COLUMNS);

  // Unselected facets and the total: one pass. A label is a set of its flag; only `true` is kept.
  const sets: { facet: string | null; expr: string; value: string }[] = [
    ...(Object.keys(FACETS) as Exclude<FacetName, 'label'>[])
      .filter((name) => !f.facets.has(name))
      .map((name) => ({ facet: name, expr: value(name), value: value(name) })),
    ...(f.facets.has('label')
      ? []
      : labels.map(([name, col]) => ({
          facet: 'label',
          expr: flag(col),
          value: `CASE WHEN ${flag(col)} THEN '${name}' END`,
        }))),
  ];
  const when = (pick: (s: (typeof sets)[number]) => string) =>
    sets.map((s) => `WHEN GROUPING(${s.expr}) = 0 THEN ${pick(s)}`).join(' ');
  const grouped = sets.length
    ? `SELECT CASE ${when((s) => `'${s.facet}'`)} END AS facet, CASE ${when((s) => s.value)} END AS value,
         count(*)::int AS count
       FROM ${from} WHERE ${others(null)}
       GROUP BY GROUPING SETS ((), ${sets.map((s) => `(${s.expr})`).join(', ')})`
    : `SELECT NULL::text AS facet, NULL::text AS value, count(*)::int AS count FROM ${from} WHERE ${others(null)}`;
  const counts = [
    `SELECT facet, value, count FROM (${grouped}) g WHERE facet IS DISTINCT FROM 'label' OR value IS NOT NULL`,
    // Each selected facet under the other selections.
    ...selected.map((name) =>
      name === 'label'
        ? `SELECT 'label', l.name, count(*)::int FROM ${from}
             CROSS JOIN LATERAL (VALUES ${labels.map(([n, col]) => `('${n}', ${flag(col)})`).join(', ')}) AS l(name, flag)
           WHERE l.flag AND ${others('label')} GROUP BY 2`
        : `SELECT '${name}', ${value(name)}, count(*)::int FROM ${from} WHERE ${others(name)} GROUP BY 2`,
    ),
  ];
  const columns = [
    ...Object.entries(FACETS).map(([name, spec]) => `${spec.value} AS f_${name}`),
    ...Object.values(LABEL_COLUMNS).map((col) => `r.${col}`),
    ...selected.map((name) => `${f.facets.get(name)} AS m_${name}`),
  ];
  const ctes = [
    ...source.ctes,
    ...f.ctes,
    ...(direct
      ? []
      : [`base AS MATERIALIZED (SELECT ${columns.join(', ')} FROM ${source.from} WHERE ${and(f.base)})`]),
  ];
  return `${withClause(ctes)}${counts.join('\nUNION ALL\n')}`;
}
