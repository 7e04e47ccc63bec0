import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiUrl, getJson, postJson, useApi } from '../api.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { ago, dash, dateTime, number } from '../format.js';
import { deniedReason, useMe } from '../session.js';
import type {
  Accepted,
  JobMonitor,
  Meta,
  MirrorCompare,
  MirrorStatus,
  MirrorSync,
  MonitoredJob,
  QuarantineList,
  QuarantineReasons,
  Run,
  RunList,
  RunOutcome,
  WebhookStatus,
} from '../types.js';

// Sync status for operators: when each source last synced and how, a refresh per source, the job
// monitor (every job's schedules with their next run, queue depth, its newest run, a start button),
// recent runs with their counts, errors and outcomes (a failed one can be retried), the records
// rejected into quarantine grouped by reason, and (for admins) the jobs that write upstream.

const ADMIN_JOB_TITLES: Record<string, string> = {
  'card-creation': 'Create JIRA cards for new cases',
  'priority-sync': 'Sync JIRA priority to case severity',
  'bug-tagging': 'Tag linked bugs with the Telco keywords',
};

function useStart() {
  const client = useQueryClient();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const start = async (url: string, what: string) => {
    setMessage(null);
    try {
      const r = await postJson<Accepted>(url);
      setMessage({ ok: true, text: `${what}: ${r.joined ? 'joined the run already going' : 'started'}` });
      void client.invalidateQueries({ queryKey: ['api'] });
    } catch (err) {
      setMessage({ ok: false, text: `${what}: ${(err as Error).message}` });
    }
  };
  return { message, start };
}

function Sources({ meta, start }: { meta: Meta; start: (url: string, what: string) => void }) {
  const denied = deniedReason(useMe(), 'operator');
  return (
    <table className="data">
      <thead>
        <tr>
          <th>Source</th>
          <th>From</th>
          <th>Last successful sync</th>
          <th>Last run</th>
          <th>Error</th>
          <th>
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {meta.sources.map((s) => (
          <tr key={s.job}>
            <td>{s.job}</td>
            <td>{s.origin === 'mirror' ? "original dashboard's Redis (mirror)" : 't5g sync'}</td>
            <td title={s.lastSuccessAt ? `${dateTime(s.lastSuccessAt)} UTC` : undefined}>
              {ago(s.lastSuccessAt)}
            </td>
            <td>{dash(s.lastStatus)}</td>
            <td className={s.lastError ? 'error' : undefined}>{dash(s.lastError)}</td>
            <td>
              {meta.refreshable.includes(s.job) && (
                <button
                  type="button"
                  disabled={denied !== undefined}
                  title={denied ? `Refresh ${denied}` : undefined}
                  onClick={() => start(apiUrl(`refresh/${s.job}`), `Refresh ${s.job}`)}
                >
                  Refresh {s.job}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a job that writes upstream did, would have done (READ_ONLY), refused, or left to another run. */
function OutcomeCell({ outcome }: { outcome: RunOutcome }) {
  const lists: [string, RunOutcome['did']][] = [
    ['Did', outcome.did],
    ['Would have (READ_ONLY)', outcome.wouldHave],
    ['Failed', outcome.failed],
    ['Taken over by another run', outcome.handedOver],
  ];
  return (
    <details className="run-outcome">
      <summary className={outcome.result === 'refused' ? 'error' : undefined}>
        {outcome.result}: {outcome.summary}
      </summary>
      {outcome.refused && (
        <p className="error">
          Refused: {outcome.refused.reason}; alert {outcome.refused.alert}
        </p>
      )}
      {lists
        .filter(([, items]) => items.length > 0)
        .map(([title, items]) => (
          <div key={title}>
            <strong>{title}</strong>
            <ul>
              {items.slice(0, 50).map((a) => (
                <li key={`${a.action}\u0000${a.target}\u0000${a.detail ?? ''}`}>
                  {a.action} {a.target}
                  {a.detail ? `: ${a.detail}` : ''}
                </li>
              ))}
              {items.length > 50 && <li>… and {number(items.length - 50)} more</li>}
            </ul>
          </div>
        ))}
    </details>
  );
}

function RetryButton({
  run,
  adminJobs,
  start,
}: {
  run: Run;
  adminJobs: readonly string[];
  start: (url: string, what: string) => void;
}) {
  const denied = deniedReason(useMe(), adminJobs.includes(run.job) ? 'admin' : 'operator');
  return (
    <button
      type="button"
      disabled={denied !== undefined}
      title={denied ? `Retrying ${denied}` : undefined}
      onClick={() => start(apiUrl(`runs/${run.id}/retry`), `Retry ${run.job}`)}
    >
      Retry
    </button>
  );
}

/**
 * Webhooks upstreams push (JIRA): whether they are on, when the last delivery arrived and what
 * became of it. Polling runs either way; webhooks only make changes arrive sooner.
 */
function Webhooks() {
  const q = useApi<WebhookStatus>(apiUrl('webhooks'), { refetchInterval: 10_000 });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading webhooks" />;
  return (
    <table className="data webhooks">
      <thead>
        <tr>
          <th>Source</th>
          <th>Endpoint</th>
          <th>Last webhook</th>
          <th>Last event</th>
          <th className="num">Received</th>
          <th>Deleted upstream</th>
        </tr>
      </thead>
      <tbody>
        {q.data.sources.map((w) => (
          <tr key={w.source}>
            <td>{w.source}</td>
            <td>
              {w.enabled ? (
                <code>POST {w.path}</code>
              ) : (
                <span className="muted">off (set JIRA_WEBHOOK_SECRET); polling only</span>
              )}
            </td>
            <td
              className="last-webhook"
              title={w.lastReceivedAt ? `${dateTime(w.lastReceivedAt)} UTC` : undefined}
            >
              {w.lastReceivedAt ? ago(w.lastReceivedAt) : 'never'}
            </td>
            <td>
              {w.lastEvent
                ? `${w.lastEvent}${w.lastKey ? ` ${w.lastKey}` : ''}: ${dash(w.lastOutcome)}`
                : dash(null)}
            </td>
            <td className="num">{number(w.received)}</td>
            <td title={w.deletedKeys.join(', ') || undefined}>
              {w.deletedUpstream ? `${number(w.deletedUpstream)} (kept)` : dash(null)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Runs({
  adminJobs,
  start,
}: {
  adminJobs: readonly string[];
  start: (url: string, what: string) => void;
}) {
  const q = useApi<RunList>(apiUrl('runs', { limit: 30 }), { refetchInterval: 10_000 });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading runs" />;
  if (!q.data.items.length) return <p className="empty">No runs yet.</p>;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th>Job</th>
            <th>Trigger</th>
            <th>Status</th>
            <th>Started (UTC)</th>
            <th>Took</th>
            <th className="num">Fetched</th>
            <th className="num">Changed</th>
            <th className="num">Quarantined</th>
            <th className="num">Requests</th>
            <th>Progress / error</th>
            <th>Outcome</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {q.data.items.map((r) => (
            <tr key={r.id} data-run={r.id}>
              <td>{r.job}</td>
              <td>{r.trigger}</td>
              <td className={r.status === 'failed' ? 'error' : undefined}>{r.status}</td>
              <td className="nowrap">{dateTime(r.startedAt)}</td>
              <td>
                {r.finishedAt
                  ? `${number((Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000, 1)} s`
                  : '…'}
              </td>
              <td className="num">{number(r.fetched)}</td>
              <td className="num">{number(r.changed)}</td>
              <td className="num">{number(r.quarantined)}</td>
              <td className="num">{number(r.upstreamRequests)}</td>
              <td>
                {r.error ??
                  (r.progress.phase
                    ? `${r.progress.phase} ${r.progress.current ?? ''}/${r.progress.total ?? ''}`
                    : '')}
              </td>
              <td>{r.outcome ? <OutcomeCell outcome={r.outcome} /> : ''}</td>
              <td>{r.status === 'failed' && <RetryButton run={r} adminJobs={adminJobs} start={start} />}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ScheduleList({ job }: { job: MonitoredJob }) {
  if (job.schedules.length === 0) return <span className="muted">not scheduled</span>;
  return (
    <ul className="schedules">
      {job.schedules.map((s) =>
        s.active ? (
          <li key={s.key}>
            <code>{s.cron}</code> ({s.key}): next{' '}
            <time dateTime={s.nextRunAt ?? undefined}>{dateTime(s.nextRunAt)} UTC</time>
          </li>
        ) : (
          <li key={s.key} className="muted">
            {s.key}: off ({s.inactiveBecause})
          </li>
        ),
      )}
    </ul>
  );
}

/** The job monitor: every job, when it runs next, what waits in its queue, how it last went. */
function JobMonitorPanel({ start }: { start: (url: string, what: string) => void }) {
  const me = useMe();
  const denied = deniedReason(me, 'operator');
  const q = useApi<JobMonitor>(denied ? null : apiUrl('jobs'), { refetchInterval: 10_000 });
  if (denied) return <p className="muted">The job monitor {denied}.</p>;
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading the job monitor" />;
  return (
    <div className="table-wrap">
      <table className="data job-monitor">
        <thead>
          <tr>
            <th>Job</th>
            <th>Schedules (UTC) and next run</th>
            <th className="num">Queued</th>
            <th className="num">Running</th>
            <th className="num">Failed (kept)</th>
            <th>Last run</th>
            <th>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {q.data.items.map((j) => {
            const cannot = deniedReason(me, j.role);
            return (
              <tr key={j.job} data-job={j.job}>
                <td>
                  {j.job}
                  <div className="muted">
                    {j.title}
                    {j.writesUpstream ? ' (writes upstream)' : ''}
                  </div>
                </td>
                <td>
                  <ScheduleList job={j} />
                </td>
                <td className="num">
                  {number(j.queue.queued)}
                  {j.queue.deferred ? ` (${number(j.queue.deferred)} later)` : ''}
                </td>
                <td className="num">{number(j.queue.active)}</td>
                <td className="num">{number(j.queue.failed)}</td>
                <td className={j.lastRun?.status === 'failed' ? 'error' : undefined}>
                  {j.lastRun
                    ? `${j.lastRun.status}, ${ago(j.lastRun.finishedAt ?? j.lastRun.startedAt)}`
                    : 'never'}
                </td>
                <td>
                  {j.startPath && (
                    <button
                      type="button"
                      disabled={cannot !== undefined}
                      title={cannot ? `Running it ${cannot}` : undefined}
                      onClick={() => {
                        const path = j.startPath;
                        if (!path) return;
                        if (j.writesUpstream && !window.confirm(`Run ${j.job} now? It writes upstream.`))
                          return;
                        start(path, `Run ${j.job}`);
                      }}
                    >
                      Run {j.job}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The quarantine grouped by source and reason; a group opens its records. */
function QuarantineReasonsPanel({
  open,
  onOpen,
}: {
  open: { source: string; reason: string } | null;
  onOpen: (g: { source: string; reason: string } | null) => void;
}) {
  const q = useApi<QuarantineReasons>(apiUrl('quarantine/reasons'), { refetchInterval: 30_000 });
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading quarantine reasons" />;
  if (!q.data.items.length) return null;
  return (
    <div className="table-wrap">
      <table className="data quarantine-reasons">
        <thead>
          <tr>
            <th>Source</th>
            <th>Reason</th>
            <th className="num">Records</th>
            <th>Last seen (UTC)</th>
            <th>
              <span className="sr-only">Records</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {q.data.items.map((g) => {
            const isOpen = open?.source === g.source && open.reason === g.reason;
            return (
              <tr key={`${g.source}\u0000${g.reason}`} className={isOpen ? 'selected' : undefined}>
                <td>{g.source}</td>
                <td>{g.reason}</td>
                <td className="num">{number(g.count)}</td>
                <td className="nowrap">{dateTime(g.lastSeen)}</td>
                <td>
                  <button
                    type="button"
                    aria-pressed={isOpen}
                    onClick={() => onOpen(isOpen ? null : { source: g.source, reason: g.reason })}
                  >
                    {isOpen
                      ? 'Show all reasons'
                      : `Show ${number(g.count)} record${g.count === 1 ? '' : 's'}`}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Quarantine() {
  const [group, setGroup] = useState<{ source: string; reason: string } | null>(null);
  return (
    <>
      <QuarantineReasonsPanel open={group} onOpen={setGroup} />
      {group && (
        <h3>
          {group.source}: {group.reason}
        </h3>
      )}
      <QuarantineRecords group={group} />
    </>
  );
}

function QuarantineRecords({ group }: { group: { source: string; reason: string } | null }) {
  const q = useApi<QuarantineList>(apiUrl('quarantine', { limit: 100, ...(group ?? {}) }));
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading quarantine" />;
  if (!q.data.items.length) return <p className="empty">No rejected records.</p>;
  return (
    <>
      <p className="muted">
        {number(q.data.total)} upstream record{q.data.total === 1 ? '' : 's'} rejected and kept with the
        reason; the rest of each batch was stored.
      </p>
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              <th>Source</th>
              <th>Record</th>
              <th>Reason</th>
              <th className="num">Seen</th>
              <th>Last seen (UTC)</th>
              <th>Payload</th>
            </tr>
          </thead>
          <tbody>
            {q.data.items.map((r) => (
              <tr key={r.id}>
                <td>{r.source}</td>
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
      </div>
    </>
  );
}

/**
 * The Redis mirror of the original dashboard: which sources come from it (their own jobs are off),
 * whether `t5g mirror` is following, its lag and errors, a full sync and a comparison on demand.
 */
function MirrorPanel() {
  const client = useQueryClient();
  const status = useApi<MirrorStatus>(apiUrl('sync/status'), { refetchInterval: 5_000 });
  const [compare, setCompare] = useState<MirrorCompare | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const act = async (what: string, run: () => Promise<string>) => {
    setBusy(what);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await run() });
      void client.invalidateQueries({ queryKey: ['api'] });
    } catch (err) {
      setMessage({ ok: false, text: `${what}: ${(err as Error).message}` });
    } finally {
      setBusy(null);
    }
  };
  if (status.error) return <ErrorBox error={status.error} />;
  if (!status.data) return <Loading what="Loading mirror status" />;
  const s = status.data;
  if (!s.enabled)
    return (
      <p className="muted">
        Every source is synced by t5g itself. Set REDIS_MIRROR_URL to mirror the original dashboard&apos;s
        Redis.
      </p>
    );
  return (
    <div className="mirror-panel">
      <p>
        From the original dashboard&apos;s Redis (its own jobs are off):{' '}
        <strong>{s.sources.join(', ')}</strong>.
      </p>
      <table className="data">
        <tbody>
          <tr>
            <th scope="row">Follower</th>
            <td className={s.service_status === 'running' ? undefined : 'error'}>
              {s.service_status}
              {s.mode ? ` (${s.mode})` : ''}
            </td>
          </tr>
          <tr>
            <th scope="row">Redis</th>
            <td className={s.redis_connected ? undefined : 'error'}>
              {s.redis_connected ? 'connected' : 'not reachable'}
            </td>
          </tr>
          <tr>
            <th scope="row">Last change event</th>
            <td>{ago(s.last_event_at)}</td>
          </tr>
          <tr>
            <th scope="row">Lag</th>
            <td>{s.lag_ms === null ? dash(null) : `${number(s.lag_ms)} ms`}</td>
          </tr>
          <tr>
            <th scope="row">Last success</th>
            <td>{ago(s.last_success_at)}</td>
          </tr>
          <tr>
            <th scope="row">Records mirrored</th>
            <td>
              {Object.entries(s.counts)
                .map(
                  ([k, c]) =>
                    `${k} ${number(c.mirrored)}${c.quarantined ? ` (+${c.quarantined} quarantined)` : ''}`,
                )
                .join(' · ') || dash(null)}
            </td>
          </tr>
        </tbody>
      </table>
      {s.errors.length > 0 && (
        <ul className="error">
          {s.errors.slice(0, 5).map((e) => (
            <li key={`${e.at}-${e.key}`}>
              {dateTime(e.at)} {e.key}: {e.message}
            </li>
          ))}
        </ul>
      )}
      <p>
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            act('Full sync', async () => {
              const r = await postJson<MirrorSync>(apiUrl('sync/manual'));
              const written = r.results.reduce((n, k) => n + k.written, 0);
              const failed = r.results.filter((k) => k.error).map((k) => k.key);
              return `Full sync: ${number(written)} changed records written${failed.length ? `; failed: ${failed.join(', ')}` : ''}`;
            })
          }
        >
          {busy === 'Full sync' ? 'Syncing…' : 'Full sync now'}
        </button>{' '}
        <button
          type="button"
          disabled={busy !== null}
          onClick={() =>
            act('Compare', async () => {
              const r = await getJson<MirrorCompare>(apiUrl('sync/compare'));
              setCompare(r);
              return `Compared: ${number(r.mismatches)} mismatch${r.mismatches === 1 ? '' : 'es'}`;
            })
          }
        >
          {busy === 'Compare' ? 'Comparing…' : 'Compare Redis with PostgreSQL'}
        </button>
      </p>
      {message && (
        <p className={message.ok ? 'muted' : 'error'} role="status">
          {message.text}
        </p>
      )}
      {compare && (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th>Key</th>
                <th className="num">Redis</th>
                <th className="num">PostgreSQL</th>
                <th className="num">Quarantined</th>
                <th className="num">Mismatches</th>
                <th>Examples</th>
              </tr>
            </thead>
            <tbody>
              {compare.keys.map((k) => (
                <tr key={k.key}>
                  <td>{k.key}</td>
                  <td className="num">{number(k.redis)}</td>
                  <td className="num">{number(k.postgres)}</td>
                  <td className="num">{number(k.quarantined)}</td>
                  <td className={k.mismatches ? 'num error' : 'num'}>{number(k.mismatches)}</td>
                  <td>
                    {k.error ??
                      [
                        k.missing.count ? `missing: ${k.missing.examples.join(', ')}` : '',
                        k.stale.count ? `changed: ${k.stale.examples.join(', ')}` : '',
                        k.drifted.count ? `changed in PostgreSQL: ${k.drifted.examples.join(', ')}` : '',
                        k.gone.count ? `gone from Redis: ${k.gone.examples.join(', ')}` : '',
                      ]
                        .filter(Boolean)
                        .join('; ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function SyncPage() {
  const meta = useApi<Meta>(apiUrl('meta'), { refetchInterval: 10_000 });
  const { message, start } = useStart();
  const adminDenied = deniedReason(useMe(), 'admin');
  return (
    <section>
      <PageTitle title="sync">Sync status</PageTitle>
      {message && (
        <p className={message.ok ? 'muted' : 'error'} role="status">
          {message.text}
        </p>
      )}
      <ErrorBox error={meta.error} />
      {meta.data && (
        <>
          <h2>Sources</h2>
          {!meta.data.canRefresh && (
            <p className="muted">This process serves reads only: no refresh from here.</p>
          )}
          <Sources meta={meta.data} start={start} />
          {meta.data.adminJobs.length > 0 && (
            <>
              <h2>Jobs that write upstream</h2>
              <p className="muted">
                {meta.data.readOnly
                  ? 'READ_ONLY is on: these jobs run, but every write to JIRA, the Portal, Bugzilla, Slack and e-mail is blocked and logged.'
                  : 'These jobs write to JIRA, the Portal, Bugzilla, Slack and e-mail.'}
              </p>
              <ul className="admin-jobs">
                {meta.data.adminJobs.map((job) => (
                  <li key={job}>
                    <button
                      type="button"
                      disabled={adminDenied !== undefined}
                      title={adminDenied ? `Running it ${adminDenied}` : undefined}
                      onClick={() => {
                        if (window.confirm(`Run ${job} now?`)) start(apiUrl(`admin/jobs/${job}`), job);
                      }}
                    >
                      Run {job}
                    </button>{' '}
                    {ADMIN_JOB_TITLES[job] ?? ''}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {!meta.data && !meta.error && <Loading />}
      <h2>Webhooks</h2>
      <Webhooks />
      <h2>Mirror of the original dashboard</h2>
      <MirrorPanel />
      <h2>Job monitor</h2>
      <JobMonitorPanel start={start} />
      <h2>Recent runs</h2>
      <Runs adminJobs={meta.data?.adminJobs ?? []} start={start} />
      <h2>Quarantine</h2>
      <Quarantine />
    </section>
  );
}
