import type { ColumnDef } from '@tanstack/react-table';
import { FACET_PANES } from '../../shared/table-query.js';
import { apiUrl, useApi } from '../api.js';
import { dateTime } from '../format.js';
import { Link } from '../router.js';
import type { CardItem, Detail } from '../types.js';
import { CritSitBadge, DaysOpen, PrioListBadge, SeverityBadge, StatusBadge } from './badges.js';
import { BugsTable, CommentList, IssuesTable, ShortComment } from './detail-parts.js';
import { column, expandColumn, FacetTable } from './facet-table.js';
import { ErrorBox, Loading } from './layout.js';
import { ExtLink } from './markup.js';

// The cards table of the original: every column, badges, facet panes, expandable rows with
// the case group, bugs, JIRA issues and every comment.

export const CARD_COLUMNS: ColumnDef<CardItem, unknown>[] = [
  expandColumn<CardItem>((c) => c.key),
  column<CardItem>(
    'caseNumber',
    'Case#',
    (c) =>
      c.caseNumber ? (
        <span className="nowrap">
          <ExtLink url={c.caseUrl}>{c.caseNumber}</ExtLink>{' '}
          <Link to={`/case/${encodeURIComponent(c.caseNumber)}`} className="detail-link" title="Case detail">
            ↗
          </Link>
        </span>
      ) : (
        <span className="muted">---</span>
      ),
    'caseNumber',
  ),
  column<CardItem>(
    'severity',
    'Severity',
    (c) => <SeverityBadge severity={c.severity} />,
    'severity',
    'desc',
  ),
  column<CardItem>(
    'prioList',
    'On Prio-list?',
    (c) => <PrioListBadge prioList={c.prioList} url={c.escalationUrl} />,
    'prioList',
    'desc',
  ),
  column<CardItem>('critSit', 'Crit Sit?', (c) => <CritSitBadge critSit={c.critSit} />, 'critSit', 'desc'),
  column<CardItem>('summary', 'Summary', (c) => c.summary, 'summary'),
  column<CardItem>('product', 'Product', (c) => c.product ?? <span className="muted">---</span>, 'product'),
  column<CardItem>(
    'account',
    'Account',
    (c) =>
      c.account ? (
        <Link to={`/account/${encodeURIComponent(c.account)}`}>{c.account}</Link>
      ) : (
        <span className="muted">---</span>
      ),
    'account',
  ),
  column<CardItem>(
    'caseStatus',
    'Case Status',
    (c) =>
      // No stored case: the status is the one the card's description gave when it was created.
      c.caseCreated === null && c.caseStatus ? (
        <span className="from-card" title="As the JIRA card states it; the case itself is not stored">
          {c.caseStatus}
        </span>
      ) : (
        (c.caseStatus ?? '---')
      ),
    'caseStatus',
  ),
  column<CardItem>(
    'internalStatus',
    'Internal Status',
    (c) => <StatusBadge status={c.internalStatus} />,
    'internalStatus',
  ),
  column<CardItem>(
    'assignee',
    'Assignee',
    (c) => (
      <>
        {c.assignee ? (
          <Link to={`/engineer/${encodeURIComponent(c.assignee)}`}>{c.assignee}</Link>
        ) : (
          <span className="muted">None</span>
        )}
        {c.contributors.length > 0 && (
          <div className="muted small">Contributor(s): {c.contributors.join(', ')}</div>
        )}
      </>
    ),
    'assignee',
  ),
  column<CardItem>(
    'key',
    'Jira',
    (c) => (
      <span className="nowrap">
        <ExtLink url={c.jiraUrl}>{c.key}</ExtLink>{' '}
        <Link to={`/card/${encodeURIComponent(c.key)}`} className="detail-link" title="Card detail">
          ↗
        </Link>
      </span>
    ),
    'jiraKey',
  ),
  column<CardItem>(
    'lastComment',
    'Most Recent Comment',
    (c) => (
      <div className="last-comment">
        <ShortComment comment={c.lastComment} />
      </div>
    ),
    'lastComment',
    'desc',
  ),
  column<CardItem>(
    'daysOpen',
    'Days Open',
    (c) => <DaysOpen days={c.daysOpen} sla={c.sla} />,
    'daysOpen',
    'desc',
  ),
  column<CardItem>(
    'caseLastUpdated',
    'Case Last Updated',
    (c) => <span className="nowrap">{dateTime(c.caseLastUpdated)}</span>,
    'caseUpdated',
    'desc',
  ),
];

/** Left out by default on a laptop-sized screen (the Columns menu brings them back). */
const NARROW_HIDDEN = ['product'];

/** The expanded row: fetched when opened (the list carries only the last comment). */
export function CardChildRow({ cardKey }: { cardKey: string }) {
  const q = useApi<Detail>(apiUrl(`cards/${encodeURIComponent(cardKey)}`));
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading details" />;
  const d = q.data;
  return (
    <div className="card-child">
      {d.card && <p className="child-summary">{d.card.summary}</p>}
      <p>
        <strong>Case Group:</strong> {d.details?.group ?? <span className="muted">---</span>}
        {d.escalations.length > 0 && (
          <>
            {' '}
            · <strong>Escalations:</strong>{' '}
            {d.escalations.map((e) => (
              <span key={e.key}>
                <ExtLink url={e.url}>{e.key}</ExtLink> ({e.status}){' '}
              </span>
            ))}
          </>
        )}{' '}
        · <Link to={`/card/${encodeURIComponent(cardKey)}`}>Open the card page</Link>
      </p>
      <BugsTable bugs={d.bugs} />
      <IssuesTable issues={d.issues} />
      <h4>Comments</h4>
      <CommentList comments={d.comments} />
    </div>
  );
}

export function CardsTable({ fixed }: { fixed: Record<string, string | string[]> }) {
  return (
    <FacetTable<CardItem>
      endpoint="cards"
      fixed={fixed}
      columns={CARD_COLUMNS}
      facets={FACET_PANES}
      rowKey={(c) => c.key}
      renderChild={(c) => <CardChildRow cardKey={c.key} />}
      noun={['card', 'cards']}
      narrowHidden={NARROW_HIDDEN}
    />
  );
}
