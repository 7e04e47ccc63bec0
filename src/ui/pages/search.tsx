import { type FormEvent, useState } from 'react';
import { apiUrl, useApi } from '../api.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ExtLink, Snippet } from '../components/markup.js';
import { AccountLink, cardPath, casePath, Pager } from '../components/report-parts.js';
import { dash, dateTime, number } from '../format.js';
import { href, Link, navigate, useSearchParams } from '../router.js';
import type { SearchResult as SearchAnswer, SearchHit } from '../types.js';
import './report.css';

// Global search (new: the original only had the table's client-side search): a case by number, a
// card by JIRA key, a bug by id, engineers and accounts by name, and full text over cases, Portal
// comments and JIRA comments; every match counted, paged through in the URL (`offset`). The snippet
// arrives as escaped text with <mark> around the matches and is parsed by <Snippet>, never injected
// as HTML.

const LIMIT = 25;
const MIN_LENGTH = 2;
const MAX_LENGTH = 200;

const KIND_LABELS: Record<SearchHit['kind'], string> = {
  case: 'Case',
  card: 'Card',
  bug: 'Bug',
  engineer: 'Engineer',
  account: 'Account',
  comment: 'Portal comment',
  jira_comment: 'JIRA comment',
};

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const offset = Math.max(0, Math.floor(Number(params.get('offset')) || 0));
  const tooShort = q.length < MIN_LENGTH;
  const query = useApi<SearchAnswer>(
    tooShort ? null : apiUrl('search', { q: q.slice(0, MAX_LENGTH), limit: LIMIT, offset }),
  );
  const data = query.data;
  const setOffset = (next: number) => {
    const p = new URLSearchParams(params);
    if (next > 0) p.set('offset', String(next));
    else p.delete('offset');
    setParams(p, { push: true });
    window.scrollTo(0, 0);
  };

  return (
    <section>
      <PageTitle title={q ? `Search: ${q}` : 'Search'}>Search</PageTitle>
      {/* Remount the form when the query changes elsewhere (the header's search box). */}
      <SearchForm key={q} initial={q} />
      {q === '' ? (
        <p className="muted">
          Find a case by its number, a card by its JIRA key, a bug by its id, an engineer or an account by
          name, and words in case summaries, descriptions and the comments of both the Customer Portal and
          JIRA.
        </p>
      ) : tooShort ? (
        <p className="muted">Type at least {MIN_LENGTH} characters.</p>
      ) : (
        <>
          <ErrorBox error={query.error} />
          {query.isPending && <Loading what="Searching" />}
          {data && (
            <>
              <p className="muted" role="status" data-testid="search-total">
                {data.total === 0
                  ? `No results for “${q}”.`
                  : `${number(data.total)} result${data.total === 1 ? '' : 's'} for “${q}”.`}
                {query.isFetching && ' Updating…'}
              </p>
              <Pager
                total={data.total}
                limit={data.limit}
                offset={data.offset}
                onChange={setOffset}
                label="Result pages (top)"
                noun="results"
              />
              {data.items.length > 0 && (
                <ol className="search-results" start={data.offset + 1}>
                  {data.items.map((hit, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: hits have no id; one response's order is fixed.
                    <SearchResult key={`${hit.kind}:${hit.caseNumber}:${hit.date}:${i}`} hit={hit} />
                  ))}
                </ol>
              )}
              <Pager
                total={data.total}
                limit={data.limit}
                offset={data.offset}
                onChange={setOffset}
                label="Result pages (bottom)"
                noun="results"
              />
            </>
          )}
        </>
      )}
    </section>
  );
}

function SearchForm({ initial }: { initial: string }) {
  const [value, setValue] = useState(initial);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = value.trim();
    navigate(href('/search', { q: next }));
  };
  return (
    <search>
      <form className="search-form" onSubmit={submit}>
        <input
          type="search"
          aria-label="Search cases, cards, bugs, people and comments"
          value={value}
          maxLength={MAX_LENGTH}
          placeholder="Case number, JIRA key, bug id, a name, words…"
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
    </search>
  );
}

/** The hit's own link: the record it found, in the dashboard. */
function HitTitle({ hit }: { hit: SearchHit }) {
  switch (hit.kind) {
    case 'engineer':
      return (
        <Link to={`/engineer/${encodeURIComponent(hit.name ?? '')}`}>
          <strong>{hit.name}</strong>
        </Link>
      );
    case 'account':
      return (
        <Link to={`/account/${encodeURIComponent(hit.name ?? '')}`}>
          <strong>{hit.name}</strong>
        </Link>
      );
    case 'card':
      return (
        <>
          <Link to={cardPath(hit.jiraKey ?? '')}>
            <strong>{hit.jiraKey}</strong>
          </Link>
          {hit.title && <span>{hit.title}</span>}
        </>
      );
    case 'bug':
      return (
        <>
          <ExtLink url={hit.bugUrl} title="Open the bug in Bugzilla">
            <strong>Bug {hit.bugId}</strong>
          </ExtLink>
          {hit.title && <span>{hit.title}</span>}
        </>
      );
    default:
      return (
        <>
          {hit.caseNumber && (
            <Link to={casePath(hit.caseNumber)}>
              <strong>{hit.caseNumber}</strong>
            </Link>
          )}
          {hit.title && <span>{hit.title}</span>}
        </>
      );
  }
}

function SearchResult({ hit }: { hit: SearchHit }) {
  const person = hit.kind === 'engineer' || hit.kind === 'account';
  return (
    <li className="search-hit">
      <div className="search-hit-head">
        <span className="badge search-kind">{KIND_LABELS[hit.kind] ?? hit.kind}</span>
        <HitTitle hit={hit} />
      </div>
      {!person && (
        <div className="search-hit-meta">
          {hit.kind !== 'bug' && (
            <>
              <AccountLink account={hit.account} /> ·{' '}
            </>
          )}
          {dash(hit.status)}
          {hit.date && <> · {dateTime(hit.date)} UTC</>}
          {hit.kind !== 'case' && hit.caseNumber && (
            <>
              {' · case '}
              <Link to={casePath(hit.caseNumber)}>{hit.caseNumber}</Link>
            </>
          )}
          {hit.jiraKey && (
            <>
              {' · '}
              <ExtLink url={hit.jiraUrl} title="Open in JIRA">
                {hit.jiraKey}
              </ExtLink>
            </>
          )}
          {hit.caseUrl && (
            <>
              {' · '}
              <ExtLink url={hit.caseUrl} title="Open the case in the Customer Portal">
                Portal
              </ExtLink>
            </>
          )}
        </div>
      )}
      <Snippet html={hit.snippet} />
    </li>
  );
}
