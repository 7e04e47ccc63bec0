import {
  type ColumnDef,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { type ReactNode, useMemo } from 'react';
import { COUNTS, type Counted, countedLink } from '../../shared/counted.js';
import { ApiError, apiUrl, useApi } from '../api.js';
import { CardsTable } from '../components/cards-table.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { safeUrl } from '../components/markup.js';
import {
  bySeverity,
  CountPie,
  MetricsTable,
  OutcomesSection,
  severityColors,
} from '../components/stats-parts.js';
import { ago, dash, day, number } from '../format.js';
import { href, Link, useSearchParams } from '../router.js';
import type {
  AccountList,
  AccountPageData,
  AccountSummary,
  EngineerList,
  EngineerPageData,
  EngineerSummary,
  LinkRow,
} from '../types.js';

type PersonPage = AccountPageData | EngineerPageData;

import './stats.css';

// Accounts and engineers: a sortable, filterable list of each, and one page per account or engineer
// with its stats, outcomes, pie breakdowns, (accounts only) the linked bugs and JIRA issues, and its
// cards. The list's sort and filter live in the query string.

const accountPath = (name: string) => `/account/${encodeURIComponent(name)}`;
const engineerPath = (name: string) => `/engineer/${encodeURIComponent(name)}`;

// ---- lists ----

interface Column<T> {
  key: string;
  header: string;
  value: (row: T) => string | number | null;
  render?: (row: T) => ReactNode;
  num?: boolean;
  /** Direction of the first click: numbers and dates most first. */
  firstDir?: 'asc' | 'desc';
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * A client-side list (every row is on the page) on TanStack Table: the URL's `q` filters the first
 * column, `sort`/`dir` order it, empty values sort last in both directions and ties go by name.
 */
function SortableList<T>({
  noun,
  rows,
  columns,
  rowKey,
  defaultSort,
  csvUrl,
}: {
  noun: string;
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  defaultSort: { key: string; dir: 'asc' | 'desc' };
  csvUrl: string;
}) {
  const [search, setSearch] = useSearchParams();
  const q = search.get('q') ?? '';
  const sortKey = columns.some((c) => c.key === search.get('sort'))
    ? (search.get('sort') as string)
    : defaultSort.key;
  const dir: 'asc' | 'desc' =
    search.get('dir') === 'asc' || search.get('dir') === 'desc'
      ? (search.get('dir') as 'asc' | 'desc')
      : sortKey === defaultSort.key
        ? defaultSort.dir
        : (columns.find((c) => c.key === sortKey)?.firstDir ?? 'asc');
  const nameKey = columns[0]?.key ?? '';

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setSearch(next);
  };

  const defs = useMemo<ColumnDef<T, unknown>[]>(
    () =>
      columns.map((c) => ({
        id: c.key,
        header: c.header,
        accessorFn: (row: T) => c.value(row),
        // The table flips this comparator for "desc"; empty values stay last either way, and two
        // empty values tie (so the name decides).
        sortingFn: (a, b, id) => {
          const va = a.getValue(id);
          const vb = b.getValue(id);
          if ((va === null) !== (vb === null)) return (va === null) === (dir === 'asc') ? 1 : -1;
          return compare(va, vb);
        },
        filterFn: (row, id, needle: string) =>
          String(row.getValue(id) ?? '')
            .toLocaleLowerCase()
            .includes(needle),
        meta: c,
      })),
    [columns, dir],
  );
  // Stable state objects: the table recomputes its row models (and re-renders) whenever they change.
  const sorting = useMemo<SortingState>(
    () => [
      { id: sortKey, desc: dir === 'desc' },
      ...(sortKey === nameKey ? [] : [{ id: nameKey, desc: false }]),
    ],
    [sortKey, dir, nameKey],
  );
  const needle = q.trim().toLocaleLowerCase();
  const columnFilters = useMemo(() => (needle ? [{ id: nameKey, value: needle }] : []), [needle, nameKey]);
  const table = useReactTable<T>({
    data: rows,
    columns: defs,
    state: { sorting, columnFilters },
    // Every row is shown: no pages to reset when the rows change.
    autoResetPageIndex: false,
    getRowId: rowKey,
    getCoreRowModel: getCoreRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getSortedRowModel: getSortedRowModel(),
    enableMultiSort: true,
  });
  const shown = table.getRowModel().rows;

  const sortBy = (c: Column<T>) => {
    const nextDir = c.key === sortKey ? (dir === 'asc' ? 'desc' : 'asc') : (c.firstDir ?? 'asc');
    update({ sort: c.key, dir: nextDir });
  };

  return (
    <>
      <div className="toolbar">
        <label>
          Filter by name <input type="search" value={q} onChange={(e) => update({ q: e.target.value })} />
        </label>
        <span className="muted" role="status">
          {shown.length === rows.length
            ? `${number(rows.length)} ${noun}`
            : `${number(shown.length)} of ${number(rows.length)} ${noun}`}
        </span>
        <span className="spacer" />
        <a href={csvUrl} download>
          Download CSV
        </a>
        <a
          href={`${csvUrl}&bom=true`}
          download
          title="The same CSV with a UTF-8 byte-order mark, so Excel shows non-Latin names correctly"
        >
          CSV for Excel
        </a>
      </div>
      {shown.length === 0 ? (
        <p className="empty">{rows.length === 0 ? `No ${noun} yet.` : `No ${noun} match “${q}”.`}</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                {table.getFlatHeaders().map((h) => {
                  const c = h.column.columnDef.meta as Column<T>;
                  return (
                    <th
                      key={h.id}
                      scope="col"
                      className={c.num ? 'num' : undefined}
                      aria-sort={c.key === sortKey ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}
                    >
                      <button type="button" className="sort-button" onClick={() => sortBy(c)}>
                        {c.header}
                        {c.key === sortKey && (
                          <span className="sort-indicator" aria-hidden="true">
                            {dir === 'asc' ? '▲' : '▼'}
                          </span>
                        )}
                      </button>
                    </th>
                  );
                })}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id}>
                  {r.getVisibleCells().map((cell) => {
                    const c = cell.column.columnDef.meta as Column<T>;
                    return (
                      <td key={cell.id} className={c.num ? 'num' : undefined}>
                        {c.render
                          ? c.render(r.original)
                          : c.num
                            ? number(c.value(r.original) as number)
                            : dash(String(c.value(r.original) ?? ''))}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

const num = <T,>(key: string, header: string, value: (r: T) => number): Column<T> => ({
  key,
  header,
  value,
  num: true,
  firstDir: 'desc',
});

/** A count that opens exactly the rows it counted (the shared definition of the number). */
const counted = <T,>(
  key: string,
  header: string,
  value: (r: T) => number,
  rows: (r: T) => Counted,
): Column<T> => ({
  ...num(key, header, value),
  render: (r) => (
    <Link to={countedLink(rows(r))} title="Open these rows in the table">
      {number(value(r))}
    </Link>
  ),
});

const ACCOUNT_COLUMNS: Column<AccountSummary>[] = [
  {
    key: 'name',
    header: 'Account',
    value: (a) => a.name,
    render: (a) => <Link to={accountPath(a.name)}>{a.name}</Link>,
  },
  counted(
    'openCases',
    'Open Cases',
    (a) => a.openCases,
    (a) => COUNTS.openCases({ account: a.name }),
  ),
  counted(
    'cases',
    'Cases',
    (a) => a.cases,
    (a) => COUNTS.cases({ account: a.name }),
  ),
  counted(
    'highPriority',
    'High Priority',
    (a) => a.highPriority,
    (a) => COUNTS.highPriority({ account: a.name }),
  ),
  counted(
    'escalated',
    'On Prio-list',
    (a) => a.escalated,
    (a) => COUNTS.onPrioList({ account: a.name }),
  ),
  counted(
    'critSit',
    'Crit Sit',
    (a) => a.critSit,
    (a) => COUNTS.critSit({ account: a.name }),
  ),
  counted(
    'cards',
    'Cards',
    (a) => a.cards,
    (a) => COUNTS.cards({ account: a.name }),
  ),
  {
    key: 'lastUpdate',
    header: 'Last Case Update',
    value: (a) => a.lastUpdate,
    render: (a) => <span title={a.lastUpdate ?? undefined}>{day(a.lastUpdate)}</span>,
    firstDir: 'desc',
  },
];

const ENGINEER_COLUMNS: Column<EngineerSummary>[] = [
  {
    key: 'name',
    header: 'Engineer',
    value: (e) => e.name,
    render: (e) => (
      <>
        <Link to={engineerPath(e.name)}>{e.name}</Link>
        {e.active === false && <span className="muted"> (inactive)</span>}
      </>
    ),
  },
  counted(
    'openCases',
    'Open Cases',
    (e) => e.openCases,
    (e) => COUNTS.openCases({ engineer: e.name }),
  ),
  counted(
    'cards',
    'Cards',
    (e) => e.cards,
    (e) => COUNTS.cards({ engineer: e.name }),
  ),
  counted(
    'highPriority',
    'High Priority',
    (e) => e.highPriority,
    (e) => COUNTS.highPriority({ engineer: e.name }),
  ),
  counted(
    'escalated',
    'On Prio-list',
    (e) => e.escalated,
    (e) => COUNTS.onPrioList({ engineer: e.name }),
  ),
  counted(
    'critSit',
    'Crit Sit',
    (e) => e.critSit,
    (e) => COUNTS.critSit({ engineer: e.name }),
  ),
  {
    key: 'lastCommentAt',
    header: 'Last Comment',
    value: (e) => e.lastCommentAt,
    render: (e) =>
      e.lastCommentAt ? (
        <span title={e.lastCommentAt}>{ago(e.lastCommentAt)}</span>
      ) : (
        <span className="muted">---</span>
      ),
    firstDir: 'desc',
  },
  {
    key: 'team',
    header: 'Team Member',
    value: (e) => (e.team ? 'Yes' : 'No'),
  },
];

export function AccountsPage() {
  const q = useApi<AccountList>(apiUrl('accounts'));
  return (
    <section>
      <PageTitle title="accounts">Accounts</PageTitle>
      <ErrorBox error={q.error} />
      {q.isPending ? (
        <Loading what="Loading accounts" />
      ) : (
        q.data && (
          <SortableList
            noun="accounts"
            rows={q.data.items}
            columns={ACCOUNT_COLUMNS}
            rowKey={(a) => a.name}
            defaultSort={{ key: 'openCases', dir: 'desc' }}
            csvUrl={apiUrl('accounts', { format: 'csv' })}
          />
        )
      )}
    </section>
  );
}

export function EngineersPage() {
  const q = useApi<EngineerList>(apiUrl('engineers'));
  return (
    <section>
      <PageTitle title="engineers">Engineers</PageTitle>
      <ErrorBox error={q.error} />
      {q.isPending ? (
        <Loading what="Loading engineers" />
      ) : (
        q.data && (
          <SortableList
            noun="engineers"
            rows={q.data.items}
            columns={ENGINEER_COLUMNS}
            rowKey={(e) => e.name}
            defaultSort={{ key: 'openCases', dir: 'desc' }}
            csvUrl={apiUrl('engineers', { format: 'csv' })}
          />
        )
      )}
    </section>
  );
}

// ---- one account / engineer ----

function BugsTable({ rows }: { rows: LinkRow[] }) {
  if (rows.length === 0)
    return <p className="empty">No bugs or JIRA issues are linked to this account's cases.</p>;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">BZ/JIRA#</th>
            <th scope="col">Summary</th>
            <th scope="col">Priority/Severity</th>
            <th scope="col">Target Release</th>
            <th scope="col">Assignee</th>
            <th scope="col">QA Contact</th>
            <th scope="col">Last Updated</th>
            <th scope="col">Status</th>
            <th scope="col">Case</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const url = safeUrl(r.url);
            const label = r.kind === 'bug' ? `BZ ${r.id}` : r.id;
            return (
              <tr key={`${r.kind}:${r.id}:${r.caseNumber}`}>
                <td className="nowrap">
                  {url ? (
                    <a href={url} target="_blank" rel="noopener noreferrer">
                      {label}
                    </a>
                  ) : (
                    label
                  )}
                </td>
                <td>{dash(r.summary)}</td>
                <td className="nowrap">
                  {dash(r.priority)} / {dash(r.severity)}
                </td>
                <td>
                  {r.targetRelease.length > 0 ? (
                    r.targetRelease.join(', ')
                  ) : (
                    <span className="muted">---</span>
                  )}
                </td>
                <td>{dash(r.assignee)}</td>
                <td>{dash(r.qaContact)}</td>
                <td className="nowrap" title={r.updated ?? undefined}>
                  {day(r.updated)}
                </td>
                <td className="nowrap">{dash(r.status)}</td>
                <td className="nowrap">
                  <Link to={`/case/${encodeURIComponent(r.caseNumber)}`}>{r.caseNumber}</Link>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function PersonStats({ data, statsLink }: { data: PersonPage; statsLink: string }) {
  return (
    <>
      <div className="stats-top">
        <section className="panel" aria-labelledby="person-stats-heading">
          <h2 id="person-stats-heading">Statistics</h2>
          <MetricsTable stats={data.stats} />
          <p>
            <Link to={statsLink}>Breakdowns and daily history on the stats page</Link>
          </p>
        </section>
        <section className="panel" aria-labelledby="person-cards-heading">
          <h2 id="person-cards-heading">Cards</h2>
          <div className="pie-grid">
            <CountPie
              title="Cards By Severity"
              counts={data.cardsBySeverity}
              order={bySeverity}
              colors={severityColors}
            />
            <CountPie title="Cards by Status" counts={data.cardsByCaseStatus} />
          </div>
          <p className="muted small">
            Severity counts open cards only; status counts every card, closed included.
          </p>
        </section>
      </div>
      <OutcomesSection outcomes={data.outcomes} />
    </>
  );
}

function Person<P extends PersonPage>({
  kind,
  name,
  apiPath,
  listPath,
  summary,
  extra,
  fixed,
}: {
  kind: 'Account' | 'Engineer';
  name: string;
  apiPath: string;
  listPath: string;
  summary: (data: P) => ReactNode;
  extra?: (data: P) => ReactNode;
  fixed: Record<string, string[]>;
}) {
  const q = useApi<P>(apiUrl(`${apiPath}/${encodeURIComponent(name)}`));
  const heading = `${kind} Stats: ${name}`;
  const notFound = q.error instanceof ApiError && q.error.status === 404;
  const scopeKey = kind === 'Account' ? 'account' : 'engineer';
  return (
    <section>
      <PageTitle title={`${kind.toLowerCase()}: ${name}`}>{heading}</PageTitle>
      {notFound ? (
        <p>
          No {kind.toLowerCase()} named “{name}”. See <Link to={listPath}>all {kind.toLowerCase()}s</Link>.
        </p>
      ) : (
        <ErrorBox error={q.error} />
      )}
      {q.isPending && <Loading what={`Loading ${kind.toLowerCase()}`} />}
      {q.data && !notFound && (
        <>
          <p className="person-summary">{summary(q.data)}</p>
          <PersonStats data={q.data} statsLink={href('/stats', { [scopeKey]: name })} />
          {extra?.(q.data)}
          <section aria-labelledby="cases-heading">
            <h2 id="cases-heading">Cases:</h2>
            <CardsTable fixed={fixed} />
          </section>
        </>
      )}
    </section>
  );
}

export function AccountPage({ name }: { name: string }) {
  const fixed = useMemo(() => ({ account: [name] }), [name]);
  return (
    <Person<AccountPageData>
      kind="Account"
      name={name}
      apiPath="accounts"
      listPath="/accounts"
      fixed={fixed}
      summary={(d) => {
        const s = d.summary;
        return (
          <>
            {number(s.cases)} cases ({number(s.openCases)} open), {number(s.cards)} cards; last case update{' '}
            <span title={s.lastUpdate ?? undefined}>{ago(s.lastUpdate)}</span>.
          </>
        );
      }}
      extra={(d) => (
        <section aria-labelledby="bugs-heading">
          <h2 id="bugs-heading">Bugs and JIRA Issues:</h2>
          <BugsTable rows={d.bugs} />
        </section>
      )}
    />
  );
}

export function EngineerPage({ name }: { name: string }) {
  const fixed = useMemo(() => ({ assignee: [name] }), [name]);
  return (
    <Person<EngineerPageData>
      kind="Engineer"
      name={name}
      apiPath="engineers"
      listPath="/engineers"
      fixed={fixed}
      summary={(d) => {
        const s = d.summary;
        return (
          <>
            <Link to={countedLink(COUNTS.cards({ engineer: d.name }))}>{number(s.cards)} cards</Link>,{' '}
            <Link to={countedLink(COUNTS.openCases({ engineer: d.name }))}>
              {number(s.openCases)} open cases
            </Link>
            ; last comment <span title={s.lastCommentAt ?? undefined}>{ago(s.lastCommentAt)}</span>.
            {d.team === false && <span className="muted"> Not a team member (card assignee only).</span>}
          </>
        );
      }}
    />
  );
}
