import { type FormEvent, useState } from 'react';
import { apiUrl, useApi } from '../api.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ExtLink, Snippet } from '../components/markup.js';
import { AccountLink, casePath } from '../components/report-parts.js';
import { dash, dateTime, number } from '../format.js';
import { href, Link, navigate, useSearchParams } from '../router.js';
import type { SearchResult as SearchAnswer, SearchHit } from '../types.js';
import './report.css';

// Full-text search over cases, Portal comments and JIRA comments (new: the original only had the
// table's client-side search). The snippet arrives as escaped text with <mark> around the matches
// and is parsed by <Snippet>, never injected as HTML.

const LIMIT = 50;
const MIN_LENGTH = 2;
const MAX_LENGTH = 200;

const KIND_LABELS: Record<SearchHit['kind'], string> = {
  case: 'Case',
  comment: 'Portal comment',
  jira_comment: 'JIRA comment',
};

export function SearchPage() {
  const [params] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const tooShort = q.length < MIN_LENGTH;
  const query = useApi<SearchAnswer>(
    tooShort ? null : apiUrl('search', { q: q.slice(0, MAX_LENGTH), limit: LIMIT }),
  );
  const items = query.data?.items;

  return (
    <section>
      <PageTitle title={q ? `Search: ${q}` : 'Search'}>Search</PageTitle>
      {/* Remount the form when the query changes elsewhere (the header's search box). */}
      <SearchForm key={q} initial={q} />
      {q === '' ? (
        <p className="muted">
          Search case numbers, summaries, descriptions, accounts, products and the comments of both the
          Customer Portal and JIRA.
        </p>
      ) : tooShort ? (
        <p className="muted">Type at least {MIN_LENGTH} characters.</p>
      ) : (
        <>
          <ErrorBox error={query.error} />
          {query.isPending && <Loading what="Searching" />}
          {items && (
            <>
              <p className="muted" role="status">
                {items.length === 0
                  ? `No results for “${q}”.`
                  : `${number(items.length)} result${items.length === 1 ? '' : 's'} for “${q}”${
                      items.length >= LIMIT
                        ? ` (the best ${LIMIT} are shown; refine the search for more)`
                        : ''
                    }.`}
                {query.isFetching && ' Updating…'}
              </p>
              {items.length > 0 && (
                <ol className="search-results">
                  {items.map((hit, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: hits have no id; one response's order is fixed.
                    <SearchResult key={`${hit.kind}:${hit.caseNumber}:${hit.date}:${i}`} hit={hit} />
                  ))}
                </ol>
              )}
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
          aria-label="Search cases and comments"
          value={value}
          maxLength={MAX_LENGTH}
          placeholder="Case number, words, a JIRA key…"
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" className="primary">
          Search
        </button>
      </form>
    </search>
  );
}

function SearchResult({ hit }: { hit: SearchHit }) {
  return (
    <li className="search-hit">
      <div className="search-hit-head">
        <span className="badge search-kind">{KIND_LABELS[hit.kind] ?? hit.kind}</span>
        <Link to={casePath(hit.caseNumber)}>
          <strong>{hit.caseNumber}</strong>
        </Link>
        {hit.title && <span>{hit.title}</span>}
      </div>
      <div className="search-hit-meta">
        <AccountLink account={hit.account} /> · {dash(hit.status)} · {dateTime(hit.date)} UTC
        {hit.jiraKey && (
          <>
            {' · '}
            <ExtLink url={hit.jiraUrl} title="Open in JIRA">
              {hit.jiraKey}
            </ExtLink>
          </>
        )}
        {' · '}
        <ExtLink url={hit.caseUrl} title="Open the case in the Customer Portal">
          Portal
        </ExtLink>
      </div>
      <Snippet html={hit.snippet} />
    </li>
  );
}
