import type { ReactNode } from 'react';
import { ApiError, apiUrl, useApi } from '../api.js';
import { CritSitBadge, DaysOpen, PrioListBadge, SeverityBadge, StatusBadge } from '../components/badges.js';
import { CopyText } from '../components/copy.js';
import { BugsTable, CommentList, IssuesTable } from '../components/detail-parts.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ExtLink, Markup } from '../components/markup.js';
import { AccountLink, CardMarkers, cardPath, casePath, EngineerLink } from '../components/report-parts.js';
import { dash, dateTime } from '../format.js';
import { Link } from '../router.js';
import type { CardItem, CaseDetails, CaseInfo, Detail, Escalation } from '../types.js';
import './report.css';

// One case (/case/:n) or one card (/card/:key) with everything known about it: the case and its
// details, the card(s), escalations, bugs, linked JIRA issues and the comments of both sources.
// New: the original only showed this in the table's expanded row.

export function CaseDetailPage({ caseNumber }: { caseNumber: string }) {
  const query = useApi<Detail>(apiUrl(`cases/${encodeURIComponent(caseNumber)}`));
  return (
    <DetailFrame
      query={query}
      what={`case ${caseNumber}`}
      notFound={`No case ${caseNumber}`}
      render={(d) => (
        <DetailView
          data={d}
          heading={
            <>
              Case {d.case?.caseNumber ?? caseNumber}
              {d.case && `: ${d.case.summary}`}
            </>
          }
          tabTitle={`Case ${caseNumber}`}
        />
      )}
    />
  );
}

export function CardDetailPage({ cardKey }: { cardKey: string }) {
  const query = useApi<Detail>(apiUrl(`cards/${encodeURIComponent(cardKey)}`));
  return (
    <DetailFrame
      query={query}
      what={`card ${cardKey}`}
      notFound={`No card ${cardKey}`}
      render={(d) => (
        <DetailView
          data={d}
          currentCard={d.card?.key ?? cardKey}
          heading={
            <>
              Card {d.card?.key ?? cardKey}
              {d.card && `: ${d.card.summary}`}
            </>
          }
          tabTitle={`Card ${cardKey}`}
        />
      )}
    />
  );
}

function DetailFrame({
  query,
  what,
  notFound,
  render,
}: {
  query: ReturnType<typeof useApi<Detail>>;
  what: string;
  notFound: string;
  render: (d: Detail) => ReactNode;
}) {
  const err = query.error;
  // 400: the number or key is malformed (the API checks its pattern), which also means "not there".
  if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
    return (
      <section>
        <PageTitle title={notFound}>{notFound}</PageTitle>
        <p>
          The dashboard has no {what}. It may not carry one of the team's tags, or it has not been synced yet.
        </p>
        <p>
          <Link to="/search">Search cases and comments</Link> · <Link to="/cases">All cases</Link> ·{' '}
          <Link to="/table/all">All cards</Link>
        </p>
      </section>
    );
  }
  if (query.data) return <>{render(query.data)}</>;
  return (
    <section>
      <PageTitle title={what}>{what.charAt(0).toUpperCase() + what.slice(1)}</PageTitle>
      <ErrorBox error={err} />
      {query.isPending && <Loading what={`Loading ${what}`} />}
    </section>
  );
}

function DetailView({
  data,
  heading,
  tabTitle,
  currentCard,
}: {
  data: Detail;
  heading: ReactNode;
  tabTitle: string;
  currentCard?: string;
}) {
  const c = data.case;
  // A card page's card comes first; a case page lists its card(s) in the API's order.
  const cards = data.cards.length ? data.cards : data.card ? [data.card] : [];
  return (
    <div className="detail-page">
      <PageTitle title={tabTitle}>{heading}</PageTitle>
      <div className="detail-grid">
        {c ? (
          <CasePanel info={c} critSit={data.details?.critSit ?? data.card?.critSit ?? false} />
        ) : (
          <section className="panel" aria-labelledby="case-heading">
            <h2 id="case-heading">Case</h2>
            <p className="empty">
              {data.card?.caseNumber
                ? `Case ${data.card.caseNumber} is not in the dashboard.`
                : 'This card is not linked to a case.'}
            </p>
          </section>
        )}
        <div>
          {data.details && <DetailsPanel details={data.details} />}
          <CardsPanel cards={cards} currentCard={currentCard} />
          <EscalationsPanel escalations={data.escalations} />
        </div>
      </div>
      <section className="panel detail-links" aria-labelledby="links-heading">
        <h2 id="links-heading">Bugs and JIRA issues</h2>
        {data.bugs.length === 0 && data.issues.length === 0 ? (
          <p className="empty">No linked bugs or JIRA issues.</p>
        ) : (
          <>
            {data.bugs.length > 0 && (
              <div className="table-wrap">
                <BugsTable bugs={data.bugs} />
              </div>
            )}
            {data.issues.length > 0 && (
              <div className="table-wrap">
                <IssuesTable issues={data.issues} />
              </div>
            )}
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="comments-heading">
        <h2 id="comments-heading">Comments ({data.comments.length})</h2>
        <p className="muted">Customer Portal and JIRA comments, newest first.</p>
        <CommentList comments={data.comments} />
      </section>
    </div>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

const when = (iso: string | null | undefined) => (iso ? `${dateTime(iso)} UTC` : '---');

function CasePanel({ info, critSit }: { info: CaseInfo; critSit: boolean }) {
  return (
    <section className="panel" aria-labelledby="case-heading">
      <h2 id="case-heading">Case</h2>
      <dl className="facts">
        <Fact term="Case">
          <ExtLink url={info.caseUrl} title="Open the case in the Customer Portal">
            {info.caseNumber}
          </ExtLink>{' '}
          <CopyText text={info.caseNumber} label="Copy number" />
        </Fact>
        <Fact term="Severity">
          <SeverityBadge severity={info.severity} />{' '}
          {critSit && <span className="badge crit-sit">Crit Sit</span>}
        </Fact>
        <Fact term="Status">{info.status}</Fact>
        <Fact term="Account">
          <AccountLink account={info.account} />
        </Fact>
        <Fact term="Product">
          {dash(info.product)}
          {info.productVersion && info.product && !info.product.includes(info.productVersion)
            ? ` ${info.productVersion}`
            : ''}
          {info.productVersion && !info.product ? ` (version ${info.productVersion})` : ''}
        </Fact>
        <Fact term="Owner">{dash(info.owner)}</Fact>
        <Fact term="Created">{when(info.createdDate)}</Fact>
        <Fact term="Last update">{when(info.lastUpdate)}</Fact>
        <Fact term="Closed">{when(info.closedDate)}</Fact>
        <Fact term="Days open">
          <DaysOpen days={info.daysOpen ?? null} sla={info.sla ?? 'none'} />
        </Fact>
        {info.bugNumber && <Fact term="Bugzilla">{info.bugNumber}</Fact>}
        <Fact term="Tags">
          {info.tags?.length ? (
            <ul className="tag-list">
              {info.tags.map((t) => (
                <li key={t} className="chip">
                  {t}
                </li>
              ))}
            </ul>
          ) : (
            '---'
          )}
        </Fact>
      </dl>
      <div className="detail-description">
        <h3>Description</h3>
        {info.description ? (
          <Markup body={info.description} format="text" />
        ) : (
          <p className="empty">No description.</p>
        )}
      </div>
    </section>
  );
}

function DetailsPanel({ details }: { details: CaseDetails }) {
  return (
    <section className="panel" aria-labelledby="details-heading">
      <h2 id="details-heading">Details</h2>
      <dl className="facts">
        <Fact term="Crit Sit">
          <CritSitBadge critSit={details.critSit} />
        </Fact>
        <Fact term="Case group">{dash(details.group)}</Fact>
        {details.entitlementSla !== undefined && (
          <Fact term="Entitlement">{dash(details.entitlementSla)}</Fact>
        )}
        <Fact term="Notified users">
          {details.notifiedUsers.length ? (
            <ul className="tag-list">
              {details.notifiedUsers.map((u) => (
                <li key={u.ssoUsername} className="chip">
                  {u.title ? `${u.title} (${u.ssoUsername})` : u.ssoUsername}
                </li>
              ))}
            </ul>
          ) : (
            '---'
          )}
        </Fact>
        <Fact term="Relief">{when(details.reliefAt)}</Fact>
        <Fact term="Resolved">{when(details.resolvedAt)}</Fact>
      </dl>
    </section>
  );
}

function CardsPanel({ cards, currentCard }: { cards: CardItem[]; currentCard: string | undefined }) {
  return (
    <section className="panel" aria-labelledby="cards-heading">
      <h2 id="cards-heading">{cards.length > 1 ? `Cards (${cards.length})` : 'Card'}</h2>
      {cards.length === 0 && <p className="empty">No JIRA card for this case.</p>}
      {cards.map((card) => (
        <div key={card.key} className="detail-card">
          <h3>
            <ExtLink url={card.jiraUrl} title="Open the card in JIRA">
              {card.key}
            </ExtLink>
            <StatusBadge status={card.internalStatus} />
            <CardMarkers card={card} />
            {card.key !== currentCard && (
              <Link to={cardPath(card.key)} className="small-link">
                card page
              </Link>
            )}
            {currentCard && card.caseNumber && (
              <Link to={casePath(card.caseNumber)} className="small-link">
                case page
              </Link>
            )}
          </h3>
          <dl className="facts">
            <Fact term="Summary">{card.summary}</Fact>
            <Fact term="Assignee">
              <EngineerLink name={card.assignee} />
            </Fact>
            <Fact term="Contributors">{card.contributors.length ? card.contributors.join(', ') : '---'}</Fact>
            <Fact term="On Prio-list">
              <PrioListBadge prioList={card.prioList} url={card.escalationUrl} />
            </Fact>
            <Fact term="JIRA priority">{dash(card.priority)}</Fact>
            <Fact term="Case status">{dash(card.caseStatus)}</Fact>
            <Fact term="Labels">{card.labels.length ? card.labels.join(', ') : '---'}</Fact>
            <Fact term="Lists">
              {[card.dailyTelco && 'Daily Telco', card.trends && 'Trends'].filter(Boolean).join(', ') ||
                '---'}
            </Fact>
            <Fact term="Card updated">{when(card.cardUpdated)}</Fact>
          </dl>
        </div>
      ))}
    </section>
  );
}

function EscalationsPanel({ escalations }: { escalations: Escalation[] }) {
  return (
    <section className="panel" aria-labelledby="escalations-heading">
      <h2 id="escalations-heading">Escalations</h2>
      {escalations.length === 0 ? (
        <p className="empty">Not escalated.</p>
      ) : (
        <ul className="escalation-list">
          {escalations.map((e) => (
            <li key={e.key}>
              <ExtLink url={e.url}>{e.key}</ExtLink>
              {e.summary && <> {e.summary}</>} · {e.status}{' '}
              {e.open ? (
                <span className="badge prio-yes">open</span>
              ) : (
                <span className="muted">(closed)</span>
              )}
              {e.updated && <span className="muted"> · updated {when(e.updated)}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
