import { keepPreviousData, type UseQueryOptions, useQuery } from '@tanstack/react-query';

// Reading the JSON API. Every query key starts with 'api' so the live-update hook can refresh
// whatever is on screen when the change feed reports new data.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { message?: string };
    if (body.message) message = body.message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(res.status, message);
}

/** The session ended (timeout, sign-out elsewhere): sign in again and come back to this view. */
export function signIn(): never {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`/auth/login?returnTo=${encodeURIComponent(here)}`);
  throw new ApiError(401, 'signing in again');
}

async function check(res: Response): Promise<Response> {
  if (res.status === 401) signIn();
  if (!res.ok) throw await failure(res);
  return res;
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: signal ?? null });
  return (await (await check(res)).json()) as T;
}

// A signed-in browser sends its session's CSRF token with every write (GET /api/v1/auth/me has it).
let csrfToken: Promise<string | null> | undefined;
const csrf = () => {
  csrfToken ??= getJson<{ csrfToken: string | null }>('/api/v1/auth/me').then((me) => me.csrfToken);
  return csrfToken;
};

export async function sendJson<T>(method: 'POST' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  const token = await csrf();
  if (token) headers['x-csrf-token'] = token;
  const res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
  return (await (await check(res)).json()) as T;
}

export const postJson = <T>(url: string, body?: unknown) => sendJson<T>('POST', url, body);

/** `/api/v1/<path>?<params>` with repeated keys for arrays. */
export function apiUrl(path: string, params?: URLSearchParams | Record<string, string | number | undefined>) {
  const sp =
    params instanceof URLSearchParams
      ? params
      : new URLSearchParams(
          Object.entries(params ?? {})
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => [k, String(v)]),
        );
  const qs = sp.toString();
  return `/api/v1/${path}${qs ? `?${qs}` : ''}`;
}

/** A GET of the API as a query; the previous data stays on screen while a new filter loads. */
export function useApi<T>(
  url: string | null,
  opts: Omit<UseQueryOptions<T, Error>, 'queryKey' | 'queryFn'> = {},
) {
  return useQuery<T, Error>({
    queryKey: ['api', url],
    queryFn: ({ signal }) => getJson<T>(url as string, signal),
    enabled: url !== null,
    placeholderData: keepPreviousData,
    ...opts,
  });
}
