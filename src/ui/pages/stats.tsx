import { useMemo } from 'react';
import { COUNTS, countedLink, narrowed } from '../../shared/counted.js';
import { apiUrl, useApi } from '../api.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import {
  Breakdown,
  type BreakdownRow,
  bySeverity,
  HistoryChart,
  MetricsTable,
  OutcomesSection,
} from '../components/stats-parts.js';
import { Link, useSearchParams } from '../router.js';
import type { AccountList, EngineerList, History, Outcomes, Stats } from '../types.js';
import './stats.css';

// Stats: the live metrics, the daily history, breakdowns and relief/resolution outcomes, for
// everything or for one account and/or one engineer. The scope and the history's date range live in
// the query string (/stats?account=X&from=2026-01-01), so a view can be bookmarked and shared.

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

const byCountThenName = (a: BreakdownRow, b: BreakdownRow) =>
  b.count - a.count || a.label.localeCompare(b.label);

function rows(counts: Record<string, number>, to: (key: string) => string | undefined): BreakdownRow[] {
  return Object.entries(counts).map(([label, count]) => ({ label, count, to: to(label) }));
}

function ScopeForm({
  account,
  engineer,
  set,
}: {
  account: string;
  engineer: string;
  set: (changes: Record<string, string>) => void;
}) {
  const accounts = useApi<AccountList>(apiUrl('accounts'));
  const engineers = useApi<EngineerList>(apiUrl('engineers'));
  const accountNames = useMemo(() => {
    const names = (accounts.data?.items ?? []).map((a) => a.name);
    if (account && !names.includes(account)) names.push(account);
    return names.sort((a, b) => a.localeCompare(b));
  }, [accounts.data, account]);
  const engineerNames = useMemo(() => {
    const names = (engineers.data?.items ?? []).map((e) => e.name);
    if (engineer && !names.includes(engineer)) names.push(engineer);
    return names.sort((a, b) => a.localeCompare(b));
  }, [engineers.data, engineer]);

  return (
    <form className="toolbar scope-form" aria-label="Scope" onSubmit={(e) => e.preventDefault()}>
      <label>
        Account{' '}
        <select value={account} onChange={(e) => set({ account: e.target.value })}>
          <option value="">All accounts</option>
          {accountNames.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        Engineer{' '}
        <select value={engineer} onChange={(e) => set({ engineer: e.target.value })}>
          <option value="">All engineers</option>
          {engineerNames.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      {(account || engineer) && (
        <button type="button" onClick={() => set({ account: '', engineer: '' })}>
          Clear scope
        </button>
      )}
      {account && <Link to={`/account/${encodeURIComponent(account)}`}>Account page</Link>}
      {engineer && <Link to={`/engineer/${encodeURIComponent(engineer)}`}>Engineer page</Link>}
      <ErrorBox error={accounts.error ?? engineers.error} />
    </form>
  );
}

function HistorySection({
  scope,
  from,
  to,
  set,
}: {
  scope: Record<string, string>;
  from: string;
  to: string;
  set: (changes: Record<string, string>) => void;
}) {
  const badRange = from !== '' && to !== '' && from > to;
  const history = useApi<History>(badRange ? null : apiUrl('stats/history', { ...scope, from, to }));
  const shownFrom = from || history.data?.from || '';
  const shownTo = to || history.data?.to || '';
  return (
    <section className="panel stats-history" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <div className="toolbar">
        <label>
          From{' '}
          <input
            type="date"
            value={shownFrom}
            max={shownTo || undefined}
            onChange={(e) => set({ from: e.target.value })}
          />
        </label>
        <label>
          To{' '}
          <input
            type="date"
            value={shownTo}
            min={shownFrom || undefined}
            onChange={(e) => set({ to: e.target.value })}
          />
        </label>
        {(from || to) && (
          <button type="button" onClick={() => set({ from: '', to: '' })}>
            Last 90 days
          </button>
        )}
      </div>
      {badRange ? (
        <p className="error" role="alert">
          The start date is after the end date.
        </p>
      ) : (
        <>
          <ErrorBox error={history.error} />
          {history.isPending ? (
            <Loading what="Loading history" />
          ) : (
            history.data && <HistoryChart history={history.data} label="Stats history" />
          )}
        </>
      )}
    </section>
  );
}

function Breakdowns({ stats, scope }: { stats: Stats; scope: { account?: string; engineer?: string } }) {
  // Each count opens exactly the rows it counted: the shared definition narrowed to the row's value.
  const open = COUNTS.openCases(scope);
  const customers = rows(stats.by_customer, (a) => `/account/${encodeURIComponent(a)}`).sort(byCountThenName);
  const severities = rows(stats.by_severity, (s) => countedLink(narrowed(open, 'severity', s))).sort((a, b) =>
    bySeverity(a.label, b.label),
  );
  const statuses = rows(stats.by_status, (s) =>
    countedLink(narrowed(COUNTS.cases(scope), 'caseStatus', s)),
  ).sort(byCountThenName);
  const engineers = rows(stats.by_engineer, (e) => `/engineer/${encodeURIComponent(e)}`).sort(
    byCountThenName,
  );
  return (
    <section aria-labelledby="breakdowns-heading">
      <h2 id="breakdowns-heading">Breakdowns</h2>
      <div className="breakdown-grid">
        <Breakdown title="Customer" keyHeader="Customer" countHeader="Open Cases" rows={customers} />
        <Breakdown title="Severity" keyHeader="Severity" countHeader="Open Cases" rows={severities} />
        <Breakdown title="Status" keyHeader="Case Status" countHeader="Cases" rows={statuses} />
        <Breakdown
          title="Field Engineer"
          keyHeader="Engineer"
          countHeader="Open Cases"
          rows={engineers}
          note="Cases without an assigned card are not counted."
        />
      </div>
    </section>
  );
}

export function StatsPage() {
  const [search, setSearch] = useSearchParams();
  const account = search.get('account') ?? '';
  const engineer = search.get('engineer') ?? '';
  const fromParam = search.get('from') ?? '';
  const toParam = search.get('to') ?? '';
  const from = DAY_RE.test(fromParam) ? fromParam : '';
  const to = DAY_RE.test(toParam) ? toParam : '';

  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setSearch(next);
  };

  const scope = useMemo(() => {
    const s: Record<string, string> = {};
    if (account) s.account = account;
    if (engineer) s.engineer = engineer;
    return s;
  }, [account, engineer]);
  const stats = useApi<Stats>(apiUrl('stats', scope));
  const outcomes = useApi<Outcomes>(apiUrl('stats/outcomes', scope));

  const scopeText = [account && `account ${account}`, engineer && `engineer ${engineer}`]
    .filter(Boolean)
    .join(', ');

  return (
    <section>
      <PageTitle title={scopeText ? `stats: ${scopeText}` : 'stats'}>
        Stats{scopeText ? ` for ${scopeText}` : ''}
      </PageTitle>
      <ScopeForm account={account} engineer={engineer} set={set} />

      <div className="stats-top">
        <section className="panel" aria-labelledby="overall-heading">
          <h2 id="overall-heading">Overall Stats</h2>
          <ErrorBox error={stats.error} />
          {stats.isPending ? (
            <Loading what="Loading stats" />
          ) : (
            stats.data && <MetricsTable stats={stats.data} />
          )}
        </section>
        <HistorySection scope={scope} from={from} to={to} set={set} />
      </div>

      {stats.data && <Breakdowns stats={stats.data} scope={scope} />}

      <ErrorBox error={outcomes.error} />
      {outcomes.isPending ? (
        <Loading what="Loading outcomes" />
      ) : (
        outcomes.data && <OutcomesSection outcomes={outcomes.data} />
      )}
    </section>
  );
}
