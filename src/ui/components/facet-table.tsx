import {
  type ColumnDef,
  type ExpandedState,
  flexRender,
  getCoreRowModel,
  type Updater,
  useReactTable,
  type VisibilityState,
} from '@tanstack/react-table';
import { Fragment, type ReactNode, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { type TranslatedLink, translateLegacyTableLink } from '../../shared/legacy-table-link.js';
import {
  FACET_TITLES,
  type FacetName,
  facetValueLabel,
  formatSort,
  PAGE_SIZES,
  type SortKey,
} from '../../shared/table-query.js';
import { apiUrl, useApi } from '../api.js';
import { number } from '../format.js';
import { useSearchParams } from '../router.js';
import { apiParams, nextSort, readState, type TableState, toggleFacet, withParam } from '../table-state.js';
import type { FacetCount, TableResponse } from '../types.js';
import { FirstSyncMessage, useFirstSync } from './first-sync.js';
import { ErrorBox, Loading } from './layout.js';

// A server-paged table with facet panes: the cards and cases tables. Filtering, sorting, paging and
// counting happen in SQL (/api/v1/cards|cases); the URL holds the state; TanStack Table renders the
// columns and tracks expanded rows. The change feed refetches the page when its data changes.

/** Column metadata: the API sort key, and which direction a first click sorts by. */
export interface ColumnMeta {
  sortKey?: SortKey;
  firstDir?: 'asc' | 'desc';
  className?: string;
}

export interface FacetTableProps<T> {
  endpoint: 'cards' | 'cases';
  /** Filters the page always applies (e.g. recent updates, one account); their panes are hidden. */
  fixed: Record<string, string | string[]>;
  columns: ColumnDef<T, unknown>[];
  facets: readonly FacetName[];
  rowKey: (row: T) => string;
  /** What an expanded row shows. */
  renderChild: (row: T) => ReactNode;
  noun: [singular: string, plural: string];
  /** Columns hidden by default on a screen narrower than NARROW_PX, until the user picks columns. */
  narrowHidden?: readonly string[];
}

/** Below this width the table starts without its `narrowHidden` columns. */
const NARROW_PX = 1440;

/**
 * How rows read: one line each (long cells cut, full text on hover and in the expanded row),
 * compact (one line, smaller), or every cell wrapped in full.
 */
const DENSITIES = { line: 'One line', compact: 'Compact', wrap: 'Full text' } as const;
type Density = keyof typeof DENSITIES;

function useStoredDensity(): [Density, (d: Density) => void] {
  const key = 't5g.table.density';
  const [density, setDensity] = useState<Density>(() => {
    const stored = window.localStorage.getItem(key);
    return stored && stored in DENSITIES ? (stored as Density) : 'line';
  });
  return [
    density,
    (d) => {
      window.localStorage.setItem(key, d);
      setDensity(d);
    },
  ];
}

/**
 * The scroll area's height: from where it starts on the page to the bottom of the window, so on
 * first view its header row, both scrollbars and as many rows as fit are all on screen.
 * `mounted`: the scroll area is on the page (the effect attaches once it is).
 */
function useFitToWindow(mounted: boolean) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (!mounted) return;
    const fitHeight = () => {
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top + window.scrollY;
      el.style.maxHeight = `${Math.max(320, window.innerHeight - top - 8)}px`;
    };
    fitHeight();
    // Also when what stands above it changes height (a banner, a wrapping toolbar); setting the
    // area's own height moves nothing above it, so this settles at once.
    const observer = new ResizeObserver(fitHeight);
    observer.observe(document.body);
    window.addEventListener('resize', fitHeight);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', fitHeight);
    };
  }, [mounted]);
  return ref;
}

/**
 * A cut cell shows its whole text as a tooltip, set when the pointer or focus first reaches it
 * (one listener on the table rather than one per cell).
 */
/** `mounted`: the table is on the page (the listeners attach once it is). */
function useCutCellTitles(mounted: boolean) {
  const ref = useRef<HTMLTableElement>(null);
  useEffect(() => {
    const table = ref.current;
    if (!mounted || !table) return;
    const onEnter = (e: Event) => {
      const cell = (e.target as Element).closest?.('.cell');
      if (cell instanceof HTMLElement && !cell.title && cell.scrollWidth > cell.clientWidth)
        cell.title = cell.textContent ?? '';
    };
    table.addEventListener('mouseover', onEnter);
    table.addEventListener('focusin', onEnter);
    return () => {
      table.removeEventListener('mouseover', onEnter);
      table.removeEventListener('focusin', onEnter);
    };
  }, [mounted]);
  return ref;
}

/**
 * Keyboard inside a facet pane: the pane is one Tab stop (its title); when open, the arrow keys
 * move from the title through its values (Home/End to the first/last), Escape goes back to the title.
 */
function moveInPane(e: KeyboardEvent) {
  const pane = e.currentTarget as HTMLDetailsElement;
  if (!pane.open || !(e.target instanceof HTMLElement)) return;
  const stops = [pane.querySelector('summary'), ...pane.querySelectorAll<HTMLElement>('ul button')].filter(
    (el): el is HTMLElement => el !== null,
  );
  const at = stops.indexOf(e.target);
  if (at < 0) return;
  const to =
    e.key === 'ArrowDown'
      ? Math.min(at + 1, stops.length - 1)
      : e.key === 'ArrowUp'
        ? Math.max(at - 1, 0)
        : e.key === 'Home'
          ? Math.min(1, stops.length - 1)
          : e.key === 'End'
            ? stops.length - 1
            : e.key === 'Escape'
              ? 0
              : -1;
  if (to < 0) return;
  e.preventDefault();
  stops[to]?.focus();
}

function FacetPane({
  facet,
  counts,
  state,
  onToggle,
}: {
  facet: FacetName;
  counts: FacetCount[];
  state: TableState;
  onToggle: (value: string) => void;
}) {
  const selected = state.selected(facet);
  const paneRef = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const pane = paneRef.current;
    pane?.addEventListener('keydown', moveInPane);
    return () => pane?.removeEventListener('keydown', moveInPane);
  }, []);
  // Selected values stay listed (count 0) even when the other selections exclude them.
  const values = [...counts];
  for (const v of selected)
    if (!values.some((c) => (c.value ?? '') === v)) values.push({ value: v === '' ? null : v, count: 0 });
  const [filter, setFilter] = useState('');
  const shown = filter
    ? values.filter((c) => facetValueLabel(facet, c.value).toLowerCase().includes(filter.toLowerCase()))
    : values;
  return (
    <details ref={paneRef} className="facet" open={selected.length > 0 || values.length <= 8}>
      <summary>
        {FACET_TITLES[facet]}
        {selected.length > 0 && <span className="count"> ({selected.length})</span>}
      </summary>
      {values.length > 12 && (
        <input
          type="search"
          className="facet-filter"
          placeholder="Filter…"
          aria-label={`Filter ${FACET_TITLES[facet]} values`}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      )}
      <ul>
        {shown.map((c) => {
          const value = c.value ?? '';
          const pressed = selected.includes(value);
          return (
            <li key={value}>
              <button type="button" aria-pressed={pressed} onClick={() => onToggle(value)} tabIndex={-1}>
                <span>{facetValueLabel(facet, c.value)}</span>
                <span className="count">{number(c.count)}</span>
              </button>
            </li>
          );
        })}
        {shown.length === 0 && <li className="empty">No values</li>}
      </ul>
    </details>
  );
}

function Pager({
  total,
  state,
  onPage,
}: {
  total: number;
  state: TableState;
  onPage: (offset: number) => void;
}) {
  const page = Math.floor(state.offset / state.limit) + 1;
  const pages = Math.max(1, Math.ceil(total / state.limit));
  const first = total === 0 ? 0 : state.offset + 1;
  const last = Math.min(total, state.offset + state.limit);
  return (
    <nav className="pager" aria-label="Pages">
      <span>
        {number(first)}–{number(last)} of {number(total)}
      </span>
      <button type="button" onClick={() => onPage(0)} disabled={page <= 1} aria-label="First page">
        «
      </button>
      <button
        type="button"
        onClick={() => onPage(state.offset - state.limit)}
        disabled={page <= 1}
        aria-label="Previous page"
      >
        ‹
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button
        type="button"
        onClick={() => onPage(state.offset + state.limit)}
        disabled={page >= pages}
        aria-label="Next page"
      >
        ›
      </button>
      <button
        type="button"
        onClick={() => onPage((pages - 1) * state.limit)}
        disabled={page >= pages}
        aria-label="Last page"
      >
        »
      </button>
    </nav>
  );
}

/** The text search box: typing updates the URL (and the query) after a short pause. */
function SearchInput({
  value,
  onChange,
  noun,
}: {
  value: string;
  onChange: (q: string) => void;
  noun: string;
}) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  // "f" focuses the table's search from anywhere on the page but a text field ("/" is the site search).
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'f' || e.ctrlKey || e.metaKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      ref.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (text === value) return;
    const t = window.setTimeout(() => onChange(text), 350);
    return () => window.clearTimeout(t);
  }, [text, value, onChange]);
  return (
    <input
      ref={ref}
      id="table-search"
      type="search"
      className="table-search"
      placeholder={`Search ${noun}, descriptions and comments (f)`}
      aria-keyshortcuts="f"
      aria-label={`Search ${noun}`}
      value={text}
      onChange={(e) => setText(e.target.value)}
    />
  );
}

/** Hidden columns, remembered per table in this browser. */
function useStoredVisibility(
  key: string,
  narrowHidden: readonly string[],
): [VisibilityState, (u: Updater<VisibilityState>) => void] {
  const [visibility, setVisibility] = useState<VisibilityState>(() => {
    const stored = window.localStorage.getItem(key);
    if (stored === null)
      return window.innerWidth < NARROW_PX ? Object.fromEntries(narrowHidden.map((id) => [id, false])) : {};
    try {
      return JSON.parse(stored) as VisibilityState;
    } catch {
      return {};
    }
  });
  const set = (u: Updater<VisibilityState>) =>
    setVisibility((old) => {
      const next = typeof u === 'function' ? u(old) : u;
      window.localStorage.setItem(key, JSON.stringify(next));
      return next;
    });
  return [visibility, set];
}

export function FacetTable<T>(props: FacetTableProps<T>) {
  const { endpoint, fixed, columns, facets, rowKey, renderChild, noun, narrowHidden = [] } = props;
  const [location, setSearch] = useSearchParams();
  // An old dashboard's link is read as its translation at once, and the address bar follows.
  const legacy = useMemo(() => translateLegacyTableLink(location), [location]);
  const search = legacy?.params ?? location;
  const [translated, setTranslated] = useState<TranslatedLink | null>(null);
  useLayoutEffect(() => {
    if (!legacy) return;
    setTranslated(legacy);
    setSearch(legacy.params);
  }, [legacy, setSearch]);
  const state = readState(search);
  const params = useMemo(() => {
    const p = apiParams(search, fixed);
    if (!p.has('limit')) p.set('limit', String(state.limit));
    return p;
  }, [search, fixed, state.limit]);
  const query = useApi<TableResponse<T>>(apiUrl(endpoint, params));
  const data = query.data;
  const [expanded, setExpanded] = useState<ExpandedState>({});
  const [visibility, setVisibility] = useStoredVisibility(`t5g.columns.${endpoint}`, narrowHidden);
  const [density, setDensity] = useStoredDensity();
  const tableRef = useCutCellTitles(data !== undefined);
  const scrollRef = useFitToWindow(data !== undefined);
  const [showFacets, setShowFacets] = useState(true);

  const table = useReactTable<T>({
    data: data?.items ?? [],
    columns,
    getRowId: rowKey,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    getRowCanExpand: () => true,
    state: { expanded, columnVisibility: visibility },
    onExpandedChange: setExpanded,
    onColumnVisibilityChange: setVisibility,
  });

  const update = (next: URLSearchParams) => setSearch(next);
  const hiddenFacets = new Set(Object.keys(fixed));
  const activeFilters = facets.filter((f) => state.selected(f).length > 0).length + (state.q ? 1 : 0);
  const csvParams = new URLSearchParams(params);
  csvParams.delete('limit');
  csvParams.delete('offset');
  csvParams.set('format', 'csv');
  const rows = table.getRowModel().rows;
  // Only an empty table asks whether its data was ever synced.
  const firstSync = useFirstSync(endpoint, data !== undefined && data.total === 0);
  const allExpanded = rows.length > 0 && rows.every((r) => r.getIsExpanded());

  return (
    <div className={showFacets ? 'with-facets' : 'without-facets'}>
      <button
        type="button"
        className="skip-link"
        onClick={() => document.getElementById('table-search')?.focus()}
      >
        Skip to the table
      </button>
      <aside className="facets" aria-label="Filters" hidden={!showFacets}>
        {facets
          .filter((f) => !hiddenFacets.has(f))
          .map((f) => (
            <FacetPane
              key={f}
              facet={f}
              counts={data?.facets[f] ?? []}
              state={state}
              onToggle={(value) => update(toggleFacet(search, f, value))}
            />
          ))}
      </aside>
      <section className="table-area">
        {translated && <TranslatedLinkNotice link={translated} onClose={() => setTranslated(null)} />}
        <div className="toolbar">
          <SearchInput
            value={state.q}
            noun={noun[1]}
            onChange={(q) => update(withParam(search, 'q', q.trim() ? q : null))}
          />
          <label title="Case updated within">
            Updated{' '}
            <select
              value={search.get('updatedWithinDays') ?? ''}
              onChange={(e) => update(withParam(search, 'updatedWithinDays', e.target.value || null))}
            >
              <option value="">any time</option>
              <option value="1">1 day</option>
              <option value="7">7 days</option>
              <option value="30">30 days</option>
              <option value="90">90 days</option>
            </select>
          </label>
          <label title="Only cases that are not Closed">
            <input
              type="checkbox"
              checked={search.get('open') === 'true'}
              onChange={(e) => update(withParam(search, 'open', e.target.checked ? 'true' : null))}
            />{' '}
            Open only
          </label>
          <label>
            Show{' '}
            <select
              value={state.limit}
              onChange={(e) => update(withParam(search, 'limit', e.target.value))}
              aria-label="Rows per page"
            >
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => table.toggleAllRowsExpanded(!allExpanded)}
            disabled={!rows.length}
          >
            {allExpanded ? 'Collapse all' : 'Expand all'}
          </button>
          {activeFilters > 0 && (
            <button
              type="button"
              onClick={() => {
                const next = new URLSearchParams(search);
                for (const f of facets) next.delete(f);
                next.delete('q');
                next.delete('offset');
                update(next);
              }}
            >
              Clear filters
            </button>
          )}
          {/* One toolbar slot for both downloads, so the toolbar stays one line at 1280 px. */}
          <details className="menu column-menu export-menu">
            <summary className="button">Export</summary>
            <ul>
              <li>
                <a href={apiUrl(endpoint, csvParams)} download>
                  CSV
                </a>
              </li>
              <li>
                <a
                  href={apiUrl(endpoint, withParam(csvParams, 'bom', 'true'))}
                  download
                  title="The same CSV with a UTF-8 byte-order mark, so Excel shows non-Latin names correctly"
                >
                  CSV for Excel
                </a>
              </li>
            </ul>
          </details>
          <button type="button" aria-pressed={!showFacets} onClick={() => setShowFacets(!showFacets)}>
            {showFacets ? 'Hide filters' : 'Show filters'}
          </button>
          <label>
            Rows{' '}
            <select
              value={density}
              onChange={(e) => setDensity(e.target.value as Density)}
              aria-label="Row density"
            >
              {Object.entries(DENSITIES).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <details className="menu column-menu">
            <summary className="button">Columns</summary>
            <ul>
              {table
                .getAllLeafColumns()
                .filter((c) => typeof c.columnDef.header === 'string')
                .map((c) => (
                  <li key={c.id}>
                    <label>
                      <input
                        type="checkbox"
                        checked={c.getIsVisible()}
                        onChange={c.getToggleVisibilityHandler()}
                      />{' '}
                      {c.columnDef.header as string}
                    </label>
                  </li>
                ))}
            </ul>
          </details>
        </div>
        <div className="table-status">
          {data && (
            <Pager
              total={data.total}
              state={state}
              onPage={(o) =>
                update(withParam(search, 'offset', String(Math.max(0, o)), { keepOffset: true }))
              }
            />
          )}
          <span className="spacer" />
          {query.isFetching && <span className="muted">updating…</span>}
          <strong data-testid="table-total" aria-live="polite">
            {data ? `${number(data.total)} ${data.total === 1 ? noun[0] : noun[1]}` : ''}
          </strong>
        </div>
        <ErrorBox error={query.error} />
        {!data && query.isLoading && <Loading what={`Loading ${noun[1]}`} />}
        {data && (
          <div className="table-scroll" ref={scrollRef}>
            <table ref={tableRef} className={`data main-table rows-${density}`}>
              <caption className="muted">Note: use shift+click to sort by multiple columns.</caption>
              <thead>
                {table.getHeaderGroups().map((hg) => (
                  <tr key={hg.id}>
                    {hg.headers.map((h) => {
                      const meta = h.column.columnDef.meta as ColumnMeta | undefined;
                      const sortKey = meta?.sortKey;
                      const idx = sortKey ? state.sort.findIndex((t) => t.key === sortKey) : -1;
                      const term = idx >= 0 ? state.sort[idx] : undefined;
                      const label = flexRender(h.column.columnDef.header, h.getContext());
                      return (
                        <th
                          key={h.id}
                          className={`col-${h.column.id} ${meta?.className ?? ''}`.trim()}
                          aria-sort={
                            term && idx === 0 ? (term.dir === 'asc' ? 'ascending' : 'descending') : undefined
                          }
                        >
                          {sortKey ? (
                            <button
                              type="button"
                              className="sort-button"
                              title="Sort (shift+click adds to the sort)"
                              onClick={(e) =>
                                update(
                                  withParam(
                                    search,
                                    'sort',
                                    formatSort(
                                      nextSort(state.sort, sortKey, e.shiftKey, meta?.firstDir ?? 'asc'),
                                    ),
                                  ),
                                )
                              }
                            >
                              {label}
                              {term && (
                                <span className="sort-indicator">
                                  {term.dir === 'asc' ? '▲' : '▼'}
                                  {state.sort.length > 1 ? idx + 1 : ''}
                                </span>
                              )}
                            </button>
                          ) : (
                            label
                          )}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {rows.map((row) => (
                  <Fragment key={row.id}>
                    <tr data-row-key={row.id} className={row.getIsExpanded() ? 'expanded' : undefined}>
                      {row.getVisibleCells().map((cell) => {
                        const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
                        return (
                          <td
                            key={cell.id}
                            className={`col-${cell.column.id} ${meta?.className ?? ''}`.trim()}
                          >
                            <div className="cell">
                              {flexRender(cell.column.columnDef.cell, cell.getContext())}
                            </div>
                          </td>
                        );
                      })}
                    </tr>
                    {row.getIsExpanded() && (
                      <tr className="child-row">
                        <td colSpan={row.getVisibleCells().length}>{renderChild(row.original)}</td>
                      </tr>
                    )}
                  </Fragment>
                ))}
                {rows.length === 0 && (
                  <tr>
                    <td colSpan={columns.length} className="empty">
                      {firstSync ? (
                        <FirstSyncMessage job={endpoint} noun={noun[1]} />
                      ) : activeFilters > 0 || Object.keys(fixed).length > 0 ? (
                        `No ${noun[1]} match these filters.`
                      ) : (
                        `No ${noun[1]} yet.`
                      )}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
        {data && data.total > state.limit && (
          <Pager
            total={data.total}
            state={state}
            onPage={(o) => update(withParam(search, 'offset', String(Math.max(0, o)), { keepOffset: true }))}
          />
        )}
      </section>
    </div>
  );
}

/** Says that a link of the original dashboard was translated, and names what it left out. */
function TranslatedLinkNotice({ link, onClose }: { link: TranslatedLink; onClose: () => void }) {
  return (
    <div className={`notice ${link.untranslated.length ? 'notice-warning' : ''}`.trim()} role="status">
      <p>
        This link comes from the original dashboard; its filters, search, sort and page are shown in
        today&rsquo;s terms{link.untranslated.length ? ', except:' : '.'}
      </p>
      {link.untranslated.length > 0 && (
        <ul data-testid="untranslated">
          {link.untranslated.map((u) => (
            <li key={u}>{u}</li>
          ))}
        </ul>
      )}
      <button type="button" className="link-button" onClick={onClose}>
        Dismiss
      </button>
    </div>
  );
}

/** A data column: its cell from the row, and the API sort key a header click sorts by. */
export function column<T>(
  id: string,
  header: string,
  cell: (row: T) => ReactNode,
  sortKey?: string,
  firstDir: 'asc' | 'desc' = 'asc',
): ColumnDef<T, unknown> {
  return { id, header, cell: ({ row }) => cell(row.original), meta: { sortKey, firstDir } };
}

/** The first column: a row's expand/collapse control, named after what the row shows. */
export function expandColumn<T>(label: (row: T) => string): ColumnDef<T, unknown> {
  return {
    id: 'expand',
    header: () => <span className="sr-only">Details</span>,
    cell: ({ row }) => (
      <ExpandButton
        label={label(row.original)}
        expanded={row.getIsExpanded()}
        onToggle={row.getToggleExpandedHandler()}
      />
    ),
  };
}

/** The expand/collapse control of a row (first column). */
export function ExpandButton({
  label,
  expanded,
  onToggle,
}: {
  label: string;
  expanded: boolean;
  onToggle: () => void;
}) {
  return (
    <button
      type="button"
      className="expand-button"
      aria-expanded={expanded}
      aria-label={`Expand ${label}`}
      onClick={onToggle}
    >
      {expanded ? '−' : '+'}
    </button>
  );
}
