import { type LinkedSignal, linkedSignal } from '../lib/abort.js';
import type { ResolvedDeps } from './deps.js';
import { UpstreamError } from './errors.js';
import { assertWritePermit, type WritePermit } from './read-only.js';
import { attemptTimeoutMs, parseRetryAfter, type RequestKind, runWithRetries } from './retry.js';
import { Semaphore } from './semaphore.js';
import type { UpstreamName } from './types.js';

// The one HTTP layer under the Portal, SSO, JIRA and Bugzilla connectors: timeouts, retries with backoff and
// jitter, Retry-After, bounded concurrency, metrics, secret-free logs, and no JSON.parse of error bodies.
// Writes are only reachable through `write(permit, …)`; see read-only.ts.

export type QueryValue = string | number | boolean | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface ReadRequest {
  path: string;
  /** Sets the attempt's timeout: `lookup` (one record; the default for reads) or `search` (a page). */
  kind?: 'lookup' | 'search';
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface WriteRequest extends ReadRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  json?: unknown;
  /**
   * Whether repeating the request after an ambiguous failure (timeout, 5xx, cut connection) is harmless.
   * Defaults to true for PUT and DELETE and false for POST; see `isRetryable` in retry.ts.
   */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body (204). */
  body: unknown;
}

/** Supplies credentials per attempt and, on a 401, a chance to refresh them once. */
export interface AuthProvider {
  headers(): Promise<Record<string, string>>;
  /** Resolve true when the credentials in `rejected` were replaced and the call should be repeated. */
  refresh?(rejected: Record<string, string>): Promise<boolean>;
}

export interface HttpClientOptions {
  upstream: UpstreamName;
  baseUrl: string;
  concurrency: number;
  headers?: Record<string, string>;
  auth?: AuthProvider;
  deps: ResolvedDeps;
}

export interface HttpClient {
  readonly upstream: UpstreamName;
  get(req: ReadRequest): Promise<HttpResponse>;
  /** The only way to send POST/PUT/DELETE; `permit` comes from the READ_ONLY guard. */
  write(permit: WritePermit, req: WriteRequest): Promise<HttpResponse>;
}

/**
 * A client for an OAuth token endpoint: a form POST that only mints a short-lived credential and changes nothing
 * upstream, so it is retried like a read and needs no write permit. Not for anything else.
 */
export interface TokenEndpointClient {
  postForm(form: Record<string, string>, signal?: AbortSignal): Promise<HttpResponse>;
}

interface SendSpec {
  method: string;
  kind: RequestKind;
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  body?: { contentType: string; text: string };
  idempotent: boolean;
  signal?: AbortSignal;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const send = createSender(options);
  return {
    upstream: options.upstream,
    get: ({ kind, ...req }) => send({ ...req, kind: kind ?? 'lookup', method: 'GET', idempotent: true }),
    async write(permit, req) {
      assertWritePermit(permit, options.upstream);
      const { method, json, idempotent, kind: _kind, ...rest } = req;
      return send({
        ...rest,
        kind: 'write',
        method,
        idempotent: idempotent ?? method !== 'POST',
        ...(json === undefined
          ? {}
          : { body: { contentType: 'application/json', text: JSON.stringify(json) } }),
      });
    },
  };
}

export function createTokenEndpointClient(options: Omit<HttpClientOptions, 'auth'>): TokenEndpointClient {
  const send = createSender(options);
  return {
    postForm: (form, signal) =>
      send({
        method: 'POST',
        kind: 'token',
        path: '',
        idempotent: true,
        body: {
          contentType: 'application/x-www-form-urlencoded',
          text: new URLSearchParams(form).toString(),
        },
        ...(signal ? { signal } : {}),
      }),
  };
}

function createSender(options: HttpClientOptions): (spec: SendSpec) => Promise<HttpResponse> {
  const { upstream, deps, auth } = options;
  const { logger, metrics, clock, policy } = deps;
  const semaphore = new Semaphore(options.concurrency);
  const staticHeaders = { Accept: 'application/json', 'User-Agent': 't5g', ...options.headers };
  // When one call is told to back off, the others to the same upstream wait too instead of collecting 429s.
  let pausedUntil = 0;

  return async function send(spec) {
    const url = buildUrl(options.baseUrl, spec.path, spec.query);
    const logPath = safePath(url);
    let usedAuth: Record<string, string> = {};
    return runWithRetries(
      {
        upstream,
        method: spec.method,
        path: logPath,
        idempotent: spec.idempotent,
        policy,
        clock,
        random: deps.random,
        logger,
        metrics,
        ...(spec.signal ? { signal: spec.signal } : {}),
        ...(auth?.refresh
          ? { onUnauthorized: () => auth.refresh?.(usedAuth) ?? Promise.resolve(false) }
          : {}),
        onRateLimited: (untilMs) => {
          pausedUntil = Math.max(pausedUntil, untilMs);
        },
      },
      async (attempt) => {
        const pause = pausedUntil - clock.now();
        if (pause > 0) await clock.sleep(pause, spec.signal);
        const release = await semaphore.acquire();
        try {
          usedAuth = auth ? await auth.headers() : {};
          const headers: Record<string, string> = { ...staticHeaders, ...usedAuth, ...spec.headers };
          if (spec.body) headers['Content-Type'] = spec.body.contentType;
          return await attemptOnce({ url, logPath, spec, headers, attempt });
        } finally {
          release();
        }
      },
    );
  };

  async function attemptOnce(a: {
    url: URL;
    logPath: string;
    spec: SendSpec;
    headers: Record<string, string>;
    attempt: number;
  }): Promise<HttpResponse> {
    const { spec } = a;
    const timeoutMs = attemptTimeoutMs(policy, spec.kind);
    // The attempt stops with the caller's signal, the connectors' own (a run's) and its timeout.
    const link = linkedSignal([spec.signal, deps.signal], timeoutMs);
    try {
      return await attemptWith(a, link, timeoutMs);
    } finally {
      link.release();
    }
  }

  async function attemptWith(
    a: { url: URL; logPath: string; spec: SendSpec; headers: Record<string, string>; attempt: number },
    link: LinkedSignal,
    timeoutMs: number,
  ): Promise<HttpResponse> {
    const { spec } = a;
    const { signal } = link;
    const started = performance.now();
    const fail = (
      init: Omit<ConstructorParameters<typeof UpstreamError>[0], 'upstream' | 'method' | 'path'>,
    ) => {
      const error = new UpstreamError({ upstream, method: spec.method, path: a.logPath, ...init });
      const outcome = error.kind === 'http' ? (error.status ?? 0) : error.kind;
      record(outcome);
      return error;
    };
    const record = (outcome: number | 'timeout' | 'network' | 'body') => {
      const durationMs = Math.round(performance.now() - started);
      metrics.request({ upstream, method: spec.method, outcome, durationMs });
      // `callAttempt`: the retry of this HTTP call; a run's logger already has `attempt` (the run's).
      logger.debug(
        { method: spec.method, path: a.logPath, status: outcome, durationMs, callAttempt: a.attempt },
        'upstream call',
      );
    };
    const transportFailure = (err: unknown) => {
      if (spec.signal?.aborted) return spec.signal.reason ?? err;
      if (deps.signal?.aborted) return deps.signal.reason ?? err;
      if (link.timedOut) return fail({ kind: 'timeout', detail: `no complete response in ${timeoutMs} ms` });
      const code = errorCode(err);
      return fail({
        kind: 'network',
        detail: code ?? 'connection failed',
        refused: code !== undefined && NOT_SENT_CODES.has(code),
        cause: err,
      });
    };

    let response: Response;
    let text: string;
    try {
      response = await deps.fetch(a.url, {
        method: spec.method,
        headers: a.headers,
        ...(spec.body ? { body: spec.body.text } : {}),
        signal,
        redirect: 'follow',
      });
      text = await response.text();
    } catch (err) {
      throw transportFailure(err);
    }

    if (!response.ok) {
      const retryAfterMs =
        response.status === 429 || response.status === 503
          ? parseRetryAfter(response.headers, clock.now())
          : undefined;
      throw fail({
        kind: 'http',
        status: response.status,
        detail: describeErrorBody(text, response.headers.get('content-type')),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    }
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = parseUpstreamJson(text);
      } catch {
        // A 2xx body that does not parse was cut short (or is not what we asked for). For reads it is retried.
        throw fail({
          kind: 'body',
          status: response.status,
          detail: `unparseable body of ${text.length} characters`,
        });
      }
    }
    record(response.status);
    return { status: response.status, headers: response.headers, body };
  }
}

/**
 * JSON.parse, with every NUL character in a string or key replaced by U+FFFD: PostgreSQL text and
 * jsonb cannot hold NUL, so one upstream record carrying it would fail the whole batch's write
 * instead of being stored or quarantined. Bodies without an escaped NUL parse as they are.
 */
export function parseUpstreamJson(text: string): unknown {
  if (!text.includes('\\u0000')) return JSON.parse(text);
  const clean = (v: string) => v.replaceAll('\u0000', '\uFFFD');
  return JSON.parse(text, (_key, value: unknown) => {
    if (typeof value === 'string') return clean(value);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.some((k) => k.includes('\u0000')))
        return Object.fromEntries(keys.map((k) => [clean(k), (value as Record<string, unknown>)[k]]));
    }
    return value;
  });
}

// Failures where the request provably never left this machine, so repeating even a create is safe.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const candidate = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string') return candidate.code;
    if (Array.isArray(candidate.errors) && candidate.errors.length > 0) {
      current = candidate.errors[0];
      continue;
    }
    current = candidate.cause;
  }
  return undefined;
}

export function buildUrl(baseUrl: string, path: string, query?: Query): URL {
  const url = new URL(baseUrl + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return url;
}

const SECRET_PARAM = /token|key|secret|password|passwd|auth|signature|sig$/i;
const MAX_LOGGED_QUERY = 300;

/** Path and query for logs and errors: secret-looking query values replaced, long queries shortened. */
export function safePath(url: URL): string {
  const params = new URLSearchParams(url.search);
  for (const key of [...params.keys()]) if (SECRET_PARAM.test(key)) params.set(key, '[redacted]');
  const query = params.toString();
  const shown = query.length > MAX_LOGGED_QUERY ? `${query.slice(0, MAX_LOGGED_QUERY)}…` : query;
  return shown ? `${url.pathname}?${shown}` : url.pathname;
}

/**
 * A short, single-line description of an error body. JSON is parsed only when it looks like JSON and the known
 * message keys are read (JIRA `errorMessages`/`errors`, Portal `message`, OAuth `error_description`, Bugzilla
 * `message`); anything else (e.g. the HTML page JIRA DC sends with a 429) is reduced to its text.
 */
export function describeErrorBody(text: string, contentType: string | null): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (contentType?.includes('json') || trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as Record<string, unknown>;
      const parts: string[] = [];
      if (Array.isArray(parsed.errorMessages)) parts.push(...parsed.errorMessages.map(String));
      if (parsed.errors && typeof parsed.errors === 'object') {
        for (const [field, message] of Object.entries(parsed.errors))
          parts.push(`${field}: ${String(message)}`);
      }
      for (const key of ['error_description', 'message', 'error']) {
        if (typeof parsed[key] === 'string') parts.push(parsed[key] as string);
      }
      if (parts.length) return shorten(parts.join('; '));
    } catch {
      // Not JSON after all: fall through to the plain-text summary.
    }
  }
  const plain = trimmed
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain ? shorten(plain) : undefined;
}

const shorten = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);
