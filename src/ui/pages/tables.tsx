import type { ColumnDef } from '@tanstack/react-table';
import { FACET_PANES } from '../../shared/table-query.js';
import { apiUrl, useApi } from '../api.js';
import { CritSitBadge, DaysOpen, PrioListBadge, SeverityBadge, StatusBadge } from '../components/badges.js';
import { CardChildRow, CardsTable } from '../components/cards-table.js';
import { BugsTable, CommentList, IssuesTable } from '../components/detail-parts.js';
import { column, expandColumn, FacetTable } from '../components/facet-table.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { safeUrl } from '../components/markup.js';
import { dateTime } from '../format.js';
import { Link, useLocation } from '../router.js';
import type { CaseItem, Detail } from '../types.js';

// The table pages: recent updates / all cards / trends (cards), and every case (cases).

const VIEWS = {
  recent: {
    title: 'Recent Updates',
    tab: 'severity',
    fixed: { recent: 'true' },
    report: '/updates/',
    about: 'Cards with a JIRA comment in the last 7 days.',
  },
  all: { title: 'All Cards', tab: 'all-severity', fixed: {}, report: '/updates/all', about: 'Every card.' },
  trends: {
    title: 'Trends',
    tab: 'trends',
    fixed: { label: 'Trends' },
    report: '/trends/',
    about: 'Cards labelled Trends.',
  },
} as const;

export function CardsTablePage({ view }: { view: keyof typeof VIEWS }) {
  const v = VIEWS[view];
  const { search } = useLocation();
  const qs = search.toString();
  return (
    <section>
      <div className="page-head">
        <PageTitle title={v.tab}>{v.title}</PageTitle>
        <span className="muted">{v.about}</span>
        <Link to={qs ? `${v.report}?${qs}` : v.report} className="button">
          Report View
        </Link>
      </div>
      <CardsTable fixed={v.fixed} />
    </section>
  );
}

// ---- cases ----------------------------------------------------------------------------------------

/** Labels are card labels: not a facet of cases. */
const CASE_FACETS = FACET_PANES.filter((f) => f !== 'label');

const CASE_COLUMNS: ColumnDef<CaseItem, unknown>[] = [
  expandColumn<CaseItem>((c) => c.caseNumber),
  column<CaseItem>(
    'caseNumber',
    'Case#',
    (c) => (
      <span className="nowrap">
        <a href={safeUrl(c.caseUrl) ?? undefined} target="_blank" rel="noopener noreferrer">
          {c.caseNumber}
        </a>{' '}
        <Link to={`/case/${encodeURIComponent(c.caseNumber)}`} className="detail-link" title="Case detail">
          ↗
        </Link>
      </span>
    ),
    'caseNumber',
  ),
  column<CaseItem>(
    'severity',
    'Severity',
    (c) => <SeverityBadge severity={c.severity} />,
    'severity',
    'desc',
  ),
  column<CaseItem>(
    'prioList',
    'On Prio-list?',
    (c) => <PrioListBadge prioList={c.prioList} />,
    'prioList',
    'desc',
  ),
  column<CaseItem>('critSit', 'Crit Sit?', (c) => <CritSitBadge critSit={c.critSit} />, 'critSit', 'desc'),
  column<CaseItem>('summary', 'Summary', (c) => c.summary, 'summary'),
  column<CaseItem>('product', 'Product', (c) => c.product ?? '---', 'product'),
  column<CaseItem>(
    'account',
    'Account',
    (c) => <Link to={`/account/${encodeURIComponent(c.account)}`}>{c.account}</Link>,
    'account',
  ),
  column<CaseItem>('status', 'Case Status', (c) => c.status, 'caseStatus'),
  column<CaseItem>('owner', 'Owner', (c) => c.owner ?? '---'),
  column<CaseItem>(
    'card',
    'Card',
    (c) =>
      c.card ? (
        <span className="nowrap">
          <Link to={`/card/${encodeURIComponent(c.card.key)}`}>{c.card.key}</Link>{' '}
          <StatusBadge status={c.card.internalStatus} />
        </span>
      ) : (
        <span className="muted">no card</span>
      ),
    'internalStatus',
  ),
  column<CaseItem>(
    'assignee',
    'Assignee',
    (c) =>
      c.card?.assignee ? (
        <Link to={`/engineer/${encodeURIComponent(c.card.assignee)}`}>{c.card.assignee}</Link>
      ) : (
        <span className="muted">None</span>
      ),
    'assignee',
  ),
  column<CaseItem>(
    'daysOpen',
    'Days Open',
    (c) => <DaysOpen days={c.daysOpen} sla={c.sla} />,
    'daysOpen',
    'desc',
  ),
  column<CaseItem>(
    'created',
    'Created',
    (c) => <span className="nowrap">{dateTime(c.createdDate)}</span>,
    'caseCreated',
    'desc',
  ),
  column<CaseItem>(
    'lastUpdate',
    'Last Updated',
    (c) => <span className="nowrap">{dateTime(c.lastUpdate)}</span>,
    'caseUpdated',
    'desc',
  ),
];

function CaseChildRow({ item }: { item: CaseItem }) {
  const q = useApi<Detail>(item.card ? null : apiUrl(`cases/${encodeURIComponent(item.caseNumber)}`));
  if (item.card) return <CardChildRow cardKey={item.card.key} />;
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading details" />;
  return (
    <div className="card-child">
      <p className="child-summary">{item.summary}</p>
      <p>
        <strong>Case Group:</strong> {q.data.details?.group ?? '---'} · no card yet ·{' '}
        <Link to={`/case/${encodeURIComponent(item.caseNumber)}`}>Open the case page</Link>
      </p>
      <BugsTable bugs={q.data.bugs} />
      <IssuesTable issues={q.data.issues} />
      <h4>Comments</h4>
      <CommentList comments={q.data.comments} />
    </div>
  );
}

export function CasesTablePage() {
  return (
    <section>
      <div className="page-head">
        <PageTitle title="cases">All Cases</PageTitle>
        <span className="muted">Every synced case, with or without a card.</span>
      </div>
      <FacetTable<CaseItem>
        endpoint="cases"
        fixed={{}}
        columns={CASE_COLUMNS}
        facets={CASE_FACETS}
        rowKey={(c) => (c.card ? `${c.caseNumber}:${c.card.key}` : c.caseNumber)}
        renderChild={(c) => <CaseChildRow item={c} />}
        noun={['case', 'cases']}
      />
    </section>
  );
}
