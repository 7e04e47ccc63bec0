import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { roleIncludes, USER_ROLES, type UserRole } from '../../shared/vocabulary.js';
import { apiUrl, postJson, sendJson, useApi } from '../api.js';
import { ErrorBox, Loading, PageTitle } from '../components/layout.js';
import { dash, dateTime } from '../format.js';
import { useMe } from '../session.js';
import type { ApiTokenList, AuditList, CreatedApiToken, UserList } from '../types.js';

// Access: your personal API tokens (create — shown once — and revoke); for admins also every user
// with their role and last login, everyone's tokens, and the audit log.

function TokenTable({ list, onRevoke }: { list: ApiTokenList; onRevoke: (id: string) => void }) {
  if (!list.items.length) return <p className="empty">No tokens.</p>;
  return (
    <table className="data">
      <thead>
        <tr>
          <th>Name</th>
          <th>Owner</th>
          <th>Role</th>
          <th>Created (UTC)</th>
          <th>Expires (UTC)</th>
          <th>Last used</th>
          <th>
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {list.items.map((t) => (
          <tr key={t.id}>
            <td>{t.name}</td>
            <td>{t.userId}</td>
            <td>{t.role}</td>
            <td className="nowrap">{dateTime(t.createdAt)}</td>
            <td className="nowrap">{dateTime(t.expiresAt)}</td>
            <td className="nowrap">{t.lastUsedAt ? dateTime(t.lastUsedAt) : '—'}</td>
            <td>
              {t.revokedAt ? (
                `revoked ${dateTime(t.revokedAt)}`
              ) : (
                <button type="button" onClick={() => onRevoke(t.id)}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MyTokens({ role }: { role: UserRole }) {
  const client = useQueryClient();
  const q = useApi<ApiTokenList>(apiUrl('tokens'));
  const [created, setCreated] = useState<CreatedApiToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<UserRole>('viewer');
  const [days, setDays] = useState(90);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setCreated(
        await postJson<CreatedApiToken>('/api/v1/tokens', { name, role: scope, expiresInDays: days }),
      );
      setName('');
      void client.invalidateQueries({ queryKey: ['api'] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const revoke = async (id: string) => {
    if (!window.confirm('Revoke this token? Scripts using it stop working at once.')) return;
    try {
      await sendJson('DELETE', `/api/v1/tokens/${id}`);
      void client.invalidateQueries({ queryKey: ['api'] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <>
      <form onSubmit={submit} className="token-form">
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>{' '}
        <label>
          Role{' '}
          <select value={scope} onChange={(e) => setScope(e.target.value as UserRole)}>
            {USER_ROLES.filter((r) => roleIncludes(role, r)).map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>{' '}
        <label>
          Expires in (days){' '}
          <input
            type="number"
            min={1}
            max={366}
            value={days}
            onChange={(e) => setDays(Number(e.target.value))}
          />
        </label>{' '}
        <button type="submit">Create token</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div className="token-once" role="status">
          <p>
            Token “{created.name}” ({created.role}, expires {dateTime(created.expiresAt)} UTC). Copy it now:
            it is not shown again.
          </p>
          <code data-testid="new-token">{created.token}</code>
        </div>
      )}
      {q.error ? (
        <ErrorBox error={q.error} />
      ) : q.data ? (
        <TokenTable list={q.data} onRevoke={revoke} />
      ) : (
        <Loading />
      )}
    </>
  );
}

function Users() {
  const q = useApi<UserList>(apiUrl('admin/users'));
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading users" />;
  return (
    <table className="data">
      <thead>
        <tr>
          <th>User</th>
          <th>Name</th>
          <th>E-mail</th>
          <th>Role</th>
          <th>Groups</th>
          <th>First login (UTC)</th>
          <th>Last login (UTC)</th>
        </tr>
      </thead>
      <tbody>
        {q.data.items.map((u) => (
          <tr key={u.id}>
            <td>{u.id}</td>
            <td>{u.name}</td>
            <td>{dash(u.email)}</td>
            <td>{u.role ?? 'denied (no group maps to a role)'}</td>
            <td>{u.groups.join(', ')}</td>
            <td className="nowrap">{dateTime(u.firstLoginAt)}</td>
            <td className="nowrap">{dateTime(u.lastLoginAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AllTokens() {
  const client = useQueryClient();
  const q = useApi<ApiTokenList>(apiUrl('admin/tokens'));
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading tokens" />;
  const revoke = async (id: string) => {
    if (!window.confirm('Revoke this token?')) return;
    await sendJson('DELETE', `/api/v1/admin/tokens/${id}`);
    void client.invalidateQueries({ queryKey: ['api'] });
  };
  return <TokenTable list={q.data} onRevoke={revoke} />;
}

function Audit() {
  const q = useApi<AuditList>(apiUrl('admin/audit', { limit: 200 }));
  if (q.error) return <ErrorBox error={q.error} />;
  if (!q.data) return <Loading what="Loading the audit log" />;
  return (
    <div className="table-wrap">
      <table className="data">
        <thead>
          <tr>
            <th>When (UTC)</th>
            <th>Who</th>
            <th>What</th>
            <th>Target</th>
            <th>From</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {q.data.items.map((a) => (
            <tr key={a.id}>
              <td className="nowrap">{dateTime(a.at)}</td>
              <td>{dash(a.actor)}</td>
              <td>{a.action}</td>
              <td>{dash(a.target)}</td>
              <td>{dash(a.ip)}</td>
              <td>
                <code>{JSON.stringify(a.detail)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AccessPage() {
  const me = useMe();
  if (!me) return <Loading />;
  if (me.mode === 'none' || !me.user)
    return (
      <section>
        <PageTitle title="access">Access</PageTitle>
        <p className="muted">Sign-in is off (AUTH_MODE=none): there are no users or API tokens.</p>
      </section>
    );
  const admin = roleIncludes(me.user.role, 'admin');
  return (
    <section>
      <PageTitle title="access">Access</PageTitle>
      <h2>Your API tokens</h2>
      <p className="muted">
        Send one as <code>Authorization: Bearer …</code>. A token can do what its role allows, never more than
        you.
      </p>
      <MyTokens role={me.user.role} />
      {admin && (
        <>
          <h2>Users</h2>
          <Users />
          <h2>Every API token</h2>
          <AllTokens />
          <h2>Audit log</h2>
          <Audit />
        </>
      )}
    </section>
  );
}
