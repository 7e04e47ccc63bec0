// `npm run chaos`: the fault scenarios a maintainer runs before a release, against real processes on
// this machine only (127.0.0.1): a PostgreSQL and a Redis of its own on spare ports (never the shared
// ones), the upstream simulator, `t5g web` and `t5g worker`. Each scenario ends by comparing its
// database with a clean reference run (row counts and content digests per synced table) and prints
// requests served/failed, recovery time and rows lost or duplicated; the results go to
// docs/reliability.md. Every loop is bounded in count and time; children are stopped on exit.
//
//   npm run chaos -- [--cases 200] [--seed 7] [--scenarios a,b] [--fuzz 10000] [--syncs 20] [--no-report]
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { cpus, hostname, totalmem } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type RunningSimulator, SIM_DEFAULTS, startSimulator } from '@t5g/simulators';
import fc from 'fast-check';
import Fastify from 'fastify';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/lib/logger.js';
import { openStore } from '../src/store/store.js';
import { createSyncEngine, JobRegistry, waitForRun } from '../src/sync/index.js';
import { casesJob } from '../src/sync/jobs/cases.js';
import '../src/sync/helpers/upstreams.js';
import { type Digest, digestTables } from '../test/support/digest.js';
import { WITHOUT_SIGN_IN } from '../test/support/env.js';
import { sparePort, startOwnPostgres } from '../test/support/own-postgres.js';
import { workerEnv } from '../test/support/t5g-process.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '200' },
    seed: { type: 'string', default: '7' },
    scenarios: { type: 'string', default: '' },
    fuzz: { type: 'string', default: '10000' },
    syncs: { type: 'string', default: '20' },
    report: { type: 'boolean', default: true },
    'no-report': { type: 'boolean', default: false },
  },
});
const CASES = Number(values.cases);
const SEED = Number(values.seed);
const FUZZ = Number(values.fuzz);
const SYNCS = Number(values.syncs);
const WRITE_REPORT = values.report && !values['no-report'];
/** The whole run stops by itself after this long, whatever state it is in. */
const HARD_LIMIT_MS = 25 * 60_000;

// Attempt timeouts that fit the simulator (it answers in milliseconds): what an operator sets with
// UPSTREAM_TIMEOUT_SECONDS for upstreams whose latency they know.
const FITTED_TIMEOUTS = JSON.stringify({ lookup: 2, search: 5, token: 2 });
const READS = [
  '/api/v1/cards',
  '/api/v1/cases',
  '/api/v1/stats',
  '/api/v1/meta',
  '/api/cards',
  '/api/v1/search?q=node',
];

// ---- results -------------------------------------------------------------------------------------

interface Row {
  [column: string]: string | number;
}
interface ScenarioResult {
  name: string;
  what: string;
  rows: Row[];
  /** Rows lost + duplicated against the reference, over every table. */
  lost: number;
  duplicated: number;
  /** Tables whose content differs from the reference with the same row count. */
  differing: string[];
  failedReads?: number;
  notes: string[];
  ok: boolean;
  seconds: number;
}
const results: ScenarioResult[] = [];
const log = (...args: unknown[]) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}]`, ...args);

// ---- processes -----------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
function spawnChild(cmd: string, args: string[], env: Record<string, string>, label: string) {
  const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, label, output: () => output };
}
type Proc = ReturnType<typeof spawnChild>;
const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
async function stop(p: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM') {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await exited(p.child);
  clearTimeout(timer);
}
function cleanup() {
  for (const c of children) c.kill('SIGKILL');
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---- infrastructure: own PostgreSQL, own Redis, simulator -----------------------------------------

const postgres = await startOwnPostgres();
log(`own PostgreSQL on 127.0.0.1:${postgres.port}`);
async function createDatabase(name: string): Promise<string> {
  const c = new pg.Client({ connectionString: postgres.url });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return postgres.url.replace(/\/postgres$/, `/${name}`);
}
async function sql<T>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

const redisPort = await sparePort();
let redis: Proc | undefined;
async function startRedis() {
  redis = spawnChild(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { PATH: process.env.PATH ?? '' },
    'redis',
  );
  await until('Redis to answer', () => redisPing(), 10_000, 100);
}
function redisPing(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(redisPort, '127.0.0.1');
    s.setTimeout(500);
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      s.destroy();
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      resolve(false);
      s.destroy();
    });
  });
}
await startRedis();
log(`own Redis on 127.0.0.1:${redisPort}`);

const sim = await startSimulator({ port: 0, host: '127.0.0.1', cases: CASES, seed: SEED });
log(`simulator at ${sim.url} (${CASES} cases, seed ${SEED})`);
const simControl = async <T = unknown>(
  s: RunningSimulator,
  p: string,
  init?: { method?: string; body?: unknown },
) => {
  const res = await fetch(`${s.url}/_sim/${p}`, {
    method: init?.method ?? (init?.body === undefined ? 'GET' : 'POST'),
    headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`simulator ${p}: ${res.status}`);
  return (await res.json()) as T;
};

// ---- t5g web + worker ----------------------------------------------------------------------------

interface Deployment {
  db: string;
  base: string;
  web: Proc;
  worker: Proc;
  env: Record<string, string>;
  workers: Proc[];
}
function t5gEnv(s: RunningSimulator, db: string, extra: Record<string, string> = {}) {
  return {
    ...workerEnv(s, db, {}),
    ...WITHOUT_SIGN_IN,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    AUTH_RATE_LIMIT: '10000',
    SHUTDOWN_TIMEOUT_SECONDS: '3',
    UPSTREAM_TIMEOUT_SECONDS: FITTED_TIMEOUTS,
    ...extra,
  } as Record<string, string>;
}
const t5g = (command: string[], env: Record<string, string>, label: string) =>
  spawnChild(process.execPath, [path.join(ROOT, 'bin/t5g.js'), ...command], env, label);
const startWorker = (env: Record<string, string>) => t5g(['worker', '--no-schedule'], env, 'worker');

async function deploy(name: string, opts: { sim?: RunningSimulator; env?: Record<string, string> } = {}) {
  const db = await createDatabase(`chaos_${name.replace(/-/g, '_')}`);
  const port = await sparePort();
  const env = t5gEnv(opts.sim ?? sim, db, { PORT: String(port), ...opts.env });
  // The web process migrates the empty database before the worker starts on it.
  const web = t5g(['web'], env, 'web');
  const base = `http://127.0.0.1:${port}`;
  await until(
    't5g web to listen',
    async () => {
      if (web.child.exitCode !== null) throw new Error(`t5g web exited: ${web.output().slice(-2000)}`);
      return (await fetch(`${base}/healthz`)).ok;
    },
    90_000,
  ).catch((err) => {
    throw new Error(`${(err as Error).message}\n${web.output().slice(-2000)}`);
  });
  const worker = startWorker(env);
  return { db, base, web, worker, env, workers: [worker] } satisfies Deployment;
}
async function undeploy(d: Deployment) {
  for (const w of d.workers) await stop(w);
  await stop(d.web);
}

async function post(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { origin: new URL(url).origin } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}
async function runStatus(d: Deployment, id: string): Promise<string | undefined> {
  const res = await fetch(`${d.base}/api/v1/runs/${id}`);
  if (!res.ok) return undefined;
  return ((await res.json()) as { status: string }).status;
}
/** A full refresh through the web app, waited for; refreshed again (bounded) when it failed. */
async function refreshUntilSucceeded(d: Deployment, timeoutMs = 240_000, onAttempt?: () => Promise<void>) {
  const started = Date.now();
  for (let attempt = 1; attempt <= 6; attempt++) {
    let r = await post(`${d.base}/api/v1/refresh`);
    for (let i = 0; r.status !== 202 && i < 120; i++) {
      await sleep(500);
      r = await post(`${d.base}/api/v1/refresh`);
    }
    if (r.status !== 202) throw new Error(`refresh not accepted: ${r.status} ${JSON.stringify(r.body)}`);
    const id = String(r.body.id);
    await onAttempt?.();
    let status: string | undefined;
    await until(
      `refresh ${id} to finish`,
      async () => {
        status = await runStatus(d, id);
        return status === 'succeeded' || status === 'failed';
      },
      Math.max(1000, timeoutMs - (Date.now() - started)),
      500,
    );
    if (status === 'succeeded') {
      await until('no run in flight', async () => (await busyRuns(d.db)) === 0, 60_000, 500);
      return { seconds: (Date.now() - started) / 1000, attempts: attempt };
    }
    log(`  refresh ${id} ${status}; refreshing again`);
  }
  throw new Error('no refresh succeeded in 6 attempts');
}
async function busyRuns(db: string) {
  const [r] = await sql<{ n: number }>(
    db,
    `SELECT count(*)::int AS n FROM sync_runs WHERE status IN ('queued', 'running', 'retrying')`,
  );
  return r?.n ?? 0;
}

/** Read load on the web app: every request counted by outcome; runs until stopped. */
function readLoad(base: string, concurrency = 4) {
  const counts = { served: 0, failed: 0, unavailable: 0, errors: [] as string[] };
  let running = true;
  const loops = Array.from({ length: concurrency }, async (_, k) => {
    for (let i = k; running; i++) {
      const url = `${base}${READS[i % READS.length]}`;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
        await res.arrayBuffer();
        if (res.ok) counts.served += 1;
        else if (res.status === 503 && res.headers.get('retry-after')) counts.unavailable += 1;
        else {
          counts.failed += 1;
          if (counts.errors.length < 5) counts.errors.push(`${res.status} ${READS[i % READS.length]}`);
        }
      } catch (err) {
        counts.failed += 1;
        if (counts.errors.length < 5)
          counts.errors.push(`${(err as Error).message} ${READS[i % READS.length]}`);
      }
    }
  });
  return {
    counts,
    async stop() {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}

// ---- comparison ----------------------------------------------------------------------------------

let reference: Digest | undefined;
function compare(got: Digest) {
  let lost = 0;
  let duplicated = 0;
  const differing: string[] = [];
  const rows: Row[] = [];
  for (const [table, ref] of Object.entries(reference!)) {
    const g = got[table]!;
    lost += Math.max(0, ref.rows - g.rows);
    duplicated += Math.max(0, g.rows - ref.rows);
    const same = g.digest === ref.digest;
    if (!same && g.rows === ref.rows) differing.push(table);
    rows.push({ table, reference: ref.rows, rows: g.rows, content: same ? 'same' : 'DIFFERS' });
  }
  return { lost, duplicated, differing, rows };
}

async function scenario(
  name: string,
  what: string,
  body: () => Promise<Omit<ScenarioResult, 'name' | 'what' | 'seconds' | 'ok'>>,
) {
  if (selected.length && !selected.includes(name)) return;
  log(`scenario ${name}: ${what}`);
  const started = Date.now();
  try {
    const r = await body();
    const ok = r.lost === 0 && r.duplicated === 0 && r.differing.length === 0 && (r.failedReads ?? 0) === 0;
    const result = { name, what, ...r, ok, seconds: (Date.now() - started) / 1000 };
    results.push(result);
    log(
      `  ${ok ? 'OK' : 'FAILED'}: ${r.lost} rows lost, ${r.duplicated} duplicated${
        r.differing.length ? `, content differs in ${r.differing.join(', ')}` : ''
      }${r.failedReads !== undefined ? `, ${r.failedReads} failed reads` : ''}; ${r.notes.join('; ')}`,
    );
  } catch (err) {
    log(`  FAILED: ${(err as Error).stack}`);
    results.push({
      name,
      what,
      rows: [],
      lost: 0,
      duplicated: 0,
      differing: [],
      notes: [`aborted: ${(err as Error).message}`],
      ok: false,
      seconds: (Date.now() - started) / 1000,
    });
  }
}
const selected = values.scenarios ? values.scenarios.split(',') : [];
const hardStop = setTimeout(() => {
  log('hard time limit reached: stopping');
  process.exit(3);
}, HARD_LIMIT_MS);
hardStop.unref();
const runStarted = Date.now();

// ---- the reference -------------------------------------------------------------------------------

{
  log('reference: one clean full sync');
  const d = await deploy('reference');
  const { seconds } = await refreshUntilSucceeded(d);
  reference = await digestTables(d.db);
  await undeploy(d);
  log(
    `  reference in ${seconds.toFixed(1)} s: ${Object.entries(reference)
      .map(([t, v]) => `${t} ${v.rows}`)
      .join(', ')}`,
  );
}

// ---- scenarios -----------------------------------------------------------------------------------

await scenario('sigkill', `SIGKILL the worker at random points across ${SYNCS} syncs`, async () => {
  const d = await deploy('sigkill');
  const rng = fc.sample(fc.integer({ min: 0, max: 2500 }), { numRuns: SYNCS, seed: SEED });
  const recoveries: number[] = [];
  let kills = 0;
  for (let i = 0; i < SYNCS; i++) {
    const kill = i % 3 === 0;
    const started = Date.now();
    await refreshUntilSucceeded(d, 180_000, async () => {
      if (!kill) return;
      await sleep(rng[i]!);
      const victim = d.workers.pop()!;
      victim.child.kill('SIGKILL');
      await exited(victim.child);
      kills += 1;
      d.workers.push(startWorker(d.env));
    });
    if (kill) recoveries.push((Date.now() - started) / 1000);
  }
  const c = compare(await digestTables(d.db));
  const [runs] = await sql<{ failed: number; total: number }>(
    d.db,
    `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed, count(*)::int AS total FROM sync_runs`,
  );
  await undeploy(d);
  return {
    ...c,
    notes: [
      `${SYNCS} syncs, ${kills} SIGKILLs`,
      `sync with a kill took ${Math.min(...recoveries).toFixed(1)}–${Math.max(...recoveries).toFixed(1)} s (recovery)`,
      `${runs?.total} runs, ${runs?.failed} failed`,
    ],
  };
});

await scenario(
  'faults',
  '20% upstream faults (10% 5xx, 4% 429, 3% hanging requests, 3% truncated bodies)',
  async () => {
    const d = await deploy('faults');
    const faults = {
      errorRate: 0.1,
      rateLimitRate: 0.04,
      timeoutRate: 0.03,
      truncateRate: 0.03,
      retryAfterSeconds: 1,
    };
    await simControl(sim, 'faults', {
      method: 'PUT',
      body: { portal: faults, jira: faults, bugzilla: faults, sso: { errorRate: 0.1 } },
    });
    await simControl(sim, 'counters/reset', { method: 'POST' });
    let took: { seconds: number; attempts: number };
    try {
      took = await refreshUntilSucceeded(d);
    } finally {
      await simControl(sim, 'faults', { method: 'DELETE' });
    }
    const counters = await simControl<{ totals: { requests: number } }>(sim, 'counters');
    const c = compare(await digestTables(d.db));
    await undeploy(d);
    return {
      ...c,
      notes: [
        `full sync under faults in ${took.seconds.toFixed(1)} s (${took.attempts} refresh${took.attempts > 1 ? 'es' : ''})`,
        `${counters.totals.requests} upstream requests`,
      ],
    };
  },
);

await scenario('redis', 'Redis stopped for 4 s, then paused (SIGSTOP) for 3 s, under read load', async () => {
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const d = await deploy('redis', { env: { REDIS_URL: redisUrl } });
  await refreshUntilSucceeded(d);
  const load = readLoad(d.base);
  await sleep(2000);
  await stop(redis, 'SIGKILL');
  const stoppedAt = Date.now();
  await sleep(4000);
  await startRedis();
  const back = Date.now();
  await sleep(3000);
  redis!.child.kill('SIGSTOP');
  await sleep(3000);
  redis!.child.kill('SIGCONT');
  const resumed = Date.now();
  // Until the web app says its cache is healthy again.
  let cacheBack = Number.NaN;
  await until(
    'the cache to be healthy again',
    async () => {
      const r = (await (await fetch(`${d.base}/readyz`)).json()) as { checks: { cache: { ok: boolean } } };
      if (r.checks.cache.ok) cacheBack = Date.now();
      return r.checks.cache.ok;
    },
    30_000,
  );
  await sleep(1000);
  const counts = await load.stop();
  const c = compare(await digestTables(d.db));
  await undeploy(d);
  return {
    ...c,
    failedReads: counts.failed + counts.unavailable,
    notes: [
      `${counts.served} reads served, ${counts.failed + counts.unavailable} failed${counts.errors.length ? ` (${counts.errors.join(', ')})` : ''}`,
      `Redis down ${((back - stoppedAt) / 1000).toFixed(1)} s; cache healthy ${((cacheBack - resumed) / 1000).toFixed(1)} s after the pause ended`,
    ],
  };
});

await scenario(
  'postgres',
  'PostgreSQL stopped (immediate) for 6 s under read load and a running sync',
  async () => {
    const d = await deploy('postgres');
    const load = readLoad(d.base);
    const r = await post(`${d.base}/api/v1/refresh`);
    if (r.status !== 202) throw new Error(`refresh not accepted: ${r.status}`);
    await sleep(1500);
    await postgres.stop();
    const downAt = Date.now();
    await sleep(6000);
    await postgres.start();
    const upAt = Date.now();
    await until(
      '/readyz to answer 200',
      async () => (await fetch(`${d.base}/readyz`)).status === 200,
      60_000,
      200,
    );
    const readyAfter = (Date.now() - upAt) / 1000;
    await sleep(1000);
    const counts = await load.stop();
    let restarts = 0;
    for (const [i, w] of d.workers.entries()) {
      if (w.child.exitCode !== null) {
        restarts += 1;
        d.workers[i] = startWorker(d.env);
      }
    }
    const webAlive = d.web.child.exitCode === null;
    const took = await refreshUntilSucceeded(d);
    const c = compare(await digestTables(d.db));
    await undeploy(d);
    return {
      ...c,
      notes: [
        `${counts.served} reads served, ${counts.unavailable} answered 503 + Retry-After during the outage, ${counts.failed} failed otherwise${counts.errors.length ? ` (${counts.errors.join(', ')})` : ''}`,
        `database down ${((upAt - downAt) / 1000).toFixed(1)} s; /readyz 200 ${readyAfter.toFixed(1)} s after it was back`,
        `web ${webAlive ? 'kept running' : 'EXITED'}; worker restarts needed: ${restarts}; next refresh ${took.seconds.toFixed(1)} s`,
      ],
      ...(counts.failed > 0 || !webAlive || restarts > 0
        ? { differing: [...c.differing, 'process or read failures'] }
        : {}),
    };
  },
);

await scenario(
  'fuzz',
  `${FUZZ} fuzzed Portal search records through the connector's validation into the store`,
  async () => {
    const db = await createDatabase('chaos_fuzz');
    // Valid documents from the simulator, then fuzzed by fast-check: fields dropped, retyped,
    // replaced with odd strings (NUL, control characters, huge, non-BMP), dates broken, ids broken.
    const token = await simToken(sim);
    const res = await fetch(`${sim.urls.portal}/search/cases?q=*:*&rows=100&start=0&fl=*`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const valid = ((await res.json()) as { response: { docs: Record<string, unknown>[] } }).response.docs;
    const odd = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constant('\u0000'),
      fc.constant('x'.repeat(100_000)),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.object({ maxDepth: 2 }),
      fc.constant('2026-13-45T99:99:99Z'),
    );
    const mutation = fc.record({
      base: fc.nat({ max: valid.length - 1 }),
      changes: fc.array(fc.tuple(fc.nat(), odd, fc.boolean()), { minLength: 0, maxLength: 3 }),
      breakId: fc.nat({ max: 9 }),
    });
    const servedPages = new Set<number>();
    const PAGE = 500;
    const pages = Math.ceil(FUZZ / PAGE);
    const fuzzPage = (p: number) =>
      fc.sample(mutation, { numRuns: PAGE, seed: SEED * 1000 + p }).map((m, i) => {
        const doc: Record<string, unknown> = structuredClone(valid[m.base]!);
        const keys = Object.keys(doc);
        for (const [k, value, drop] of m.changes) {
          const key = keys[k % keys.length]!;
          if (drop) delete doc[key];
          else doc[key] = value;
        }
        // Every payload its own case number, so none collapses into another; a tenth get a broken one.
        const n = 90_000_000 + p * PAGE + i;
        doc.case_number = m.breakId === 0 ? `not-a-number-${n}` : String(n).padStart(8, '0');
        return doc;
      });
    const fuzzServer = Fastify();
    let page = 0;
    fuzzServer.get('/search/cases', async () => {
      const docs = fuzzPage(page);
      servedPages.add(page);
      return { response: { numFound: docs.length, start: 0, docs } };
    });
    await fuzzServer.listen({ port: 0, host: '127.0.0.1' });
    const fuzzUrl = `http://127.0.0.1:${(fuzzServer.server.address() as net.AddressInfo).port}`;
    const config = loadConfig({
      env: {
        ...t5gEnv(sim, db),
        LOG_LEVEL: 'silent',
        PORTAL_API_URL: fuzzUrl,
        PORTAL_PAGE_SIZE: String(PAGE),
      },
      dotEnv: false,
    });
    const store = await openStore(config.storage, { logger: silentLogger });
    const engine = createSyncEngine({
      store,
      config,
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: new JobRegistry([{ ...casesJob, retry: { limit: 0, delaySeconds: 0, backoff: false } }]),
    });
    await engine.start();
    const statuses: string[] = [];
    try {
      for (page = 0; page < pages; page++) {
        const { runId } = await engine.refresh('cases');
        const run = await waitForRun(store, runId, AbortSignal.timeout(120_000));
        statuses.push(run.status);
        if (run.status !== 'succeeded') log(`  fuzz page ${page}: run ${run.status}: ${run.error}`);
      }
    } finally {
      await engine.stop();
      await store.close();
      await fuzzServer.close();
    }
    const [stored] = await sql<{ n: number }>(
      db,
      `SELECT count(*)::int AS n FROM cases WHERE case_number::bigint >= 90000000`,
    ).catch(() => [{ n: -1 }]);
    const [held] = await sql<{ n: number; sources: string }>(
      db,
      `SELECT count(*)::int AS n, string_agg(DISTINCT source, ', ') AS sources FROM quarantine`,
    );
    const reasons = await sql<{ reason: string; n: number }>(
      db,
      `SELECT left(reason, 60) AS reason, count(*)::int AS n FROM quarantine GROUP BY 1 ORDER BY 2 DESC LIMIT 3`,
    );
    const served = servedPages.size * PAGE;
    const accounted = (stored?.n ?? 0) + (held?.n ?? 0);
    const failedRuns = statuses.filter((s) => s !== 'succeeded').length;
    return {
      rows: [
        { payloads: served, stored: stored?.n ?? 0, quarantined: held?.n ?? 0, 'runs failed': failedRuns },
      ],
      lost: Math.max(0, served - accounted),
      duplicated: Math.max(0, accounted - served),
      differing: failedRuns ? [`${failedRuns} runs failed`] : [],
      notes: [
        `${served} payloads in ${pages} pages: ${stored?.n} stored, ${held?.n} quarantined (${held?.sources}); the process never crashed`,
        `most frequent reasons: ${reasons.map((r) => `${r.reason} (${r.n})`).join('; ')}`,
      ],
    };
  },
);

await scenario('sigterm', 'SIGTERM to the worker mid-run; a new worker takes over', async () => {
  const d = await deploy('sigterm');
  let exitCode: number | null = null;
  let handedOverAt = 0;
  const took = await refreshUntilSucceeded(d, 180_000, async () => {
    if (handedOverAt) return;
    // Mid-run: once the details job (the longest) is running.
    await until(
      'the details job to run',
      async () =>
        (
          await sql<{ n: number }>(
            d.db,
            `SELECT count(*)::int AS n FROM sync_runs WHERE job IN ('details', 'cards', 'cases') AND status = 'running'`,
          )
        )[0]!.n > 0,
      60_000,
      100,
    );
    const w = d.workers.pop()!;
    w.child.kill('SIGTERM');
    exitCode = await exited(w.child);
    handedOverAt = Date.now();
    d.workers.push(startWorker(d.env));
  });
  const [runs] = await sql<{ failed: number; handed: number }>(
    d.db,
    `SELECT count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE error LIKE 'handed back%')::int AS handed FROM sync_runs`,
  );
  const c = compare(await digestTables(d.db));
  await undeploy(d);
  return {
    ...c,
    notes: [
      `worker exited ${exitCode}; the refresh finished ${((Date.now() - handedOverAt) / 1000).toFixed(1)} s after the hand-over (${took.seconds.toFixed(1)} s in all)`,
      `${runs?.failed} runs failed`,
    ],
    ...(exitCode !== 0 || (runs?.failed ?? 0) > 0 ? { differing: [...c.differing, 'unclean shutdown'] } : {}),
  };
});

await scenario(
  'card-creation',
  'Concurrent card creation (READ_ONLY off, two workers) against the simulator',
  async () => {
    const run = async (label: string, workers: number, requests: number) => {
      const s = await startSimulator({ port: 0, smtpPort: 0, host: '127.0.0.1', cases: CASES, seed: SEED });
      const env = {
        READ_ONLY: 'false',
        MAX_CARDS_PER_RUN: '1000',
        TEAM: JSON.stringify(s.team),
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(s.smtpPort),
        EMAIL_TO: 'team@example.com',
        JIRA_COMPONENT: SIM_DEFAULTS.cardComponent,
        JIRA_SPRINT: SIM_DEFAULTS.sprintNamePrefix,
        SLACK_TOKEN: 'xoxb-chaos',
        SLACK_API_URL: `${s.url}/slack/api/`,
      };
      // New cases without a card: what card creation is for (the same ones on both simulators).
      await simControl(s, 'mutate', { body: { newCases: 12 } });
      const d = await deploy(`cards_${label}`, { sim: s, env });
      try {
        for (let i = 1; i < workers; i++) d.workers.push(startWorker(d.env));
        await refreshUntilSucceeded(d);
        const before = new Set(s.state.issues.map((x) => x.key));
        const posts = await Promise.all(
          Array.from({ length: requests }, () => post(`${d.base}/api/v1/admin/jobs/card-creation`)),
        );
        const ids = [...new Set(posts.map((p) => String(p.body.id)))];
        for (const id of ids)
          await until(
            `card creation ${id}`,
            async () => (await runStatus(d, id)) === 'succeeded',
            120_000,
            500,
          );
        const [cc] = await sql<{ fetched: number; changed: number }>(
          d.db,
          `SELECT fetched, changed FROM sync_runs WHERE job = 'card-creation' ORDER BY started_at DESC LIMIT 1`,
        );
        log(`  ${label}: card creation read ${cc?.fetched} candidates, changed ${cc?.changed}`);
        if (process.env.CHAOS_DEBUG) log(d.workers.map((w) => w.output().slice(-3000)).join('\n---\n'));
        const created = s.state.issues.filter((x) => !before.has(x.key));
        const perCase = new Map<string, number>();
        for (const x of created)
          perCase.set(x.caseNumber ?? x.key, (perCase.get(x.caseNumber ?? x.key) ?? 0) + 1);
        const mails = (await simControl<unknown[]>(s, 'mail')).length;
        return {
          cases: new Set(perCase.keys()),
          extra: [...perCase.values()].reduce((n, v) => n + v - 1, 0),
          mails,
          runs: ids.length,
        };
      } finally {
        await undeploy(d);
        await s.close();
      }
    };
    const clean = await run('reference', 1, 1);
    const busy = await run('concurrent', 2, 4);
    const lost = [...clean.cases].filter((c) => !busy.cases.has(c)).length;
    const extra = [...busy.cases].filter((c) => !clean.cases.has(c)).length + busy.extra;
    return {
      rows: [
        {
          run: 'reference (1 worker)',
          'cases given a card': clean.cases.size,
          'duplicate cards': clean.extra,
          mails: clean.mails,
        },
        {
          run: `concurrent (2 workers, 4 requests, ${busy.runs} run)`,
          'cases given a card': busy.cases.size,
          'duplicate cards': busy.extra,
          mails: busy.mails,
        },
      ],
      lost,
      duplicated: extra,
      differing: [
        ...(busy.mails !== clean.mails ? [`mails ${busy.mails} vs ${clean.mails}`] : []),
        ...(clean.cases.size === 0 ? ['no card was created'] : []),
      ],
      notes: [
        `${busy.cases.size} cards created, ${busy.extra} duplicates, ${busy.mails} mails (reference ${clean.mails})`,
      ],
    };
  },
);

await scenario(
  'read-only',
  'READ_ONLY (the default) across a full run and every job that writes upstream',
  async () => {
    const d = await deploy('read_only', { env: { TEAM: JSON.stringify(sim.team) } });
    await simControl(sim, 'counters/reset', { method: 'POST' });
    await refreshUntilSucceeded(d);
    for (const job of ['card-creation', 'priority-sync', 'bug-tagging']) {
      const r = await post(`${d.base}/api/v1/admin/jobs/${job}`);
      const id = String(r.body.id);
      await until(
        `${job} to finish`,
        async () => ['succeeded', 'failed'].includes((await runStatus(d, id)) ?? ''),
        120_000,
        500,
      );
    }
    const counters = await simControl<{ totals: { requests: number; writes: number } }>(sim, 'counters');
    const c = compare(await digestTables(d.db));
    await undeploy(d);
    return {
      ...c,
      rows: [
        ...c.rows,
        {
          table: 'upstream writes (simulator counters)',
          reference: 0,
          rows: counters.totals.writes,
          content: '',
        },
      ],
      notes: [`${counters.totals.requests} upstream requests, ${counters.totals.writes} writes`],
      ...(counters.totals.writes > 0 ? { differing: [...c.differing, 'upstream writes'] } : {}),
    };
  },
);

// ---- report --------------------------------------------------------------------------------------

async function simToken(s: RunningSimulator): Promise<string> {
  const res = await fetch(s.urls.ssoTokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: 'rhsm-api',
      refresh_token: 'offline',
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const totalSeconds = (Date.now() - runStarted) / 1000;
await sim.close();
await stop(redis);
await postgres.close();
cleanup();

const allOk = results.length > 0 && results.every((r) => r.ok);
log(
  `${results.filter((r) => r.ok).length}/${results.length} scenarios passed in ${(totalSeconds / 60).toFixed(1)} min`,
);
if (WRITE_REPORT) {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
    } catch {
      return 'unknown';
    }
  })();
  const table = (rows: Row[]) => {
    if (rows.length === 0) return '';
    const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return [
      `| ${cols.join(' | ')} |`,
      `| ${cols.map(() => '---').join(' | ')} |`,
      ...rows.map((r) => `| ${cols.map((c) => String(r[c] ?? '')).join(' | ')} |`),
    ].join('\n');
  };
  const md = [
    '# Reliability',
    '',
    'Written by `npm run chaos` (`chaos/chaos.ts`): fault scenarios against real processes on one machine',
    '(an own PostgreSQL and Redis on spare ports, the upstream simulator, `t5g web` and `t5g worker`), each',
    'database compared with a clean reference run by row counts and content digests per synced table.',
    '',
    `- date: ${new Date().toISOString()}`,
    `- machine: ${hostname()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `- commit: ${commit}`,
    `- data: simulator with ${CASES} cases, seed ${SEED}; attempt timeouts \`UPSTREAM_TIMEOUT_SECONDS=${FITTED_TIMEOUTS}\``,
    `- whole run: ${(totalSeconds / 60).toFixed(1)} min; ${results.filter((r) => r.ok).length} of ${results.length} scenarios passed`,
    '',
    '| scenario | result | rows lost | rows duplicated | failed reads | time |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.ok ? 'pass' : 'FAIL'} | ${r.lost} | ${r.duplicated} | ${r.failedReads ?? '–'} | ${r.seconds.toFixed(0)} s |`,
    ),
    '',
    ...results.flatMap((r) => [
      `## ${r.name}`,
      '',
      `${r.what}.`,
      '',
      ...r.notes.map((n) => `- ${n}`),
      ...(r.differing.length ? [`- differs from the reference: ${r.differing.join(', ')}`] : []),
      '',
      table(r.rows),
      '',
    ]),
  ].join('\n');
  await writeFile(path.join(ROOT, 'docs/reliability.md'), md);
  log('wrote docs/reliability.md');
}
process.exit(allOk ? 0 : 1);
