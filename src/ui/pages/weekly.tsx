import { type FormEvent, useId, useMemo, useState } from 'react';
import { apiUrl, useApi } from '../api.js';
import { CopyButton } from '../components/copy.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ExtLink, Markup } from '../components/markup.js';
import {
  ActiveFilters,
  accountLabel,
  FILTER_LABELS,
  Pager,
  statusLabel,
} from '../components/report-parts.js';
import { day, number } from '../format.js';
import { useSearchParams } from '../router.js';
import type { AccountList, EngineerList, Weekly, WeeklyCard } from '../types.js';
import './report.css';

// The weekly report of the original (weekly_report.html): a plain nested list per account and case
// status, meant to be copied into an e-mail. New: a date range (in the URL), account and engineer
// filters, copy as rich text and download as an HTML file.

const REPORT_ID = 'weekly-report';
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Weekly reports are meant to be read whole: one big page unless the URL asks otherwise. */
const DEFAULT_LIMIT = '1000';

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = () => isoDay(Date.now());
const daysBefore = (dateIso: string, days: number) => isoDay(Date.parse(dateIso) - days * DAY_MS);
const validDate = (v: string | null): v is string => !!v && DATE.test(v) && !Number.isNaN(Date.parse(v));

export function WeeklyPage() {
  const [params, setParams] = useSearchParams();
  // Picked days (from/to, `to` inclusive), or else the last N days up to now (`days`, default 7):
  // the same window as the recent-updates views, so "Last 7 days" counts the cards they show.
  const picked = validDate(params.get('from')) || validDate(params.get('to'));
  const daysParam = Number(params.get('days'));
  const days = Number.isInteger(daysParam) && daysParam > 0 ? daysParam : 7;
  const pickedTo = validDate(params.get('to')) ? (params.get('to') as string) : today();
  const pickedFrom = validDate(params.get('from')) ? (params.get('from') as string) : daysBefore(pickedTo, 7);

  // The page's `to` is inclusive (a day picked in the form); the API's is exclusive.
  const url = useMemo(() => {
    const api = new URLSearchParams(params);
    if (picked) {
      api.set('from', pickedFrom);
      api.set('to', daysBefore(pickedTo, -1));
      api.delete('days');
    }
    if (!api.has('limit')) api.set('limit', DEFAULT_LIMIT);
    return apiUrl('reports/weekly', api);
  }, [params, picked, pickedFrom, pickedTo]);
  const badRange = picked && pickedFrom > pickedTo;
  const query = useApi<Weekly>(badRange ? null : url);
  const data = query.data;
  // A rolling window shows the days it touches, as the API answered them.
  const from = picked ? pickedFrom : data ? data.from.slice(0, 10) : daysBefore(today(), days);
  const to = picked ? pickedTo : data ? data.to.slice(0, 10) : today();

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    next.delete('offset');
    setParams(next);
  };

  const title = `Weekly report ${from} to ${to}`;
  return (
    <div className="weekly-page">
      <PageTitle title="Weekly Report">Weekly Report</PageTitle>
      <p className="muted">
        Cards with a JIRA comment in the date range, grouped by account and case status, each with its most
        recent comment in the range. Copy it or download it to paste into an e-mail.
      </p>
      <WeeklyForm
        from={from}
        to={to}
        account={params.get('account') ?? ''}
        assignee={params.get('assignee') ?? ''}
        onApply={update}
      />
      <ActiveFilters
        params={params}
        skip={['account', 'assignee']}
        onClear={() =>
          update(
            Object.fromEntries(
              [...params.keys()]
                .filter((k) => k in FILTER_LABELS && k !== 'account' && k !== 'assignee')
                .map((k) => [k, null]),
            ),
          )
        }
      />
      {badRange && (
        <p className="error" role="alert">
          The start date is after the end date.
        </p>
      )}
      <ErrorBox error={query.error} />
      {query.isPending && !badRange && <Loading what="Loading the weekly report" />}
      {data && !badRange && (
        <>
          <div className="toolbar">
            <CopyButton
              targetId={REPORT_ID}
              label="Copy report"
              title="Copy the report as rich text and plain text"
            />
            <button type="button" onClick={() => downloadHtml(REPORT_ID, title)}>
              ⬇ Download as HTML
            </button>
            <span className="muted">
              {number(data.total)} card{data.total === 1 ? '' : 's'}
              {query.isFetching && ' · updating…'}
            </span>
          </div>
          <Pager
            total={data.total}
            limit={data.limit}
            offset={data.offset}
            label="Weekly report pages"
            onChange={(offset) => {
              const next = new URLSearchParams(params);
              if (offset > 0) next.set('offset', String(offset));
              else next.delete('offset');
              setParams(next, { push: true });
            }}
          />
          <div id={REPORT_ID} className="weekly-report">
            <h2>
              Weekly report: {from} to {to}
            </h2>
            {data.accounts.length === 0 ? (
              <p className="empty">No cards with comments in this date range.</p>
            ) : (
              <ul>
                {data.accounts.map((group, i) => (
                  <li key={group.account ?? `none-${i}`}>
                    <strong>
                      <bdi>{accountLabel(group.account)}</bdi>
                    </strong>
                    <ul>
                      {group.statuses.map((s) => (
                        <li key={s.status ?? 'none'}>
                          <em>{statusLabel(s.status)}</em>
                          <ul>
                            {s.cards.map((card) => (
                              <WeeklyItem key={card.key} card={card} />
                            ))}
                          </ul>
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </>
      )}
    </div>
  );
}

/** One card: `case# | Severity: X | On Prio-list | summary | Jira: KEY | Product: P`, then its comment. */
function WeeklyItem({ card }: { card: WeeklyCard }) {
  // Only absolute links here: the list is pasted into e-mails, where in-app paths mean nothing.
  return (
    <li>
      {card.caseNumber ? <ExtLink url={card.caseUrl}>{card.caseNumber}</ExtLink> : card.key} | Severity:{' '}
      {card.severity ?? '---'}
      {card.prioList === 'yes' && (
        <>
          {' | '}
          <strong>⛔ On Prio-list</strong>
        </>
      )}
      {card.prioList === 'potentially' && ' | Potentially on Prio-list'}
      {card.critSit && (
        <>
          {' | '}
          <strong>Crit Sit</strong>
        </>
      )}
      {' | '}
      <bdi>{card.summary}</bdi> | Jira: <ExtLink url={card.jiraUrl}>{card.key}</ExtLink> | Product:{' '}
      {card.product ?? '---'}
      <ul>
        <li>
          Most Recent Comment:{' '}
          {card.comment ? (
            <>
              {day(card.comment.date)}
              {card.comment.author ? ` (${card.comment.author})` : ''} -{' '}
              <Markup body={card.comment.body} format={card.comment.format} className="weekly-comment-body" />
            </>
          ) : (
            <span className="muted">none in the range</span>
          )}
        </li>
      </ul>
    </li>
  );
}

function WeeklyForm({
  from,
  to,
  account,
  assignee,
  onApply,
}: {
  from: string;
  to: string;
  account: string;
  assignee: string;
  onApply: (changes: Record<string, string | null>) => void;
}) {
  const ids = useId();
  const [draft, setDraft] = useState({ from, to, account, assignee });
  // Follow the URL when it changes from outside the form (presets, back/forward).
  const fromUrl = `${from}|${to}|${account}|${assignee}`;
  const [seen, setSeen] = useState(fromUrl);
  if (seen !== fromUrl) {
    setSeen(fromUrl);
    setDraft({ from, to, account, assignee });
  }
  const accounts = useApi<AccountList>(apiUrl('accounts')).data?.items ?? [];
  const engineers = useApi<EngineerList>(apiUrl('engineers')).data?.items ?? [];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({
      from: validDate(draft.from) ? draft.from : null,
      to: validDate(draft.to) ? draft.to : null,
      days: null,
      account: draft.account.trim(),
      assignee: draft.assignee.trim(),
    });
  };
  // The last N days up to now, as the recent-updates views count them (not N+1 calendar days).
  const preset = (days: number) => onApply({ from: null, to: null, days: days === 7 ? null : String(days) });
  const field = (name: keyof typeof draft) => ({
    id: `${ids}-${name}`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
  });

  return (
    <form className="weekly-form" onSubmit={submit} aria-label="Report range and filters">
      <label htmlFor={`${ids}-from`}>
        From
        <input type="date" required max={draft.to || undefined} {...field('from')} />
      </label>
      <label htmlFor={`${ids}-to`}>
        To (inclusive)
        <input type="date" required min={draft.from || undefined} {...field('to')} />
      </label>
      <label htmlFor={`${ids}-account`}>
        Account
        <input type="text" list={`${ids}-accounts`} placeholder="All accounts" {...field('account')} />
      </label>
      <datalist id={`${ids}-accounts`}>
        {accounts.map((a) => (
          <option key={a.name} value={a.name} />
        ))}
      </datalist>
      <label htmlFor={`${ids}-assignee`}>
        Engineer
        <input type="text" list={`${ids}-engineers`} placeholder="All engineers" {...field('assignee')} />
      </label>
      <datalist id={`${ids}-engineers`}>
        {engineers.map((e) => (
          <option key={e.name} value={e.name} />
        ))}
      </datalist>
      <button type="submit" className="primary">
        Apply
      </button>
      <div className="weekly-presets">
        <button type="button" onClick={() => preset(7)}>
          Last 7 days
        </button>
        <button type="button" onClick={() => preset(14)}>
          Last 14 days
        </button>
        <button type="button" onClick={() => preset(30)}>
          Last 30 days
        </button>
      </div>
    </form>
  );
}

/** Saves the rendered report as a standalone HTML file (React has already escaped every text). */
function downloadHtml(id: string, title: string) {
  const el = document.getElementById(id);
  if (!el) return;
  const titleEl = document.createElement('title');
  titleEl.textContent = title;
  const doc = `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">${titleEl.outerHTML}</head>\n<body>\n${el.innerHTML}\n</body></html>\n`;
  const url = URL.createObjectURL(new Blob([doc], { type: 'text/html;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${title.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase()}.html`;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
