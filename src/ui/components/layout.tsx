import { type ReactNode, useEffect, useRef, useState } from 'react';
import { apiUrl, postJson, useApi } from '../api.js';
import { ago, dateTime } from '../format.js';
import type { LiveState } from '../live.js';
import { href, Link, navigate, useLocation } from '../router.js';
import { useMe } from '../session.js';
import { useTheme } from '../theme.js';
import type { Logout, Me, Meta } from '../types.js';
import { CopyButton } from './copy.js';
import { RefreshButton } from './refresh.js';

// The frame of every page: navigation, global search, per-source freshness, refresh, copy, theme.

const SOURCE_LABELS: Record<string, string> = {
  cases: 'Cases',
  details: 'Case details',
  cards: 'Cards',
  issues: 'JIRA issues',
  bugs: 'Bugs',
  escalations: 'Escalations',
  stats: 'Stats',
};

function Menu({ label, items }: { label: string; items: [string, string][] }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const { pathname } = useLocation();
  // Close the menu after navigating.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every page change on purpose.
  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [pathname]);
  const active = items.some(([to]) => pathname === to.split('?')[0]);
  return (
    <details className={`menu${active ? ' active' : ''}`} ref={ref}>
      <summary>{label}</summary>
      <ul>
        {items.map(([to, text]) => (
          <li key={to}>
            <Link to={to}>{text}</Link>
          </li>
        ))}
      </ul>
    </details>
  );
}

function NavLink({ to, children }: { to: string; children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <Link
      to={to}
      className={pathname === to ? 'active' : undefined}
      aria-current={pathname === to ? 'page' : undefined}
    >
      {children}
    </Link>
  );
}

function SearchBox() {
  const { pathname, search } = useLocation();
  const [q, setQ] = useState(pathname === '/search' ? (search.get('q') ?? '') : '');
  const input = useRef<HTMLInputElement>(null);
  // "/" focuses the search from anywhere but a text field, as in most web apps.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      input.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <form
      className="global-search"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim()) navigate(href('/search', { q: q.trim() }));
      }}
    >
      <input
        type="search"
        ref={input}
        placeholder="Search cases, cards, bugs, people ( / )"
        aria-label="Search cases, cards, bugs, people and comments"
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
    </form>
  );
}

/** "Cases 2 min ago · Cards 5 min ago …", refreshed every 30 s. */
function Freshness({ meta, live }: { meta: Meta | undefined; live: LiveState }) {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = window.setInterval(() => tick((n) => n + 1), 30_000);
    return () => window.clearInterval(t);
  }, []);
  if (!meta) return null;
  const main = meta.sources.filter((s) => ['cases', 'cards', 'bugs', 'escalations'].includes(s.job));
  return (
    <section className="freshness" aria-label="Data freshness">
      <span className={`live-dot live-${live}`} title={`Live updates: ${live}`} />
      {main.map((s) => (
        <span
          key={s.job}
          className={`fresh-item${s.lastStatus === 'failed' ? ' fresh-failed' : ''}`}
          title={
            s.origin === 'mirror'
              ? `${s.job} come from the original dashboard's Redis (mirror)`
              : s.lastStatus === 'failed'
                ? `Last ${s.job} sync failed: ${s.lastError ?? 'unknown error'}`
                : s.lastSuccessAt
                  ? `Last successful ${s.job} sync ${dateTime(s.lastSuccessAt)} UTC`
                  : `${s.job} never synced`
          }
        >
          <Link to="/sync" className="fresh-link">
            {SOURCE_LABELS[s.job] ?? s.job}{' '}
            {s.origin === 'mirror'
              ? 'mirrored from the original'
              : s.lastSuccessAt
                ? `synced ${ago(s.lastSuccessAt)}`
                : 'not synced yet'}
          </Link>
        </span>
      ))}
    </section>
  );
}

/** The signed-in user's name and role, and sign-out. */
function UserMenu({ me }: { me: Me | undefined }) {
  const [error, setError] = useState<string | null>(null);
  if (!me?.user || me.via !== 'session') return null;
  const signOut = async () => {
    try {
      const r = await postJson<Logout>('/auth/logout');
      window.location.assign(r.redirect);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <div className="user-menu">
      <span className="user-name" title={me.user.email ?? undefined}>
        {me.user.name}
      </span>{' '}
      <span className="user-role">{me.user.role}</span>{' '}
      <button type="button" onClick={signOut} title={error ?? 'Sign out of t5g'}>
        Sign out
      </button>
    </div>
  );
}

export function Layout({ children, live }: { children: ReactNode; live: LiveState }) {
  const meta = useApi<Meta>(apiUrl('meta'), { refetchInterval: 30_000 }).data;
  const me = useMe();
  const theme = useTheme();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {(meta?.demo || me?.mode === 'none') && (
        <div className="demo-banner" role="note">
          {meta?.demo &&
            'Demo mode: data from the built-in simulators, not the Customer Portal, JIRA or Bugzilla. '}
          {me?.mode === 'none' && 'Sign-in is off: everyone here is an admin.'}
        </div>
      )}
      <header className="topbar">
        <nav aria-label="Main">
          <Link to="/home" className="brand">
            dashboard://
          </Link>
          <NavLink to="/home">Home</NavLink>
          <Menu
            label="Tables"
            items={[
              ['/table/', 'Recent Updates'],
              ['/table/all', 'All Cards'],
              ['/table/trends', 'Trends'],
              ['/cases', 'All Cases'],
            ]}
          />
          <Menu
            label="Reports"
            items={[
              ['/updates/', 'Recent Updates'],
              ['/updates/all', 'All Cards'],
              ['/trends/', 'Trends'],
              ['/weekly/', 'Weekly Report'],
            ]}
          />
          <NavLink to="/stats">Stats</NavLink>
          <NavLink to="/accounts">Accounts</NavLink>
          <NavLink to="/engineers">Engineers</NavLink>
          <NavLink to="/sync">Sync</NavLink>
          {me?.mode !== 'none' && <NavLink to="/access">Access</NavLink>}
        </nav>
        <SearchBox />
        <div className="topbar-actions">
          <RefreshButton meta={meta} me={me} />
          <CopyButton />
          <button
            type="button"
            onClick={theme.toggle}
            aria-label={theme.dark ? 'Switch to light mode' : 'Switch to dark mode'}
            title={theme.dark ? 'Light mode' : 'Dark mode'}
          >
            {theme.dark ? '☀' : '☾'}
          </button>
          <UserMenu me={me} />
        </div>
      </header>
      <div className="subbar">
        <Freshness meta={meta} live={live} />
        {meta?.readOnly && <span className="read-only">read-only: no writes to upstreams</span>}
      </div>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
      <footer>
        <span>t5g — field-support dashboard.</span>{' '}
        <span>
          Data is synced in the background: cases and cards every few minutes (incrementally), details, bugs,
          issues and escalations after them, stats daily. The header shows when each source last synced.
        </span>{' '}
        <a href="/api/docs">API</a>
      </footer>
    </>
  );
}

/** Page heading that also sets the tab title like the original ("dashboard:// …"). */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `dashboard:// ${title}`;
  }, [title]);
  return <h1>{children}</h1>;
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="loading" role="status">
      {what}…
    </p>
  );
}

export function ErrorBox({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      Could not load: {error.message}
    </p>
  );
}
