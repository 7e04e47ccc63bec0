import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { resolveDeps } from '../../src/sources/deps.js';
import { UpstreamError } from '../../src/sources/errors.js';
import {
  createHttpClient,
  describeErrorBody,
  type HttpClient,
  parseUpstreamJson,
  safePath,
} from '../../src/sources/http.js';
import { createWriteGuard, type WritePermit } from '../../src/sources/read-only.js';
import type { SourceDeps } from '../../src/sources/types.js';
import { json, memoryLogger } from './support.js';

type FakeFetch = (url: URL, init: RequestInit) => Promise<Response>;

function client(fetch: FakeFetch, deps: Partial<SourceDeps> = {}, concurrency = 4): HttpClient {
  const resolved = resolveDeps(
    {
      logger: silentLogger,
      fetch: fetch as typeof globalThis.fetch,
      random: () => 0,
      retry: { timeoutMs: 200, baseDelayMs: 2, maxDelayMs: 10 },
      ...deps,
    },
    'jira',
  );
  return createHttpClient({ upstream: 'jira', baseUrl: 'http://upstream.test', concurrency, deps: resolved });
}

async function permitFor(action: string): Promise<WritePermit> {
  const guard = createWriteGuard({
    upstream: 'jira',
    readOnly: false,
    logger: silentLogger,
    metrics: resolveDeps({ logger: silentLogger }, 'jira').metrics,
  });
  const outcome = await guard.write(action, {}, async (permit) => permit);
  if (outcome.blocked) throw new Error('unexpected');
  return outcome.value;
}

/** A response whose body stops half-way, like the simulator's truncate fault. */
const truncated = () => new Response('{"issues": [{"id": "1"', { status: 200 });

describe('http client', () => {
  it('times out a hanging call and retries it', async () => {
    let calls = 0;
    const http = client(async (_url, init) => {
      calls++;
      if (calls === 1) {
        return new Promise<Response>((_resolve, reject) =>
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        );
      }
      return json({ ok: true });
    });
    const response = await http.get({ path: '/slow' });
    expect(response.body).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  it('retries a truncated body on a read but not on a create', async () => {
    let reads = 0;
    const readClient = client(async () => (++reads === 1 ? truncated() : json({ issues: [] })));
    await expect(readClient.get({ path: '/search' })).resolves.toMatchObject({ body: { issues: [] } });
    expect(reads).toBe(2);

    let creates = 0;
    const writeClient = client(async () => {
      creates++;
      return truncated();
    });
    const permit = await permitFor('createIssue');
    const error = await writeClient
      .write(permit, { method: 'POST', path: '/rest/api/2/issue', json: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).kind).toBe('body');
    expect(creates).toBe(1);
  });

  it('does not JSON-parse the HTML page JIRA DC sends with a 429', async () => {
    let calls = 0;
    const html =
      '<html><head><title>Rate limited</title></head><body><h1>Rate limit exceeded.</h1></body></html>';
    const http = client(
      async () => {
        calls++;
        return new Response(html, {
          status: 429,
          headers: { 'content-type': 'text/html', 'Retry-After': '0' },
        });
      },
      { retry: { maxAttempts: 2, timeoutMs: 200 } },
    );
    const error = (await http.get({ path: '/rest/api/2/search' }).catch((e: unknown) => e)) as UpstreamError;
    expect(error.status).toBe(429);
    expect(error.detail).toBe('Rate limited Rate limit exceeded.');
    expect(calls).toBe(2);
  });

  it('refuses a write whose permit was not minted by the guard', async () => {
    let calls = 0;
    const http = client(async () => {
      calls++;
      return json({});
    });
    const forged = Object.freeze({ upstream: 'jira', action: 'createIssue' }) as unknown as WritePermit;
    await expect(http.write(forged, { method: 'POST', path: '/x', json: {} })).rejects.toThrow(/permit/);
    expect(calls).toBe(0);
  });

  it("stops a call when the connectors' signal aborts, and leaves no listener on it after calls that finished", async () => {
    const run = new AbortController();
    let hang = false;
    const http = client(
      async (_url, init) => {
        if (!hang) return json({ ok: true });
        return new Promise<Response>((_resolve, reject) => {
          // As fetch does: an aborted signal rejects at once, a later abort when it comes.
          if (init.signal?.aborted) reject(init.signal.reason);
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });
      },
      { signal: run.signal },
    );
    for (let i = 0; i < 50; i++) await http.get({ path: '/quick', signal: run.signal });
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
    hang = true;
    const pending = http.get({ path: '/slow' });
    run.abort(new Error('run aborted'));
    await expect(pending).rejects.toThrow('run aborted');
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const http = client(
      async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return json({});
      },
      {},
      2,
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => http.get({ path: `/item/${i}` })));
    expect(peak).toBe(2);
  });

  it('never logs credentials or secret query values', async () => {
    const { logger, lines } = memoryLogger();
    const resolved = resolveDeps(
      {
        logger,
        fetch: (async () => json({ error: 'nope' }, { status: 500 })) as typeof globalThis.fetch,
        random: () => 0,
        retry: { maxAttempts: 2, baseDelayMs: 1 },
      },
      'portal',
    );
    const http = createHttpClient({
      upstream: 'portal',
      baseUrl: 'http://upstream.test',
      concurrency: 1,
      auth: { headers: async () => ({ Authorization: 'Bearer sEcReT-AcCeSs' }) },
      deps: resolved,
    });
    await expect(http.get({ path: '/cases', query: { api_key: 'sEcReT-KeY', q: 'x' } })).rejects.toThrow(
      /HTTP 500/,
    );
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    expect(all).not.toMatch(/sEcReT/);
    expect(all).toContain('api_key=%5Bredacted%5D');
    expect(all).toContain('"callAttempt":2');
  });
});

describe('helpers', () => {
  it('safePath redacts secret-looking parameters', () => {
    expect(safePath(new URL('http://h/p?refresh_token=abc&rows=5'))).toBe(
      '/p?refresh_token=%5Bredacted%5D&rows=5',
    );
  });
  it('describeErrorBody reads the known JSON error shapes', () => {
    expect(describeErrorBody('{"errorMessages":["a"],"errors":{"summary":"b"}}', 'application/json')).toBe(
      'a; summary: b',
    );
    expect(describeErrorBody('{"error":"invalid_grant","error_description":"expired"}', null)).toBe(
      'expired; invalid_grant',
    );
    expect(describeErrorBody('{not json', 'application/json')).toBe('{not json');
    expect(describeErrorBody('', null)).toBeUndefined();
  });
});

describe('parseUpstreamJson', () => {
  // Found by `npm run chaos`: one fuzzed Portal record with a NUL failed the whole batch's write
  // ("invalid byte sequence for encoding UTF8: 0x00") instead of being stored or quarantined.
  it('replaces NUL in strings and keys (PostgreSQL cannot store it) and leaves other bodies alone', () => {
    expect(parseUpstreamJson('{"a\\u0000b":["x\\u0000",{"c":"\\u0000"}],"n":1}')).toEqual({
      'a\uFFFDb': ['x\uFFFD', { c: '\uFFFD' }],
      n: 1,
    });
    expect(parseUpstreamJson('{"a":"\\u00e9"}')).toEqual({ a: 'é' });
    expect(() => parseUpstreamJson('{"a":')).toThrow();
  });
});
