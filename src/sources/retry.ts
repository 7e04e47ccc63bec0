import { REQUEST_KINDS, type RequestKind } from '../config/env-schema.js';
import type { Logger } from '../lib/logger.js';
import type { Clock } from './clock.js';
import { UpstreamError } from './errors.js';
import type { UpstreamMetrics } from './metrics.js';
import type { UpstreamName } from './types.js';

/**
 * How one upstream HTTP call is retried within a job attempt (timeouts, 5xx, 429). A job that still
 * fails is retried as a whole by the job queue, under the job's own `JobRetryPolicy`.
 */
// A lookup that has not answered in seconds is stuck, while a search page may legitimately take
// longer: each kind of request has its own attempt timeout.
export type { RequestKind };

export interface HttpRetryPolicy {
  /** Per attempt, covering the response body too (a body that never ends is a timeout), for every
   * kind of request that `timeouts` does not name. */
  timeoutMs: number;
  /** Per attempt, by kind of request (see `RequestKind`). */
  timeouts: Partial<Record<RequestKind, number>>;
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** First backoff step; doubles on every further retry. */
  baseDelayMs: number;
  /** Cap on one computed backoff step. A wait the upstream asks for is not capped by this. */
  maxDelayMs: number;
  /**
   * Cap on the whole call, waits included. When the next wait would cross it the call fails now
   * (with `retryAfterMs` set) instead of holding a job for minutes; the job queue retries later.
   */
  maxRetryTimeMs: number;
}

/** Default per-attempt timeouts in seconds (`UPSTREAM_TIMEOUT_SECONDS` overrides them). */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS: Record<RequestKind, number> = {
  lookup: 10,
  search: 30,
  write: 30,
  token: 10,
};

export const DEFAULT_HTTP_RETRY_POLICY: HttpRetryPolicy = {
  timeoutMs: 30_000,
  timeouts: Object.fromEntries(
    REQUEST_KINDS.map((k) => [k, DEFAULT_REQUEST_TIMEOUT_SECONDS[k] * 1000]),
  ) as Record<RequestKind, number>,
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryTimeMs: 120_000,
};

/** One attempt's timeout for a request of this kind. */
export const attemptTimeoutMs = (policy: HttpRetryPolicy, kind: RequestKind): number =>
  policy.timeouts[kind] ?? policy.timeoutMs;

/**
 * Exponential backoff with "equal jitter": half of the step is fixed, half random. Unlike full jitter it never
 * retries immediately, and unlike no jitter it spreads out callers that failed together.
 */
export function backoffDelay(attempt: number, policy: HttpRetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return step / 2 + random() * (step / 2);
}

/** A wait the upstream asked for, plus a little jitter (at most 10%, at most 1 s) so waiters do not stampede. */
export function requestedDelay(retryAfterMs: number, random: () => number): number {
  return retryAfterMs + random() * Math.min(1_000, Math.max(50, retryAfterMs * 0.1));
}

/**
 * The wait an upstream asks for on a 429/503, in ms, or undefined when it does not say.
 * Reads `Retry-After` (delta seconds or an HTTP date), the Red Hat gateway's `X-RateLimit-Delay` (seconds) and,
 * when neither is present, JIRA Cloud's `X-RateLimit-Reset` (ISO timestamp; epoch seconds accepted too).
 */
export function parseRetryAfter(headers: Headers, nowMs: number): number | undefined {
  const candidates: number[] = [];
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    const ms = /^\d+(\.\d+)?$/.test(retryAfter) ? Number(retryAfter) * 1000 : Date.parse(retryAfter) - nowMs;
    if (Number.isFinite(ms)) candidates.push(Math.max(0, ms));
  }
  const delay = headers.get('x-ratelimit-delay')?.trim();
  if (delay && /^\d+(\.\d+)?$/.test(delay)) candidates.push(Number(delay) * 1000);
  if (candidates.length === 0) {
    const reset = headers.get('x-ratelimit-reset')?.trim();
    if (reset) {
      const at = /^\d+$/.test(reset) ? Number(reset) * 1000 : Date.parse(reset);
      if (Number.isFinite(at)) candidates.push(Math.max(0, at - nowMs));
    }
  }
  return candidates.length ? Math.max(...candidates) : undefined;
}

/**
 * Whether a failed attempt may be repeated.
 *
 * A 429 and a refused connection are always safe: the upstream certainly did not act on the request.
 * Everything else that is transient (5xx, 408, timeouts, cut connections, truncated bodies) is *ambiguous*: the
 * upstream may have done the work and only the answer was lost. Repeating an idempotent call (GET, PUT, DELETE,
 * or a POST the caller declares idempotent) is harmless; repeating a create could make a second JIRA issue or post
 * a second comment, which is worse than failing the job, so those are not retried.
 */
export function isRetryable(error: UpstreamError, idempotent: boolean): boolean {
  if (error.kind === 'http') {
    const status = error.status ?? 0;
    if (status === 429) return true;
    return idempotent && (status === 408 || status >= 500);
  }
  if (error.kind === 'network' && error.refused) return true;
  return idempotent;
}

export interface RetryContext {
  upstream: UpstreamName;
  method: string;
  path: string;
  idempotent: boolean;
  policy: HttpRetryPolicy;
  clock: Clock;
  random: () => number;
  logger: Logger;
  metrics: UpstreamMetrics;
  signal?: AbortSignal;
  /**
   * Called once per call on a 401; resolves true when fresh credentials were obtained and the attempt should be
   * repeated (a 401 means the request was refused, so this is safe for any method).
   */
  onUnauthorized?: (error: UpstreamError) => Promise<boolean>;
  /** Called before a retry that the upstream asked to delay, so the client can pause its other callers too. */
  onRateLimited?: (untilMs: number) => void;
}

/** Runs `attempt` until it succeeds, a failure is not retryable, or the attempt/time budget is spent. */
export async function runWithRetries<T>(ctx: RetryContext, attempt: (n: number) => Promise<T>): Promise<T> {
  const started = ctx.clock.now();
  let reauthorized = false;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof UpstreamError)) throw err;
      err.attempts = n;
      if (ctx.signal?.aborted) throw err;
      if (err.kind === 'http' && err.status === 401 && ctx.onUnauthorized && !reauthorized) {
        reauthorized = true;
        if (await ctx.onUnauthorized(err)) {
          ctx.logger.info(
            { method: ctx.method, path: ctx.path, attempt: n },
            'credentials refreshed after 401',
          );
          continue;
        }
      }
      if (n >= ctx.policy.maxAttempts || !isRetryable(err, ctx.idempotent)) throw err;
      const wait =
        err.retryAfterMs !== undefined
          ? requestedDelay(err.retryAfterMs, ctx.random)
          : backoffDelay(n, ctx.policy, ctx.random);
      const elapsed = ctx.clock.now() - started;
      if (elapsed + wait > ctx.policy.maxRetryTimeMs) {
        ctx.logger.warn(
          { method: ctx.method, path: ctx.path, attempt: n, waitMs: Math.round(wait), elapsedMs: elapsed },
          'giving up: next retry would exceed the retry time budget',
        );
        throw err;
      }
      const reason = err.kind === 'http' ? String(err.status) : err.kind;
      ctx.metrics.retry({ upstream: ctx.upstream, reason });
      if (err.retryAfterMs !== undefined) {
        ctx.metrics.rateLimitWait({ upstream: ctx.upstream, waitMs: wait });
        ctx.onRateLimited?.(ctx.clock.now() + wait);
      }
      ctx.logger.warn(
        { method: ctx.method, path: ctx.path, attempt: n, reason, waitMs: Math.round(wait) },
        'retrying upstream call',
      );
      await ctx.clock.sleep(wait, ctx.signal);
    }
  }
}
