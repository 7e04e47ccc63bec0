import { useState } from 'react';
import { apiUrl, useApi } from '../api.js';
import { dateTime, number } from '../format.js';
import type { QuarantineGroup, QuarantineGroups, QuarantineList } from '../types.js';
import { ErrorBox, Loading } from './layout.js';

// The sync page's quarantine: rejected records grouped by source and kind of reason (case numbers,
// keys and ids in a reason read "#"), largest group first, each opening to its rows page by page.

const PAGE = 100;

function GroupRows({ group }: { group: QuarantineGroup }) {
  const [limit, setLimit] = useState(PAGE);
  const q = useApi<QuarantineList>(
    apiUrl('quarantine', { source: group.source, reason: group.reason, limit: String(limit) }),
  );
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading records" />;
  return (
    <>
      <table className="data quarantine-rows">
        <caption className="sr-only">
          Records of {group.source}: {group.reason}
        </caption>
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Reason</th>
            <th scope="col" className="num">
              Seen
            </th>
            <th scope="col">Last seen (UTC)</th>
            <th scope="col">Payload</th>
          </tr>
        </thead>
        <tbody>
          {q.data.items.map((r) => (
            <tr key={r.id}>
              <td>{r.externalId}</td>
              <td>{r.reason}</td>
              <td className="num">{number(r.occurrences)}</td>
              <td className="nowrap">{dateTime(r.lastSeen)}</td>
              <td>
                {r.payload === null ? (
                  <span className="muted" title="Raw upstream payloads carry customer text">
                    admins only
                  </span>
                ) : (
                  <details>
                    <summary>show</summary>
                    <pre>{JSON.stringify(r.payload, null, 2)}</pre>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {q.data.total > q.data.items.length && (
        <button
          type="button"
          onClick={() => setLimit((n) => Math.min(n + PAGE, 500))}
          disabled={limit >= 500}
        >
          Show more ({number(q.data.items.length)} of {number(q.data.total)})
        </button>
      )}
    </>
  );
}

export function QuarantineGroupsPanel() {
  const q = useApi<QuarantineGroups>(apiUrl('quarantine/groups'));
  const [open, setOpen] = useState<string | null>(null);
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading quarantine" />;
  if (!q.data.groups.length) return <p className="empty">No rejected records.</p>;
  const total = q.data.total;
  return (
    <>
      <p className="muted">
        {number(total)} upstream record{total === 1 ? '' : 's'} rejected and kept with the reason, in{' '}
        {number(q.data.groups.length)} group{q.data.groups.length === 1 ? '' : 's'}; the rest of each batch
        was stored.
      </p>
      <div className="table-wrap">
        <table className="data quarantine-groups">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Records
              </th>
              <th scope="col">Last seen (UTC)</th>
              <th scope="col">Records</th>
            </tr>
          </thead>
          <tbody>
            {q.data.groups.map((g) => {
              const key = `${g.source}\n${g.reason}`;
              const shown = open === key;
              return (
                <tr key={key}>
                  <td>{g.source}</td>
                  <td>
                    {g.reason}
                    {shown && <GroupRows group={g} />}
                  </td>
                  <td className="num">{number(g.count)}</td>
                  <td className="nowrap">{dateTime(g.lastSeen)}</td>
                  <td>
                    <button type="button" aria-expanded={shown} onClick={() => setOpen(shown ? null : key)}>
                      {shown ? 'Hide' : `Show ${g.count === 1 ? 'it' : `the ${number(g.count)}`}`}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
