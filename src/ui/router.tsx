import {
  type AnchorHTMLAttributes,
  type MouseEvent,
  useCallback,
  useMemo,
  useSyncExternalStore,
} from 'react';

// A small client-side router on the History API: every view is a real URL (deep-linkable, back and
// forward work), and the table state lives in the query string so a view can be shared.

const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search + window.location.hash;

export function navigate(to: string, opts: { replace?: boolean } = {}) {
  if (to === snapshot()) return;
  if (opts.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of listeners) l();
  if (!opts.replace && !to.includes('#')) window.scrollTo(0, 0);
}

export interface Location {
  pathname: string;
  search: URLSearchParams;
  hash: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  return useMemo(() => {
    const url = new URL(href, window.location.origin);
    return { pathname: url.pathname, search: url.searchParams, hash: url.hash };
  }, [href]);
}

/** The query string as state: setting it replaces the history entry (filter clicks are not pages). */
export function useSearchParams(): [
  URLSearchParams,
  (next: URLSearchParams, opts?: { push?: boolean }) => void,
] {
  const { pathname, search } = useLocation();
  const set = useCallback(
    (next: URLSearchParams, opts: { push?: boolean } = {}) => {
      const qs = next.toString();
      navigate(qs ? `${pathname}?${qs}` : pathname, { replace: !opts.push });
    },
    [pathname],
  );
  return [search, set];
}

const isPlainClick = (e: MouseEvent) =>
  e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey && !e.defaultPrevented;

/** An in-app link: a real <a href> (open in new tab works) that navigates without a reload. */
export function Link({ to, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  return (
    <a
      {...rest}
      href={to}
      onClick={(e) => {
        onClick?.(e);
        if (!isPlainClick(e) || rest.target) return;
        e.preventDefault();
        navigate(to);
      }}
    />
  );
}

/** Builds `path?query` from a path and parameters; arrays repeat the key, empty values are dropped. */
export function href(
  path: string,
  params: Record<string, string | number | string[] | undefined> = {},
): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '') continue;
    for (const one of Array.isArray(v) ? v : [v]) sp.append(k, String(one));
  }
  const qs = sp.toString();
  return qs ? `${path}?${qs}` : path;
}
