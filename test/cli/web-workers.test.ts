import http from 'node:http';
import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webWorkerCount } from '../../src/cli/commands/serve.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import { openStore, type Store } from '../../src/store/store.js';
import { storageConfig } from '../support/backends.js';
import { createTestDatabase } from '../support/databases.js';
import { makeCard, makeCase } from '../support/fixtures.js';
import { sparePort } from '../support/own-postgres.js';
import { strictSimulator } from '../support/sim-config.js';
import { exited, startT5g, until, workerEnv } from '../support/t5g-process.js';

const METRICS_TOKEN = 'web-workers-metrics-token-0123';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One GET; `agent` false opens a fresh connection, so the cluster picks a worker for it. */
function get(url: string, opts: { agent?: http.Agent | false; headers?: Record<string, string> } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    http
      .get(url, { agent: opts.agent ?? false, headers: opts.headers ?? {} }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** The text of one series' samples, summed over its label sets. */
function sumOf(metrics: string, series: RegExp): number {
  return metrics
    .split('\n')
    .filter((l) => series.test(l))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('t5g web --workers: the option', () => {
  it('takes a whole number, else the env default', () => {
    expect(webWorkerCount([], 3)).toBe(3);
    expect(webWorkerCount(['--workers', '2'], 1)).toBe(2);
    expect(webWorkerCount(['--workers=4'], 1)).toBe(4);
    expect(() => webWorkerCount(['--workers'], 1)).toThrow(/needs a number/);
    expect(() => webWorkerCount(['--workers', 'two'], 1)).toThrow(/whole number/);
    expect(() => webWorkerCount(['--workers', '0'], 1)).toThrow(/whole number/);
    expect(() => webWorkerCount(['--fast'], 1)).toThrow(/unknown option --fast/);
  });
});

// A real `t5g web --workers 2` process: the primary forks two web workers on one port. Each worker
// has its own LISTEN connection, cache and event streams; the primary aggregates their metrics.
describe('t5g web --workers 2 (PostgreSQL)', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let web: ReturnType<typeof startT5g>;
  let base: string;
  let workerPids: number[];
  let store: Store | undefined;
  const agents: http.Agent[] = [];

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 20, seed: 3, smtpPort: 0 });
    db = await createTestDatabase('web_workers');
    const port = await sparePort();
    base = `http://127.0.0.1:${port}`;
    web = startT5g(
      ['web', '--workers', '2'],
      workerEnv(sim, db.url, { PORT: String(port), METRICS_TOKEN, SHUTDOWN_TIMEOUT_SECONDS: '2' }),
    );
    await until(
      'both web workers to listen',
      async () => web.child.exitCode !== null || /"msg":"t5g is listening"/.test(web.output()),
      120_000,
    );
    expect(web.child.exitCode, web.output()).toBeNull();
    const line = web
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"t5g is listening"'));
    const listening = JSON.parse(line ?? '{}') as { workers: number; pids: number[]; url: string };
    expect(listening.workers).toBe(2);
    workerPids = listening.pids;
    expect(new Set(workerPids).size).toBe(2);
    expect(workerPids).not.toContain(web.child.pid);
  }, 180_000);

  afterAll(async () => {
    for (const a of agents) a.destroy();
    await store?.close();
    if (web && web.child.exitCode === null) {
      web.child.kill('SIGKILL');
      await exited(web.child);
    }
    await db?.drop();
    await sim?.close();
  });

  it('spreads requests over both workers and /metrics (with its token) counts them all', async () => {
    const sent = 40;
    const pids: number[] = [];
    for (let i = 0; i < sent; i++) {
      const a = await get(`${base}/healthz`);
      expect(a.status).toBe(200);
      pids.push((JSON.parse(a.body) as { pid: number }).pid);
    }
    expect(new Set(pids)).toEqual(new Set(workerPids));
    for (const pid of workerPids) expect(pids.filter((p) => p === pid).length).toBeGreaterThan(5);

    const scrape = await get(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.status).toBe(200);
    // Counters and histograms are summed over the workers: every request, whichever served it.
    expect(
      sumOf(
        scrape.body,
        /^t5g_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\}/,
      ),
    ).toBe(sent);
    // The same on every worker: kept once, not doubled.
    expect(sumOf(scrape.body, /^t5g_info\{/)).toBe(1);
    // Whichever worker takes the scrape, the answer is the aggregate.
    const again = await get(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(
      sumOf(
        again.body,
        /^t5g_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\}/,
      ),
    ).toBe(sent);
  });

  it('keeps the change feed, event streams and cached facets coherent across the workers', async () => {
    // Keep-alive agents with one socket each stay on the worker that took their first request.
    const pinned = new Map<number, http.Agent[]>();
    for (let i = 0; i < 30 && workerPids.some((p) => (pinned.get(p)?.length ?? 0) < 2); i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      agents.push(agent);
      const { pid } = JSON.parse((await get(`${base}/healthz`, { agent })).body) as { pid: number };
      pinned.set(pid, [...(pinned.get(pid) ?? []), agent]);
    }
    const on = (pid: number, i: number) => {
      const a = pinned.get(pid)?.[i];
      if (!a) throw new Error(`no connection to worker ${pid}`);
      return a;
    };
    const statusFacet = async (agent: http.Agent) => {
      const a = await get(`${base}/api/v1/cards`, { agent });
      expect(a.status, a.body).toBe(200);
      const body = JSON.parse(a.body) as { facets: { internalStatus: { value: string; count: number }[] } };
      return body.facets.internalStatus;
    };
    // Each worker reads the facets twice: the second answer comes from its cache.
    for (const pid of workerPids) {
      expect(await statusFacet(on(pid, 0))).toEqual([]);
      expect(await statusFacet(on(pid, 0))).toEqual([]);
    }
    const metrics = await get(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(
      sumOf(metrics.body, /^t5g_cache_requests_total\{backend="memory",result="hit"\}/),
    ).toBeGreaterThanOrEqual(2);

    // One event stream on each worker.
    const streams = workerPids.map(
      (pid) =>
        new Promise<string>((resolve, reject) => {
          const req = http.get(`${base}/api/v1/events?entities=card`, { agent: on(pid, 1) }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => {
              text += d;
              if (text.includes('event: change')) {
                resolve(text);
                req.destroy();
              }
            });
          });
          req.on('error', (err) => (err.message.includes('aborted') ? undefined : reject(err)));
          setTimeout(() => reject(new Error(`no change event on worker ${pid}`)), 20_000);
        }),
    );
    // Let both streams subscribe before the write.
    await new Promise((r) => setTimeout(r, 500));

    // A write by another process (as a sync worker would), committed with its NOTIFY.
    store = await openStore(storageConfig({ DATABASE_URL: db.url }), {
      logger: silentLogger,
      metrics: createMetrics({ defaultMetrics: false }),
    });
    const c = makeCase(1);
    await store.write(async (tx, ch) => {
      ch.record('case', await upsertCases(tx, [c]));
      ch.record('card', await upsertCards(tx, [makeCard(c, { status: 'Eng Working' })]));
    });

    for (const text of await Promise.all(streams)) expect(text).toMatch(/"entity":"card"/);
    // Every worker dropped its cached facets.
    for (const pid of workerPids)
      await until(
        `worker ${pid} to count the new card`,
        async () => JSON.stringify(await statusFacet(on(pid, 0))) === '[{"value":"Eng Working","count":1}]',
        10_000,
      );
  });

  it('restarts a worker that dies, and drains them all on SIGTERM', async () => {
    const [victim, survivor] = workerPids as [number, number];
    process.kill(victim, 'SIGKILL');
    await until(
      'the dead worker to be replaced',
      async () => /a web worker died; restarting it/.test(web.output()),
      10_000,
    );
    const seen = new Set<number>();
    await until(
      'a new worker to answer',
      async () => {
        seen.add((JSON.parse((await get(`${base}/healthz`)).body) as { pid: number }).pid);
        return [...seen].some((p) => p !== survivor && p !== victim);
      },
      90_000,
    );
    expect(seen).not.toContain(victim);

    web.child.kill('SIGTERM');
    expect(await exited(web.child), web.output()).toBe(0);
    const out = web.output();
    expect(out.match(/"worker":\d+,"signal":"SIGTERM","msg":"shut down cleanly"/g)?.length).toBe(2);
    expect(out).toMatch(/"role":"web","msg":"shut down cleanly"/);
  }, 120_000);
});
