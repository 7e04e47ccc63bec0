import { useCallback, useRef } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { apiUrl, getJson, useApi } from '../api.js';
import { SeverityBadge, StatusBadge } from '../components/badges.js';
import { useCopySource } from '../components/copy.js';
import { BugsTable } from '../components/detail-parts.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ExtLink, Markup } from '../components/markup.js';
import {
  AccountLink,
  ActiveFilters,
  accountAnchor,
  accountLabel,
  CardMarkers,
  cardAnchor,
  cardPath,
  casePath,
  EngineerLink,
  Pager,
  statusLabel,
  useScrollToHash,
  withoutKeys,
} from '../components/report-parts.js';
import { day, number } from '../format.js';
import { Link, useSearchParams } from '../router.js';
import type { Grouped, LastComment, Report, ReportCard } from '../types.js';
import './report.css';

// The report views of the original's updates.html: cards grouped by account and case status, each
// with its header line, its Bugzillas and its comments, and a sticky index on the left.
//   /updates/      cards with a JIRA comment in the last 7 days (those comments)
//   /updates/all   every card with all its comments (cards without comments too)
//   /trends/       cards labelled Trends

type Kind = 'recent' | 'all' | 'trends';

const TITLES: Record<Kind, string> = { recent: 'Recent Updates', all: 'All Cards', trends: 'Trends' };
const DESCRIPTIONS: Record<Kind, string> = {
  recent: 'Cards with a JIRA comment in the last 7 days, with those comments.',
  all: 'Every card with all its comments.',
  trends: 'Cards labelled Trends, with all their comments.',
};
const TABLES: Record<Kind, string> = { recent: '/table/', all: '/table/all', trends: '/table/trends' };
const PAGING = ['limit', 'offset'];
/** The API's largest report page: what a copy of the whole report fetches at a time. */
const COPY_PAGE = 2000;

/** Pages of a report joined: an account (or a status in it) cut by a page boundary is one again. */
export function joinReportPages(pages: Report['accounts'][]): Report['accounts'] {
  const out: Report['accounts'] = [];
  for (const groups of pages)
    for (const group of groups) {
      const last = out.at(-1);
      if (!last || last.account !== group.account) {
        out.push({ account: group.account, statuses: group.statuses.map((s) => ({ ...s })) });
        continue;
      }
      for (const s of group.statuses) {
        const lastStatus = last.statuses.at(-1);
        if (lastStatus && lastStatus.status === s.status)
          lastStatus.cards = [...lastStatus.cards, ...s.cards];
        else last.statuses.push({ ...s });
      }
    }
  return out;
}

/** Every page of the report with these filters, fetched and rendered for Copy. */
async function wholeReport(kind: Kind, params: URLSearchParams): Promise<HTMLElement> {
  const pages: Report['accounts'][] = [];
  let total = 0;
  for (let offset = 0; offset === 0 || offset < total; offset += COPY_PAGE) {
    const query = new URLSearchParams(params);
    query.set('limit', String(COPY_PAGE));
    query.set('offset', String(offset));
    const page = await getJson<Report>(apiUrl(`reports/${kind}`, query));
    total = page.total;
    pages.push(page.accounts);
  }
  const el = document.createElement('div');
  const root = createRoot(el);
  flushSync(() =>
    root.render(
      <>
        <h1>{TITLES[kind]}</h1>
        <p>
          {DESCRIPTIONS[kind]} {number(total)} card{total === 1 ? '' : 's'}.
        </p>
        <ReportBody accounts={joinReportPages(pages)} />
      </>,
    ),
  );
  const copy = el.cloneNode(true) as HTMLElement;
  root.unmount();
  return copy;
}

export function ReportPage({ kind }: { kind: Kind }) {
  const [params, setParams] = useSearchParams();
  const query = useApi<Report>(apiUrl(`reports/${kind}`, params));
  const data = query.data;
  useScrollToHash(data !== undefined);
  const top = useRef<HTMLDivElement>(null);
  const paramsText = params.toString();
  useCopySource(
    useCallback(
      () =>
        wholeReport(
          kind,
          new URLSearchParams([...new URLSearchParams(paramsText)].filter(([k]) => !PAGING.includes(k))),
        ),
      [kind, paramsText],
    ),
  );

  const setOffset = (offset: number) => {
    const next = new URLSearchParams(params);
    if (offset > 0) next.set('offset', String(offset));
    else next.delete('offset');
    setParams(next, { push: true });
    top.current?.scrollIntoView();
  };
  const clearFilters = () => {
    const next = new URLSearchParams([...params].filter(([k]) => k === 'limit'));
    setParams(next, { push: true });
  };

  return (
    <div className="with-sidebar report-page">
      <aside className="sidebar report-sidebar" aria-label="Report index">
        <Link to={withoutKeys(TABLES[kind], params, PAGING)} className="button">
          Table View
        </Link>
        {data && <ReportIndex accounts={data.accounts} />}
      </aside>
      <div className="report-main" ref={top}>
        <PageTitle title={TITLES[kind]}>{TITLES[kind]}</PageTitle>
        <p className="muted report-intro">
          {DESCRIPTIONS[kind]}
          {data && ` ${number(data.total)} card${data.total === 1 ? '' : 's'}.`}
          {query.isFetching && data && (
            <span className="report-updating" data-copy="skip">
              {' '}
              Updating…
            </span>
          )}
        </p>
        <ActiveFilters params={params} onClear={clearFilters} />
        <ErrorBox error={query.error} />
        {query.isPending && <Loading what="Loading the report" />}
        {data && (
          <>
            <Pager
              total={data.total}
              limit={data.limit}
              offset={data.offset}
              onChange={setOffset}
              label="Report pages (top)"
            />
            <ReportBody accounts={data.accounts} />
            <Pager
              total={data.total}
              limit={data.limit}
              offset={data.offset}
              onChange={setOffset}
              label="Report pages (bottom)"
            />
          </>
        )}
      </div>
    </div>
  );
}

/** The sidebar's per-account list of `case#: summary` anchors, each account collapsible. */
function ReportIndex({ accounts }: { accounts: Grouped<ReportCard>[] }) {
  const list = useRef<HTMLDivElement>(null);
  const toggleAll = (open: boolean) => {
    for (const d of list.current?.querySelectorAll('details') ?? []) d.open = open;
  };
  if (!accounts.length) return null;
  return (
    <nav aria-label="Cards on this page" className="report-index">
      <div className="report-index-actions">
        <button type="button" className="link-button" onClick={() => toggleAll(true)}>
          Expand all
        </button>
        <button type="button" className="link-button" onClick={() => toggleAll(false)}>
          Collapse all
        </button>
      </div>
      <div ref={list}>
        {accounts.map((group, i) => {
          const cards = group.statuses.flatMap((s) => s.cards);
          return (
            // A short index (one filtered account) starts open.
            <details key={group.account ?? `none-${i}`} open={accounts.length <= 3}>
              <summary>
                <bdi>{accountLabel(group.account)}</bdi> <span className="muted">({cards.length})</span>
              </summary>
              <ul>
                {cards.map((c) => (
                  <li key={c.key}>
                    <a href={`#${cardAnchor(c)}`}>
                      {c.caseNumber ?? c.key}: <bdi>{c.summary}</bdi>
                    </a>
                  </li>
                ))}
              </ul>
            </details>
          );
        })}
      </div>
    </nav>
  );
}

function ReportBody({ accounts }: { accounts: Grouped<ReportCard>[] }) {
  if (accounts.length === 0) return <p className="empty">No cards.</p>;
  return (
    <>
      {accounts.map((group, i) => (
        <AccountSection key={group.account ?? `none-${i}`} group={group} index={i} />
      ))}
    </>
  );
}

function AccountSection({ group, index }: { group: Grouped<ReportCard>; index: number }) {
  const id = accountAnchor(group.account, index);
  return (
    <section className="report-account" aria-labelledby={id}>
      <h2 id={id}>
        <AccountLink account={group.account} />
      </h2>
      {group.statuses.map((s) => (
        <section key={s.status ?? 'none'} className="report-status-group">
          <h3 className="report-status">{statusLabel(s.status)}</h3>
          {s.cards.map((card) => (
            <ReportCardView key={card.key} card={card} />
          ))}
        </section>
      ))}
    </section>
  );
}

function ReportCardView({ card }: { card: ReportCard }) {
  return (
    <article className="report-card" id={cardAnchor(card)} aria-label={`Case ${card.caseNumber ?? card.key}`}>
      <div className="report-card-header">
        {card.caseNumber ? (
          <>
            <strong>
              <ExtLink url={card.caseUrl} title="Open the case in the Customer Portal">
                {card.caseNumber}
              </ExtLink>
            </strong>
            <Link
              to={casePath(card.caseNumber)}
              className="small-link"
              title="Case details in the dashboard"
              data-copy="skip"
            >
              details
            </Link>
          </>
        ) : (
          <Link to={cardPath(card.key)}>
            <strong>{card.key}</strong>
          </Link>
        )}
        <StatusBadge status={card.internalStatus} />
        <SeverityBadge severity={card.severity} />
        <CardMarkers card={card} />
        <span className="report-summary">{card.summary}</span>
      </div>
      <div className="report-card-meta">
        (Jira: <ExtLink url={card.jiraUrl}>{card.key}</ExtLink> / Assignee:{' '}
        <EngineerLink name={card.assignee} />
        {card.contributors.length > 0 && <> / Contributor: {card.contributors.join(', ')}</>}) | Product:{' '}
        {card.product ?? <span className="muted">---</span>}
      </div>
      <div className="table-wrap report-bugs">
        <BugsTable bugs={card.bugs} severity={false} />
      </div>
      <ReportComments comments={card.comments} />
    </article>
  );
}

function ReportComments({ comments }: { comments: LastComment[] }) {
  if (!comments.length) return <p className="empty report-no-comments">No comments</p>;
  const sorted = [...comments].sort((a, b) => b.date.localeCompare(a.date));
  return (
    <div className="report-comments">
      <div className="report-comments-label">Comments:</div>
      <ul>
        {sorted.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: report comments have no id; one response's order is fixed.
          <li key={`${c.date}-${i}`} className="report-comment">
            <span className="report-comment-date">
              {day(c.date)}
              {c.author && <span className="muted"> ({c.author})</span>} -
            </span>{' '}
            <Markup body={c.body} format={c.format} className="report-comment-body" />
          </li>
        ))}
      </ul>
    </div>
  );
}
