import type { EChartsType } from 'echarts/core';
import { useCallback, useMemo } from 'react';
import { apiUrl, useApi } from '../api.js';
import { SeverityBadge, StatusBadge } from '../components/badges.js';
import { Chart, type ChartOption } from '../components/chart.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ExtLink } from '../components/markup.js';
import { dateTime, number } from '../format.js';
import { href, Link, navigate } from '../router.js';
import type { NewCase, NewCases, StatusCounts } from '../types.js';
import './stats.css';

// Home: the cases opened in the last 7 days (any status), most severe first, then the number of
// cards in each internal status as a bar chart whose bars open the pre-filtered card table.

const DAYS = 7;

/** The internal-status badge colours, so a bar matches the badge of its status. */
const STATUS_COLORS: Record<string, string> = {
  New: '#a8afb8',
  Backlog: '#5fc4d3',
  Debugging: '#e0413a',
  'Eng Working': '#f6a04d',
  Backport: '#e6c619',
  'Ready To Close': '#4d8fe0',
  Done: '#5ba352',
  Blocked: '#7a8b99',
};

const statusTable = (status: string) => href('/table/all', { internalStatus: status });

function NewCasesTable({ items }: { items: NewCase[] }) {
  if (items.length === 0) return <p className="empty">No cases opened in the last {DAYS} days.</p>;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th scope="col">Case</th>
            <th scope="col">Account</th>
            <th scope="col">Severity</th>
            <th scope="col">Summary</th>
            <th scope="col">Status</th>
            <th scope="col">JIRA</th>
            <th scope="col">Opened (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.caseNumber}>
              <td className="nowrap">
                <ExtLink url={c.caseUrl} title="Open the case in the Customer Portal">
                  {c.caseNumber}
                </ExtLink>{' '}
                <Link
                  to={`/case/${encodeURIComponent(c.caseNumber)}`}
                  className="small-link"
                  aria-label={`Details of case ${c.caseNumber}`}
                >
                  details
                </Link>
              </td>
              <td>
                <Link to={`/account/${encodeURIComponent(c.account)}`}>{c.account}</Link>
              </td>
              <td>
                <SeverityBadge severity={c.severity} />
              </td>
              <td>{c.summary}</td>
              <td className="nowrap">{c.status}</td>
              <td className="nowrap">
                {c.jiraKey ? (
                  <ExtLink url={c.jiraUrl}>{c.jiraKey}</ExtLink>
                ) : (
                  <span className="muted">---</span>
                )}
              </td>
              <td className="nowrap">{dateTime(c.createdDate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function StatusChart({ data }: { data: StatusCounts }) {
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      xAxis: { type: 'category', data: data.counts.map((c) => c.status), axisLabel: { interval: 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          name: 'Cards',
          type: 'bar',
          cursor: 'pointer',
          data: data.counts.map((c) => ({
            value: c.count,
            ...(STATUS_COLORS[c.status] ? { itemStyle: { color: STATUS_COLORS[c.status] } } : {}),
          })),
          label: { show: true, position: 'top' },
        },
      ],
    }),
    [data],
  );
  const onReady = useCallback((chart: EChartsType) => {
    chart.on('click', (p) => {
      if (p.name) navigate(statusTable(p.name));
    });
  }, []);
  if (data.counts.length === 0) return <p className="empty">No cards yet.</p>;
  const summary = data.counts.map((c) => `${c.status} ${c.count}`).join(', ');
  return (
    <>
      <Chart
        option={option}
        height={300}
        label={`Bar chart: number of cards in each category: ${summary}. Click a bar to list its cards.`}
        onReady={onReady}
      />
      <ul className="chart-links" aria-label="Cards in each category">
        {data.counts.map((c) => (
          <li key={c.status}>
            <Link to={statusTable(c.status)}>
              <StatusBadge status={c.status} /> {number(c.count)}
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

export function HomePage() {
  const cases = useApi<NewCases>(apiUrl('cases/new', { days: DAYS }));
  const counts = useApi<StatusCounts>(apiUrl('cards/status-counts'));

  // The API already orders them; sort again so the page never depends on it.
  const items = useMemo(
    () =>
      [...(cases.data?.items ?? [])].sort(
        (a, b) => b.severityOrder - a.severityOrder || b.createdDate.localeCompare(a.createdDate),
      ),
    [cases.data],
  );

  return (
    <section>
      <PageTitle title="home">
        {cases.data ? `${number(items.length)} ` : ''}Cases Opened in the Last {DAYS} Days
      </PageTitle>
      <div className="toolbar">
        <Link to="/updates/" className="button">
          Recent Updates
        </Link>
        <Link to="/updates/all" className="button">
          All Cards
        </Link>
      </div>
      <ErrorBox error={cases.error} />
      {cases.isPending ? <Loading what="Loading new cases" /> : cases.data && <NewCasesTable items={items} />}

      <section className="panel home-chart" aria-labelledby="card-categories">
        <h2 id="card-categories">Number of Cards in Each Category</h2>
        <ErrorBox error={counts.error} />
        {counts.isPending ? (
          <Loading what="Loading card counts" />
        ) : (
          counts.data && <StatusChart data={counts.data} />
        )}
      </section>
    </section>
  );
}
