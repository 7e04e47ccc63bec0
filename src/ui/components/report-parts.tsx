import { useEffect } from 'react';
import { number, slug } from '../format.js';
import { Link } from '../router.js';
import type { CardItem } from '../types.js';
import { OnPrioListMarker } from './badges.js';
import { safeUrl } from './markup.js';

// Pieces shared by the report pages (recent / all / trends, weekly), the search page and the
// case/card detail page.

export const accountPath = (account: string) => `/account/${encodeURIComponent(account)}`;
export const engineerPath = (name: string) => `/engineer/${encodeURIComponent(name)}`;
export const casePath = (caseNumber: string) => `/case/${encodeURIComponent(caseNumber)}`;
export const cardPath = (key: string) => `/card/${encodeURIComponent(key)}`;

/** A page-unique element id for a card (`card-knieco-1139`), used by the report index anchors. */
export const cardAnchor = (card: Pick<CardItem, 'key'>) => `card-${slug(card.key)}`;

/** Account names may hold only non-Latin letters (slug "" then), so the position keeps ids unique. */
export const accountAnchor = (account: string | null, index: number) =>
  `account-${index}${account && slug(account) ? `-${slug(account)}` : ''}`;

export const accountLabel = (account: string | null) => account ?? '(no account)';
export const statusLabel = (status: string | null) => status ?? '(no case status)';

/** An account name linked to its page (or a muted placeholder when the card has no account). */
export function AccountLink({ account }: { account: string | null }) {
  if (!account) return <span className="muted">{accountLabel(account)}</span>;
  return <Link to={accountPath(account)}>{account}</Link>;
}

export function EngineerLink({ name }: { name: string | null }) {
  if (!name) return <span className="muted">Unassigned</span>;
  return <Link to={engineerPath(name)}>{name}</Link>;
}

/** Prio-list / potential escalation / crit sit markers of a card header. */
export function CardMarkers({ card }: { card: Pick<CardItem, 'prioList' | 'escalationUrl' | 'critSit'> }) {
  const escalation = safeUrl(card.escalationUrl);
  return (
    <>
      {card.prioList === 'yes' &&
        (escalation ? (
          <a
            href={escalation}
            target="_blank"
            rel="noopener noreferrer"
            title="Open the escalation (prio-list) card"
            className="marker-link"
          >
            <OnPrioListMarker />
          </a>
        ) : (
          <OnPrioListMarker />
        ))}
      {card.prioList === 'potentially' && (
        <span className="badge prio-potentially" title="Labelled as a potential escalation">
          Potentially on Prio-list
        </span>
      )}
      {card.critSit && <span className="badge crit-sit">Crit Sit</span>}
    </>
  );
}

/** "Showing 201–221 of 221" with previous / next buttons; nothing when everything fits one page. */
export function Pager({
  total,
  limit,
  offset,
  onChange,
  label,
  noun = 'cards',
}: {
  total: number;
  limit: number;
  offset: number;
  onChange: (offset: number) => void;
  label: string;
  /** What is counted, plural. */
  noun?: string;
}) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(total, offset + limit);
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  return (
    <nav className="pager report-pager" aria-label={label}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(0)} aria-label="First page">
        «
      </button>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}
        aria-label="Previous page"
      >
        ‹ Previous
      </button>
      <span>
        {number(first)}–{number(last)} of {number(total)} {noun} (page {page} of {pages})
      </span>
      <button
        type="button"
        disabled={offset + limit >= total}
        onClick={() => onChange(offset + limit)}
        aria-label="Next page"
      >
        Next ›
      </button>
      <button
        type="button"
        disabled={offset + limit >= total}
        onClick={() => onChange((pages - 1) * limit)}
        aria-label="Last page"
      >
        »
      </button>
    </nav>
  );
}

/** Query parameters that are table filters (as opposed to paging or the report's own inputs). */
export const FILTER_LABELS: Record<string, string> = {
  q: 'Text',
  severity: 'Severity',
  prioList: 'On Prio-list',
  critSit: 'Crit Sit',
  escalated: 'Escalated',
  product: 'Product',
  account: 'Account',
  caseStatus: 'Case status',
  internalStatus: 'Internal status',
  assignee: 'Assignee',
  label: 'Label',
  closedNotDone: 'Closed but not Done',
  updatedWithinDays: 'Updated within days',
  recent: 'Recent comment',
  open: 'Open cases only',
};

/** The active table filters as chips, with a way to drop them all (filters carried over from a table). */
export function ActiveFilters({
  params,
  onClear,
  skip = [],
}: {
  params: URLSearchParams;
  onClear: () => void;
  skip?: string[];
}) {
  const active = [...params.entries()].filter(([k]) => k in FILTER_LABELS && !skip.includes(k));
  if (!active.length) return null;
  return (
    <div className="report-filters" role="status">
      <span>Filtered by:</span>
      <ul className="chips">
        {active.map(([k, v]) => (
          <li key={`${k}=${v}`} className="chip report-chip">
            {FILTER_LABELS[k]}: {v === '' ? '(none)' : v}
          </li>
        ))}
      </ul>
      <button type="button" className="link-button" onClick={onClear}>
        Clear filters
      </button>
    </div>
  );
}

/** `path?query` without the given keys (e.g. the report's paging when switching to the table). */
export function withoutKeys(path: string, params: URLSearchParams, drop: string[]) {
  // Empty values are kept: `product=` selects the rows with no product.
  const rest = new URLSearchParams([...params].filter(([k]) => !drop.includes(k)));
  const qs = rest.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * After the data has rendered, scroll to the URL's #fragment (a deep link to one card): the browser
 * tried before the content existed.
 */
export function useScrollToHash(ready: boolean) {
  useEffect(() => {
    if (!ready || !window.location.hash) return;
    let id = window.location.hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch {
      // Keep the raw fragment.
    }
    document.getElementById(id)?.scrollIntoView();
  }, [ready]);
}
