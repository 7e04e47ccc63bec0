import { dash, dateTime, day } from '../format.js';
import type { Bug, Comment, Issue, LastComment, ReportBug } from '../types.js';
import { ExtLink, Markup } from './markup.js';

// The pieces of a case's detail, shared by the table's expanded row, the reports and the detail page.

/** A bug as the detail (every field) or a report (no visibility flags) carries it. */
type BugRow = ReportBug & Partial<Pick<Bug, 'unavailable' | 'unavailableReason'>>;

/** The Bugzillas table; the reports leave out Severity, as the original's did. */
export function BugsTable({ bugs, severity = true }: { bugs: BugRow[]; severity?: boolean }) {
  if (!bugs.length) return null;
  return (
    <table className="data bugs-table">
      <caption>Bugzillas</caption>
      <thead>
        <tr>
          <th>#</th>
          <th>Summary</th>
          {severity && <th>Severity</th>}
          <th>Target Release</th>
          <th>Assignee</th>
          <th>QA Contact</th>
          <th>Last Updated</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {bugs.map((b) => (
          <tr key={b.id}>
            <td>
              <ExtLink url={b.url}>{b.id}</ExtLink>
            </td>
            <td>
              {b.unavailable ? (
                <span className="muted" title={b.unavailableReason ?? undefined}>
                  (not visible: {b.unavailableReason ?? 'restricted'})
                </span>
              ) : (
                dash(b.summary)
              )}
            </td>
            {severity && <td>{dash(b.severity)}</td>}
            <td>{dash(b.targetRelease[0])}</td>
            <td>{dash(b.assignee)}</td>
            <td>{dash(b.qaContact)}</td>
            <td>{dateTime(b.lastChange)}</td>
            <td>{dash(b.status)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const MISMATCH_TITLE = {
  lower: 'Jira severity is lower than case severity',
  higher: 'Jira severity is higher than case severity',
} as const;

export function IssuesTable({ issues }: { issues: Issue[] }) {
  if (!issues.length) return null;
  return (
    <table className="data issues-table">
      <caption>JIRA Issues</caption>
      <thead>
        <tr>
          <th>#</th>
          <th>Summary</th>
          <th>Priority</th>
          <th>Severity</th>
          <th>Telco Priority</th>
          <th>Target Release</th>
          <th>Assignee</th>
          <th>QA Contact</th>
          <th>Last Updated</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {issues.map((i) => {
          const mismatch =
            i.severityMismatch === 'lower' || i.severityMismatch === 'higher' ? i.severityMismatch : null;
          return (
            <tr key={i.key}>
              <td>
                <ExtLink url={i.url}>{i.key}</ExtLink>
              </td>
              <td>{dash(i.title)}</td>
              <td>{dash(i.priority)}</td>
              <td
                className={mismatch ? `sev-mismatch-${mismatch}` : undefined}
                title={mismatch ? MISMATCH_TITLE[mismatch] : undefined}
              >
                {dash(i.severity)}
              </td>
              <td className={i.telcoPriorityLevel ? `telco-priority-${i.telcoPriorityLevel}` : undefined}>
                {dash(i.telcoPriority)}
              </td>
              <td>{i.fixVersions?.length ? i.fixVersions.join(', ') : '---'}</td>
              <td>{dash(i.assignee)}</td>
              <td>{dash(i.qaContact)}</td>
              <td>{dateTime(i.updated)}</td>
              <td>{dash(i.status)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Comments newest first, each with its source, author and date. */
export function CommentList({ comments }: { comments: Comment[] }) {
  if (!comments.length) return <p className="empty">No comments.</p>;
  const sorted = [...comments].sort((a, b) => b.created.localeCompare(a.created));
  return (
    <div className="comments">
      {sorted.map((c) => (
        <article key={`${c.source}:${c.id}`} className={`comment comment-${c.source}`}>
          <div className="comment-meta">
            {day(c.created)} · {c.source === 'jira' ? `JIRA ${c.jiraKey ?? ''}` : 'Portal'}
            {c.author ? ` · ${c.author}` : ''}
            {c.source === 'portal' && !c.isPublic ? ' · private' : ''}
            {c.updated !== c.created ? ` · edited ${day(c.updated)}` : ''}
          </div>
          <Markup body={c.body} format={c.format} />
        </article>
      ))}
    </div>
  );
}

/** One short comment (most recent comment column, weekly report). */
export function ShortComment({ comment }: { comment: LastComment | null }) {
  if (!comment) return <span className="muted">No comments</span>;
  return (
    <div className="short-comment">
      <span className="comment-meta">{day(comment.date)}</span>
      <Markup body={comment.body} format={comment.format} />
    </div>
  );
}
