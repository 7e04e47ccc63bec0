import { type RunningSimulator, type SimulatorOptions, startSimulator } from '../src/index.js';

/** Pinned anchor so data is identical across runs (dates relative to it). */
export const ANCHOR = Date.UTC(2026, 6, 30, 12, 0, 0);

export async function startTestSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ port: 0, cases: 200, seed: 1, now: ANCHOR, ...opts });
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = unknown>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Non-JSON bodies (HTML 429 pages, webhook "ok") stay as text.
  }
  return { status: res.status, headers: res.headers, body: body as T, text };
}

export async function accessToken(sim: RunningSimulator, offlineToken = 'offline-token'): Promise<string> {
  const res = await call<{ access_token: string }>(sim.urls.ssoTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'rhsm-api',
      refresh_token: offlineToken,
    }),
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${res.status} ${res.text}`);
  return res.body.access_token;
}

export const cloudAuth = (email = 'bot@example.com', token = 'api-token'): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`,
});

export const dcAuth = (pat = 'personal-access-token'): Record<string, string> => ({
  authorization: `Bearer ${pat}`,
});

export function jsonInit(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
