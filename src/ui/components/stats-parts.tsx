import { type ReactNode, useMemo, useState } from 'react';
import { SEVERITIES, type Severity } from '../../shared/vocabulary.js';
import { number } from '../format.js';
import { Link } from '../router.js';
import type { Duration, History, Outcomes, Stats } from '../types.js';
import { Chart, type ChartOption } from './chart.js';

// The pieces the stats, account and engineer pages share: the metrics table, the relief/resolution
// tables and histograms, the pie charts, a breakdown list and the daily history chart.

/** The badges' colours, so a chart's severity matches the tables'. */
const SEVERITY_COLORS: Record<string, string> = {
  Urgent: '#e0413a',
  High: '#f6a04d',
  Normal: '#e6c619',
  Low: '#5fc4d3',
};

/** Severity labels first in Urgent→Low order, then anything else (e.g. "Unknown") by name. */
export function bySeverity(a: string, b: string): number {
  const ia = SEVERITIES.indexOf(a as Severity);
  const ib = SEVERITIES.indexOf(b as Severity);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  return a.localeCompare(b);
}

// ---- metrics ----

const METRICS: [keyof Stats, string, string][] = [
  ['open_cases', 'Open Cases', 'Cases that are not Closed.'],
  ['escalated', 'Cases On Prio-list', 'Open cases on an open escalation (the prio-list).'],
  ['crit_sit', 'Crit Sit Cases', 'Open cases flagged as a critical situation in the Portal.'],
  ['total_escalations', 'Total Escalations', 'Open cases on the prio-list or in crit sit.'],
  ['high_prio', 'High Priority Cases', 'Open cases of severity Urgent or High.'],
  ['daily_opened_cases', 'Cases Opened in the Last Day', 'Created in the last 24 hours, any status.'],
  ['weekly_opened_cases', 'Cases Opened in the Last Week', 'Created in the last 7 days, any status.'],
  ['daily_closed_cases', 'Cases Closed in the Last Day', 'Closed in the last 24 hours.'],
  ['weekly_closed_cases', 'Cases Closed in the Last Week', 'Closed in the last 7 days.'],
  ['no_updates', 'Cases With No Updates In The Last Week', 'Open cases not updated for 7 days.'],
  ['no_bzs', 'Cases With No Bugs Associated', 'Open cases with no linked bug or JIRA issue.'],
  ['bugs_unique', 'Unique Bugs', 'Distinct bugs and JIRA issues linked to open cases.'],
  ['bugs_no_target', 'Bugs With No Target', 'Of those, with no target release / fix version.'],
];

/** The "Overall Stats" table: one row per metric, with what it counts as a tooltip. */
export function MetricsTable({ stats, caption }: { stats: Stats; caption?: string }) {
  return (
    <table className="data metrics-table">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">Metric</th>
          <th scope="col" className="num">
            Value
          </th>
        </tr>
      </thead>
      <tbody>
        {METRICS.map(([key, label, help]) => (
          <tr key={key}>
            <th scope="row" title={help} className="metric-name">
              {label}
            </th>
            <td className="num">{number(stats[key] as number)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// ---- outcomes ----

const severityKeys = (m: Record<string, Duration>) => Object.keys(m).sort(bySeverity);

function OutcomeTable({ title, data }: { title: string; data: Record<string, Duration> }) {
  const keys = severityKeys(data);
  return (
    <table className="data outcome-table">
      <caption>{title} (days from case creation)</caption>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col" className="num">
            Mean
          </th>
          <th scope="col" className="num">
            Median
          </th>
          <th scope="col" className="num">
            # Cases
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((sev) => {
          const d = data[sev] as Duration;
          return (
            <tr key={sev}>
              <th scope="row">{sev}</th>
              <td className="num">{number(d.mean, 1)}</td>
              <td className="num">{number(d.median, 1)}</td>
              <td className="num">{number(d.count)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function bucketLabel(b: Duration['buckets'][number]): string {
  return b.toDays === null ? `${b.fromDays}+` : `${b.fromDays}–${b.toDays}`;
}

/** Grouped bars per severity over the API's day buckets (the original's overlay histogram). */
export function OutcomeHistogram({ title, data }: { title: string; data: Record<string, Duration> }) {
  const keys = severityKeys(data);
  const total = keys.reduce((n, k) => n + (data[k]?.count ?? 0), 0);
  const option = useMemo<ChartOption>(() => {
    const first = keys.map((k) => data[k]).find((d) => d && d.buckets.length > 0);
    const labels = (first?.buckets ?? []).map(bucketLabel);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 56 },
      xAxis: {
        type: 'category',
        data: labels,
        name: 'days',
        nameLocation: 'middle',
        nameGap: 34,
        axisLabel: { interval: 0, rotate: 35, fontSize: 10 },
      },
      yAxis: { type: 'value', minInterval: 1, name: 'cases' },
      series: keys.map((k) => ({
        name: k,
        type: 'bar',
        data: (data[k]?.buckets ?? []).map((b) => b.count),
        itemStyle: SEVERITY_COLORS[k] ? { color: SEVERITY_COLORS[k] } : undefined,
      })),
    };
  }, [data, keys]);
  return (
    <figure className="stats-figure">
      <figcaption>{title}</figcaption>
      {total === 0 ? (
        <p className="empty">No cases with a {title.toLowerCase()} yet.</p>
      ) : (
        <Chart option={option} height={260} label={`Histogram: ${title} in days, cases per severity`} />
      )}
    </figure>
  );
}

/** Time to relief and to resolution: mean / median / count tables and their histograms. */
export function OutcomesSection({
  outcomes,
  headingLevel = 2,
}: {
  outcomes: Outcomes;
  headingLevel?: 2 | 3;
}) {
  const H = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section aria-labelledby="outcomes-heading">
      <H id="outcomes-heading">Outcomes</H>
      <div className="grid-2">
        <div className="panel">
          <OutcomeTable title="Time to Relief" data={outcomes.relief} />
          <OutcomeHistogram title="Time to Relief" data={outcomes.relief} />
        </div>
        <div className="panel">
          <OutcomeTable title="Time to Resolution" data={outcomes.resolution} />
          <OutcomeHistogram title="Time to Resolution" data={outcomes.resolution} />
        </div>
      </div>
    </section>
  );
}

// ---- pies and breakdowns ----

/** A pie of counts, with the numbers also listed as text (the canvas is not readable). */
export function CountPie({
  title,
  counts,
  order,
  colors,
}: {
  title: string;
  counts: Record<string, number>;
  order?: (a: string, b: string) => number;
  colors?: Record<string, string>;
}) {
  const entries = useMemo(
    () =>
      Object.entries(counts)
        .filter(([, n]) => n > 0)
        .sort(order ? ([a], [b]) => order(a, b) : ([, a], [, b]) => b - a),
    [counts, order],
  );
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { bottom: 0, type: 'scroll' },
      series: [
        {
          name: title,
          type: 'pie',
          radius: ['0%', '65%'],
          center: ['50%', '45%'],
          label: { formatter: '{b}: {c}' },
          data: entries.map(([name, value]) => ({
            name,
            value,
            ...(colors?.[name] ? { itemStyle: { color: colors[name] } } : {}),
          })),
        },
      ],
    }),
    [entries, title, colors],
  );
  const summary = entries.map(([k, n]) => `${k} ${n}`).join(', ');
  return (
    <figure className="stats-figure">
      <figcaption>{title}</figcaption>
      {entries.length === 0 ? (
        <p className="empty">Nothing to show.</p>
      ) : (
        <Chart option={option} height={280} label={`Pie chart: ${title}: ${summary}`} />
      )}
    </figure>
  );
}

export const severityColors = SEVERITY_COLORS;

export interface BreakdownRow {
  label: string;
  count: number;
  /** In-app link of the label. */
  to?: string | undefined;
}

/** A two-column "name → count" table, e.g. open cases per customer. */
export function Breakdown({
  title,
  keyHeader,
  countHeader,
  rows,
  note,
}: {
  title: string;
  keyHeader: string;
  countHeader: string;
  rows: BreakdownRow[];
  note?: ReactNode;
}) {
  return (
    <div className="panel breakdown">
      <h3>{title}</h3>
      {note && <p className="muted breakdown-note">{note}</p>}
      {rows.length === 0 ? (
        <p className="empty">None.</p>
      ) : (
        <div className="breakdown-scroll">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">{keyHeader}</th>
                <th scope="col" className="num">
                  {countHeader}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.label}>
                  <td>{r.to ? <Link to={r.to}>{r.label}</Link> : r.label}</td>
                  <td className="num">{number(r.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

// ---- history ----

interface SeriesDef {
  key: string;
  label: string;
  /** Shown when the chart first draws (the original's eleven are; the weekly ones are extra). */
  shown: boolean;
}

const HISTORY_SERIES: SeriesDef[] = [
  { key: 'escalated', label: 'Prio-List', shown: true },
  { key: 'crit_sit', label: 'Crit Sit', shown: true },
  { key: 'total_escalations', label: 'Total Escalations', shown: true },
  { key: 'open_cases', label: 'Total Cases', shown: true },
  { key: 'daily_opened_cases', label: 'Incoming Cases', shown: true },
  { key: 'daily_closed_cases', label: 'Outgoing Cases', shown: true },
  { key: 'no_updates', label: 'No Recent Updates', shown: true },
  { key: 'no_bzs', label: 'No BZ Attached', shown: true },
  { key: 'bugs_unique', label: 'Unique Bugs', shown: true },
  { key: 'bugs_no_target', label: 'Bugs With No Target', shown: true },
  { key: 'high_prio', label: 'High Priority Cases', shown: true },
  { key: 'weekly_opened_cases', label: 'Incoming Cases (Week)', shown: false },
  { key: 'weekly_closed_cases', label: 'Outgoing Cases (Week)', shown: false },
];

// Readable on both light and dark backgrounds.
const PALETTE = [
  '#e0413a',
  '#9a60b4',
  '#fc8452',
  '#3f7fd6',
  '#3ba272',
  '#8a6d3b',
  '#ea7ccc',
  '#17a2b8',
  '#e6b800',
  '#7a8b99',
  '#c2185b',
  '#5fb878',
  '#b5651d',
];

/** The series of a response in display order: known ones with the original's labels, then others. */
function historySeries(history: History): (SeriesDef & { color: string })[] {
  const known = HISTORY_SERIES.filter((s) => s.key in history.series);
  const extra = Object.keys(history.series)
    .filter((k) => !HISTORY_SERIES.some((s) => s.key === k))
    .map((key) => ({ key, label: key, shown: false }));
  return [...known, ...extra].map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length] as string }));
}

/** A value with no value on either side: drawn as a point, there is no line to draw. */
const isolated = (values: readonly (number | null)[], i: number) =>
  values[i] !== null &&
  values[i] !== undefined &&
  (values[i - 1] ?? null) === null &&
  (values[i + 1] ?? null) === null;

/**
 * The daily history as lines. The legend is a row of real toggle buttons (keyboard usable, and the
 * colour swatch ties each to its line) with "Hide All" / "Show All".
 */
export function HistoryChart({ history, label }: { history: History; label: string }) {
  const series = useMemo(() => historySeries(history), [history]);
  const [shown, setShown] = useState<Set<string>>(
    () => new Set(HISTORY_SERIES.filter((s) => s.shown).map((s) => s.key)),
  );
  const visible = series.filter((s) => shown.has(s.key));
  const hasData = useMemo(
    () => Object.values(history.series).some((values) => values.some((v) => v !== null)),
    [history],
  );
  const visibleKeys = visible.map((s) => s.key).join('|');

  // biome-ignore lint/correctness/useExhaustiveDependencies: visibleKeys stands for `visible`.
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 32, top: 24, bottom: 64 },
      // A gap at both ends, so a point on the first or last day is drawn whole, not on the edge.
      xAxis: { type: 'category', data: history.days, boundaryGap: true },
      yAxis: { type: 'value', min: 0, minInterval: 1 },
      dataZoom: [
        { type: 'inside', filterMode: 'none' },
        { type: 'slider', height: 20, bottom: 12, filterMode: 'none' },
      ],
      series: visible.map((s) => {
        const values = history.series[s.key] ?? [];
        return {
          name: s.label,
          type: 'line',
          // A day with no neighbour (e.g. the only snapshot so far) draws no line: it is a marked
          // point with its value, which a crowded axis would otherwise hide.
          data: values.map((v, i) =>
            isolated(values, i) ? { value: v, symbolSize: 10, label: { show: true, position: 'top' } } : v,
          ),
          showAllSymbol: true,
          connectNulls: false,
          symbolSize: 5,
          itemStyle: { color: s.color },
          lineStyle: { color: s.color, width: 2 },
        };
      }),
    }),
    [history, visibleKeys],
  );
  const singles = visible.flatMap((s) =>
    (history.series[s.key] ?? []).flatMap((v, i) =>
      isolated(history.series[s.key] ?? [], i) ? [`${s.label} ${v} on ${history.days[i]}`] : [],
    ),
  );

  const toggle = (key: string) =>
    setShown((prev) => {
      const next = new Set(prev);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return (
    <div className="history">
      <fieldset className="series-toggles">
        <legend>Series</legend>
        <div className="series-buttons">
          <button type="button" onClick={() => setShown(new Set())}>
            Hide All
          </button>
          <button type="button" onClick={() => setShown(new Set(series.map((s) => s.key)))}>
            Show All
          </button>
          {series.map((s) => (
            <button
              key={s.key}
              type="button"
              className="series-toggle"
              aria-pressed={shown.has(s.key)}
              onClick={() => toggle(s.key)}
            >
              <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
              {s.label}
            </button>
          ))}
        </div>
      </fieldset>
      {!hasData ? (
        <p className="empty">
          No daily snapshots between {history.from} and {history.to}.
        </p>
      ) : visible.length === 0 ? (
        <p className="empty">All series are hidden; pick one above or "Show All".</p>
      ) : (
        <Chart
          option={option}
          height={380}
          label={`${label}: daily values from ${history.from} to ${history.to} of ${visible
            .map((s) => s.label)
            .join(', ')}${singles.length ? `. Single days: ${singles.join('; ')}` : ''}`}
        />
      )}
    </div>
  );
}
