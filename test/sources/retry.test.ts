import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import type { Clock } from '../../src/sources/clock.js';
import { UpstreamError } from '../../src/sources/errors.js';
import { noopUpstreamMetrics } from '../../src/sources/metrics.js';
import {
  backoffDelay,
  DEFAULT_HTTP_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  type RetryContext,
  requestedDelay,
  runWithRetries,
} from '../../src/sources/retry.js';

/** A clock whose sleep returns at once and advances time, recording every wait. */
function fakeClock(start = 1_000_000): Clock & { waits: number[] } {
  let now = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  };
}

const httpError = (status: number, retryAfterMs?: number) =>
  new UpstreamError({
    upstream: 'jira',
    kind: 'http',
    method: 'GET',
    path: '/x',
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

function context(clock: Clock, overrides: Partial<RetryContext> = {}): RetryContext {
  return {
    upstream: 'jira',
    method: 'GET',
    path: '/x',
    idempotent: true,
    policy: DEFAULT_HTTP_RETRY_POLICY,
    clock,
    random: () => 0.5,
    logger: silentLogger,
    metrics: noopUpstreamMetrics,
    ...overrides,
  };
}

describe('backoff', () => {
  it('doubles per attempt with equal jitter and caps one step', () => {
    const policy = { ...DEFAULT_HTTP_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 0.999)).toBeCloseTo(99.95);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
  });

  it('waits at least what the upstream asked, with a little jitter', () => {
    expect(requestedDelay(2000, () => 0)).toBe(2000);
    expect(requestedDelay(2000, () => 1)).toBe(2200);
    expect(requestedDelay(60_000, () => 1)).toBe(61_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads delta seconds, HTTP dates and the Red Hat delay header', () => {
    expect(parseRetryAfter(new Headers({ 'Retry-After': '3' }), now)).toBe(3000);
    expect(parseRetryAfter(new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ 'X-RateLimit-Delay': '1.5' }), now)).toBe(1500);
    expect(parseRetryAfter(new Headers({ 'Retry-After': '1', 'X-RateLimit-Delay': '4' }), now)).toBe(4000);
  });
  it('falls back to X-RateLimit-Reset and ignores garbage', () => {
    expect(parseRetryAfter(new Headers({ 'X-RateLimit-Reset': '2026-01-01T00:00:07Z' }), now)).toBe(7000);
    expect(parseRetryAfter(new Headers({ 'Retry-After': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers({ 'Retry-After': 'Wed, 31 Dec 2025 00:00:00 GMT' }), now)).toBe(0);
  });
});

describe('isRetryable', () => {
  const timeout = new UpstreamError({ upstream: 'jira', kind: 'timeout', method: 'POST', path: '/x' });
  const refused = new UpstreamError({
    upstream: 'jira',
    kind: 'network',
    method: 'POST',
    path: '/x',
    refused: true,
  });
  const reset = new UpstreamError({ upstream: 'jira', kind: 'network', method: 'POST', path: '/x' });
  const truncated = new UpstreamError({
    upstream: 'jira',
    kind: 'body',
    method: 'POST',
    path: '/x',
    status: 201,
  });

  it('retries 429 and refused connections for every request', () => {
    expect(isRetryable(httpError(429), false)).toBe(true);
    expect(isRetryable(refused, false)).toBe(true);
  });
  it('retries ambiguous failures only when idempotent', () => {
    for (const error of [httpError(500), httpError(503), timeout, reset, truncated]) {
      expect(isRetryable(error, true)).toBe(true);
      expect(isRetryable(error, false)).toBe(false);
    }
  });
  it('never retries client errors', () => {
    for (const status of [400, 403, 404, 410]) expect(isRetryable(httpError(status), true)).toBe(false);
  });
});

describe('runWithRetries', () => {
  it('retries transient failures and honours Retry-After without real waiting', async () => {
    const clock = fakeClock();
    const failures = [httpError(503), httpError(429, 2000)];
    let calls = 0;
    const result = await runWithRetries(context(clock), async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(clock.waits[0]).toBe(375); // 500 ms step, equal jitter at 0.5
    expect(clock.waits[1]).toBeGreaterThanOrEqual(2000);
  });

  it('does not repeat a non-idempotent call after an ambiguous failure', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      runWithRetries(context(clock, { idempotent: false, method: 'POST' }), async () => {
        calls++;
        throw httpError(502);
      }),
    ).rejects.toThrow(/HTTP 502/);
    expect(calls).toBe(1);
  });

  it('gives up when the next wait would pass the retry time budget', async () => {
    const clock = fakeClock();
    const policy = { ...DEFAULT_HTTP_RETRY_POLICY, maxRetryTimeMs: 5000 };
    let calls = 0;
    const error = await runWithRetries(context(clock, { policy }), async () => {
      calls++;
      throw httpError(429, 3000);
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryAfterMs).toBe(3000);
    expect(calls).toBe(2);
    expect(clock.waits).toHaveLength(1);
  });

  it('stops after maxAttempts', async () => {
    const clock = fakeClock();
    let calls = 0;
    await expect(
      runWithRetries(
        context(clock, { policy: { ...DEFAULT_HTTP_RETRY_POLICY, maxAttempts: 3 } }),
        async () => {
          calls++;
          throw httpError(500);
        },
      ),
    ).rejects.toMatchObject({ attempts: 3 });
    expect(calls).toBe(3);
  });

  it('refreshes credentials once on 401', async () => {
    const clock = fakeClock();
    let refreshes = 0;
    let calls = 0;
    const ctx = context(clock, {
      onUnauthorized: async () => {
        refreshes++;
        return true;
      },
    });
    await expect(
      runWithRetries(ctx, async () => {
        calls++;
        throw httpError(401);
      }),
    ).rejects.toMatchObject({ status: 401 });
    expect(refreshes).toBe(1);
    expect(calls).toBe(2);
    expect(clock.waits).toHaveLength(0);
  });
});
