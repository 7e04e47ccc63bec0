import { DEFAULT_LIMIT, type FacetName, formatSort, type SortKey, type SortTerm } from './table-query.js';
import { SEVERITIES } from './vocabulary.js';

// The original dashboard's table links, in today's grammar. Its DataTables "deepLink" plugin read
// four parameters from the URL, all naming columns by their index in the original table:
//   searchPanes.preSelect=[{"column":2,"rows":["Urgent"]}]   pane selections
//   search.search=ptp                                          the table's text search
//   order=[[2,"desc"],[3,"desc"]]                              the sort, column by column
//   displayStart=50                                            the first row shown (50 a page)
// Each value is JSON when it parses as JSON, text otherwise (as the plugin read it). What has no
// counterpart today (a column that is gone, a pane value that does not exist) is named, so the page
// can say what it left out instead of silently showing another view.

/** The original table's columns by index: what each filters and sorts as today. */
const COLUMNS: Record<number, { title: string; facet?: FacetName; sort?: SortKey }> = {
  0: { title: 'the expand column' },
  1: { title: 'Case#', sort: 'caseNumber' },
  2: { title: 'Severity', facet: 'severity', sort: 'severity' },
  3: { title: 'On Prio-list?', facet: 'prioList', sort: 'prioList' },
  4: { title: 'Crit Sit?', facet: 'critSit', sort: 'critSit' },
  5: { title: 'Summary', sort: 'summary' },
  6: { title: 'Product', facet: 'product', sort: 'product' },
  7: { title: 'Account', facet: 'account', sort: 'account' },
  8: { title: 'Case Status', facet: 'caseStatus', sort: 'caseStatus' },
  9: { title: 'Internal Status', facet: 'internalStatus', sort: 'internalStatus' },
  10: { title: 'Assignee', facet: 'assignee', sort: 'assignee' },
  11: { title: 'Jira', sort: 'jiraKey' },
  12: { title: 'Most Recent Comment', sort: 'lastComment' },
  13: { title: 'Days Open', sort: 'daysOpen' },
  14: { title: 'Case Last Updated', sort: 'caseUpdated' },
  15: { title: 'Daily Telco List' },
};

/** The parameters the original's table read from its URL. */
export const LEGACY_TABLE_PARAMS = [
  'searchPanes.preSelect',
  'search.search',
  'order',
  'displayStart',
] as const;

/** Other DataTables state a hand-made link may carry; none of it means anything today. */
const isOtherDataTablesParam = (name: string) => /^(search|searchPanes|columns|select)\./.test(name);

export interface TranslatedLink {
  /** Today's query: the link's other parameters, plus the translated filters, search, sort and page. */
  params: URLSearchParams;
  /** What could not be translated, one phrase each (e.g. `sort by the expand column`). */
  untranslated: string[];
}

/** The original's table link in `search` translated, or null when it has none of its parameters. */
export function translateLegacyTableLink(search: URLSearchParams): TranslatedLink | null {
  const legacyNames = [...new Set(search.keys())].filter(
    (k) => (LEGACY_TABLE_PARAMS as readonly string[]).includes(k) || isOtherDataTablesParam(k),
  );
  if (legacyNames.length === 0) return null;

  const params = new URLSearchParams(search);
  for (const k of legacyNames) params.delete(k);
  const untranslated: string[] = [];
  const values = new Map<FacetName, Set<string>>();
  const select = (facet: FacetName, value: string) => {
    const set = values.get(facet) ?? new Set<string>();
    set.add(value);
    values.set(facet, set);
  };

  for (const name of legacyNames) {
    const raw = search.get(name) ?? '';
    if (name === 'searchPanes.preSelect') translatePanes(raw, select, untranslated);
    else if (name === 'search.search') {
      const q = String(plugin(raw) ?? '').trim();
      if (q) params.set('q', q);
    } else if (name === 'order') {
      const sort = translateOrder(raw, untranslated);
      if (sort.length) params.set('sort', formatSort(sort));
    } else if (name === 'displayStart') {
      const start = Number(plugin(raw));
      if (!Number.isInteger(start) || start < 0) untranslated.push(`start at row “${raw}”`);
      else {
        // The original showed 50 rows a page: the row it started at lies on this page of ours.
        const limit = Number(params.get('limit')) || DEFAULT_LIMIT;
        const offset = Math.floor(start / limit) * limit;
        if (offset > 0) params.set('offset', String(offset));
      }
    } else untranslated.push(`the setting ${name}`);
  }

  for (const [facet, set] of values) {
    params.delete(facet);
    for (const v of set) params.append(facet, v);
  }
  return { params, untranslated };
}

/** A value as the deepLink plugin read it: JSON when it parses, the text otherwise. */
function plugin(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const columnOf = (value: unknown) => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : null;
};

function translateOrder(raw: string, untranslated: string[]): SortTerm[] {
  const parsed = plugin(raw);
  const terms = Array.isArray(parsed) && !Array.isArray(parsed[0]) ? [parsed] : parsed;
  if (!Array.isArray(terms)) {
    untranslated.push(`the sort “${raw}”`);
    return [];
  }
  const sort: SortTerm[] = [];
  for (const term of terms) {
    const [col, dir = 'asc'] = Array.isArray(term) ? term : [undefined];
    const index = columnOf(col);
    const column = index === null ? undefined : COLUMNS[index];
    const direction = String(dir).toLowerCase();
    if (!column?.sort || (direction !== 'asc' && direction !== 'desc')) {
      untranslated.push(column ? `sort by ${column.title}` : `sort by column ${JSON.stringify(col ?? term)}`);
      continue;
    }
    if (!sort.some((t) => t.key === column.sort)) sort.push({ key: column.sort, dir: direction });
  }
  return sort;
}

function translatePanes(
  raw: string,
  select: (facet: FacetName, value: string) => void,
  untranslated: string[],
) {
  const parsed = plugin(raw);
  const panes = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : null;
  if (!panes) {
    untranslated.push(`the filter “${raw}”`);
    return;
  }
  for (const pane of panes) {
    const index = columnOf((pane as { column?: unknown } | null)?.column);
    const rows = (pane as { rows?: unknown } | null)?.rows;
    const list = (Array.isArray(rows) ? rows : rows === undefined ? [] : [rows]).map((r) => String(r));
    for (const value of list) {
      const translated = paneValue(index, value);
      if (translated) for (const [facet, v] of translated) select(facet, v);
      else {
        const title = index === null ? undefined : COLUMNS[index]?.title;
        untranslated.push(
          title ? `${title} = “${value}”` : `filter “${value}” on column ${index ?? JSON.stringify(pane)}`,
        );
      }
    }
  }
}

const yesNo = (value: string) => {
  const v = value.trim().toLowerCase();
  return v === 'yes' || v === 'true' ? 'yes' : v === 'no' || v === 'false' ? 'no' : null;
};

/** Today's facet selections for one pane value of the original, or null when there are none. */
function paneValue(index: number | null, value: string): [FacetName, string][] | null {
  const text = value.trim();
  // The original's two custom panes (after the table's own columns) are told apart by their options.
  if (/^cases on prio-list or crit sit$/i.test(text)) return [['escalated', 'yes']];
  if (/^cases on daily telco list$/i.test(text)) return [['label', 'Daily Telco']];
  if (index === null) return null;
  const facet = COLUMNS[index]?.facet;
  switch (facet) {
    case 'severity': {
      // "Urgent", or the Portal's "1 (Urgent)".
      const label = SEVERITIES.find((s) => new RegExp(`^(\\d\\s*\\()?${s}\\)?$`, 'i').test(text));
      return label ? [['severity', label]] : null;
    }
    case 'prioList': {
      const v = text.toLowerCase();
      // The original's "No" option also held the "Potentially" rows.
      if (v === 'no')
        return [
          ['prioList', 'no'],
          ['prioList', 'potentially'],
        ];
      return v === 'yes' || v === 'potentially' ? [['prioList', v]] : null;
    }
    case 'critSit': {
      const v = yesNo(text);
      return v ? [['critSit', v]] : null;
    }
    case 'assignee': {
      // The cell also listed the contributors; "None" was an unassigned card.
      const name = text.replace(/\s*Contributor\(s\):.*$/s, '').trim();
      return [['assignee', /^none$/i.test(name) ? '' : name]];
    }
    case undefined:
      // Daily Telco List (hidden column 15): only "True" has a counterpart, the Daily Telco label.
      return index === 15 && yesNo(text) === 'yes' ? [['label', 'Daily Telco']] : null;
    default:
      return text ? [[facet, text]] : null;
  }
}
