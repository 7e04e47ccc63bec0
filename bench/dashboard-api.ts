// Dashboard API benchmark: seeds N cases (with cards, details, JIRA comments, bugs, issues,
// escalations and a year of daily stats snapshots, through the repositories) and measures the read
// endpoints with autocannon against the real app (buildApp) running in a child process, so the load
// generator does not share the server's event loop. It still shares the machine's cores, so every
// autocannon run also reports the CPU time per request of the server process, the PostgreSQL
// backends of the run's database, the load generator itself and everything else on the machine
// (other processes: these machines are shared).
//
//   npm run bench:api -- [--runs pglite:10000,postgres:10000,postgres:100000] [--duration 10]
//                        [--connections 10] [--curve 1,4,10] [--save out.json] [--baseline old.json]
//
//   --runs         backend:cases, comma-separated (env BENCH_RUNS); backend:cases:goals measures only
//                  the rows of the goals (filtered page cached, uncached and new each time; full text q)
//   --duration     seconds per measured autocannon run, after up to 3 s of warm-up (env BENCH_DURATION)
//   --connections  concurrent connections for the endpoint table (env BENCH_CONNECTIONS)
//   --curve        connection counts for the filtered-page latency curve (env BENCH_CURVE)
//   --save         write the figures as JSON (to compare a later run against)
//   --baseline     a JSON written by --save (say, on the previous commit): prints before → after
//
// The original's JSON API (/api/cards …) answers with megabytes: autocannon parses them in
// JavaScript at ~15 ms of its own CPU per /api/cards answer (the server spends ~1 ms), so on shared
// cores it measures itself. Where `wrk` is installed (Debian: apt-get install -y wrk) those
// endpoints are measured with it too, and their goal lines use its figures.
//
// PostgreSQL comes from BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each
// run creates and drops its own database. PGlite runs on a temporary data directory on disk.
// BENCH_POOL_SIZE sets the server's DATABASE_POOL_SIZE (default: the app's, 10).
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/lib/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { flushCardIndex } from '../src/store/read-model/card-index.js';
import { openStore } from '../src/store/store.js';
import { makeDashboardData, seedDashboardData, seedStatsHistory } from './dashboard-data.js';
import { printGoal } from './goal.js';

const env = process.env;
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: env.BENCH_RUNS ?? 'pglite:10000,postgres:10000,postgres:100000' },
    duration: { type: 'string', default: env.BENCH_DURATION ?? '10' },
    connections: { type: 'string', default: env.BENCH_CONNECTIONS ?? '10' },
    curve: { type: 'string', default: env.BENCH_CURVE ?? '1,4,10' },
    save: { type: 'string' },
    baseline: { type: 'string' },
    serve: { type: 'string' },
  },
});
const ADMIN_URL = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The issue's target: a filtered page of 50 cards within this p99 at 100k cases. */
const TARGET_P99_MS = 50;

/** Storage env for one run: a database URL, or a PGlite data directory. */
type StorageEnv = Record<string, string>;
const envFor = (storage: StorageEnv) =>
  loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      ...(env.BENCH_POOL_SIZE ? { DATABASE_POOL_SIZE: env.BENCH_POOL_SIZE } : {}),
      ...storage,
    },
    dotEnv: false,
  });

// ---- CPU accounting (Linux /proc; omitted elsewhere) ---------------------------------------------
const HAS_PROC = existsSync('/proc/stat');
const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

/** utime + stime of a process, in ms. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The PostgreSQL backends serving a database (the server's pool), by pid. */
async function backendPids(admin: pg.Client, database: string): Promise<number[]> {
  const r = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
    database,
  ]);
  return r.rows.map((x) => x.pid);
}

/** This process's CPU and that of its children that have exited (wrk runs), in ms. */
function loadGeneratorCpuMs(): number {
  const c = process.cpuUsage();
  let children = 0;
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    children = (Number(fields[13]) + Number(fields[14])) * TICK_MS;
  } catch {}
  return (c.user + c.system) / 1000 + children;
}

/** Busy CPU of the whole machine (all cores), in ms. */
function machineBusyMs(): number {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = f.map(Number) as number[];
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

interface Cpu {
  server: number;
  db: number;
  client: number;
  other: number;
}

/**
 * Runs `fn` and splits the machine's CPU time over it per request: the server process, the
 * database's backends (local PostgreSQL; with PGlite the database is in the server process), the
 * load generator (this process) and everything else. Backends that connect during the run count
 * in full; they did all their work in it.
 */
async function withCpu<T>(
  serverPid: number,
  db: { admin: pg.Client; name: string } | undefined,
  fn: () => Promise<T>,
): Promise<{ value: T; cpuMs?: (n: number) => Cpu }> {
  if (!HAS_PROC) return { value: await fn() };
  const backends0 = new Map(
    (db ? await backendPids(db.admin, db.name) : []).map((p) => [p, processCpuMs(p)]),
  );
  const s0 = processCpuMs(serverPid);
  const m0 = machineBusyMs();
  const c0 = loadGeneratorCpuMs();
  const value = await fn();
  const client = loadGeneratorCpuMs() - c0;
  const server = processCpuMs(serverPid) - s0;
  const busy = machineBusyMs() - m0;
  let dbMs = 0;
  for (const p of db ? await backendPids(db.admin, db.name) : [])
    dbMs += processCpuMs(p) - (backends0.get(p) ?? 0);
  return {
    value,
    cpuMs: (n) => ({
      server: server / n,
      db: dbMs / n,
      client: client / n,
      other: Math.max(0, busy - server - dbMs - client) / n,
    }),
  };
}

// ---- parent: seed, start the server, measure ----------------------------------------------------
interface Row {
  run: string;
  endpoint: string;
  connections: number;
  p50: number;
  p99: number;
  rps: number;
  /** First request, empty cache; NaN when not measured. */
  cold: number;
  bytes: number;
  cpu?: Cpu;
  /** 1-minute load average when it was measured (the original's endpoints). */
  load?: number;
}

/** The original dashboard's JSON API, served by t5g in its shapes. */
const LEGACY = ['cards', 'cases', 'bugs', 'details', 'issues', 'escalations', 'stats'] as const;

/**
 * The original (Python, Redis blobs) measured on the same machine kind at 10,000 cases, from the
 * issue that asked for these goals; it cannot run here, so its figures are constants (the best it
 * measured, so the goal of 10× is the harder one).
 */
const ORIGINAL_RPS: Partial<Record<(typeof LEGACY)[number], { rps: number; note: string }>> = {
  cards: { rps: 2.98, note: '2.79–2.98 req/s, p50 700–732 ms' },
  cases: { rps: 25, note: '19–25 req/s, p50 72–81 ms' },
};
/** The goal for the original's endpoints: this many times its throughput. */
const LEGACY_TIMES = 10;
/** The second load generator for the original's big answers, when installed. */
const WRK = spawnSync('wrk', ['--version']).error === undefined;
const WRK_SUFFIX = ' (wrk)';
const isLegacy = (endpoint: string) => endpoint.startsWith('legacy /api/');

const ENDPOINTS: [string, string][] = [
  [
    'cards: filtered page of 50 (+ facets)',
    '/api/v1/cards?severity=Urgent&severity=High&caseStatus=Waiting%20on%20Red%20Hat&limit=50',
  ],
  ['cards: first page, no filter', '/api/v1/cards?limit=50'],
  ['cards: recent (7 days)', '/api/v1/cards?recent=true&limit=50'],
  ['cards: full text q', '/api/v1/cards?q=worker%20node%207&limit=50'],
  ['cards: sorted by days open, page 3', '/api/v1/cards?sort=daysOpen:desc&limit=50&offset=100'],
  ['cards/status-counts (home chart)', '/api/v1/cards/status-counts'],
  ['cases/new?days=7 (home list)', '/api/v1/cases/new?days=7'],
  ['stats (live)', '/api/v1/stats'],
  ['stats/history (90 days)', '/api/v1/stats/history'],
  ['stats/outcomes', '/api/v1/stats/outcomes'],
  ['search: a common word, first page with the total', '/api/v1/search?q=worker&limit=25'],
  ['search: a JIRA key', '/api/v1/search?q=KNIECO-527&limit=25'],
  ['search: an engineer by name', '/api/v1/search?q=Engineer%20C&limit=25'],
  ...LEGACY.map((name): [string, string] => [`legacy /api/${name}`, `/api/${name}`]),
];
const FILTERED = ENDPOINTS[0]!;
/** What a `:goals` run measures of ENDPOINTS: the filtered page (cached, then uncached, then a new filter each time). */
const GOAL_ENDPOINTS: [string, string][] = [FILTERED];
/**
 * What real clients send: a browser (the UI) accepts brotli and gzip; the scripts that read the
 * original's API use Python's requests, which sends "gzip, deflate".
 */
const acceptEncoding = (url: string) => (url.includes('/api/v1/') ? 'gzip, deflate, br' : 'gzip, deflate');
/** Answers served again to a client that has them: If-None-Match with their ETag. */
const REVALIDATED: [string, string][] = [FILTERED, ['legacy /api/cards', '/api/cards']];
const CURVE_ENDPOINT = 'cards: filtered page of 50, latency curve';
const UNCACHED_ENDPOINT = 'cards: a new filter each time (facets uncached), 20 in a row';

async function main() {
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const curve = values.curve.split(',').map(Number);
  const rows: Row[] = [];
  const machine = `${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(
    `machine: ${machine}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const spec of values.runs.split(',')) {
    // `backend:cases:goals` measures only the rows the goals need (GOAL_ENDPOINTS, the search rows).
    const [backend, n, only] = spec.split(':') as ['pglite' | 'postgres', string, string | undefined];
    const goalsOnly = only === 'goals';
    const cases = Number(n);
    const run = `${backend === 'pglite' ? 'PGlite' : 'PostgreSQL'} ${cases.toLocaleString('en-US')}`;
    const { storage, cleanup } = await createStorage(backend);
    try {
      await seed(storage, cases, run);
      const server = await startServer(storage);
      const admin = storage.DATABASE_URL ? new pg.Client({ connectionString: ADMIN_URL }) : undefined;
      try {
        await admin?.connect();
        const db = admin && { admin, name: new URL(storage.DATABASE_URL!).pathname.slice(1) };
        const target = { base: `http://127.0.0.1:${server.port}`, pid: server.child.pid!, db };
        rows.push(...(await measure(target, run, duration, connections, curve, goalsOnly)));
        rows.push(...(await measureSearchCached(target, run, duration, connections)));
        server.child.kill('SIGTERM');
        await new Promise((r) => server.child.once('exit', r));
        // PGlite allows one process on its data directory: the uncached server starts after.
        const uncached = await startServer({ ...storage, RESPONSE_CACHE_MB: '0' });
        try {
          const t2 = { base: `http://127.0.0.1:${uncached.port}`, pid: uncached.child.pid!, db };
          rows.push(...(await measureUncached(t2, run, Math.min(duration, 5), connections, goalsOnly)));
          rows.push(...(await measureSearchUncached(t2, run, cases, Math.min(duration, 5), connections)));
        } finally {
          uncached.child.kill('SIGTERM');
          await new Promise((r) => uncached.child.once('exit', r));
        }
      } finally {
        await admin?.end();
        if (server.child.exitCode === null) {
          server.child.kill('SIGTERM');
          await new Promise((r) => server.child.once('exit', r));
        }
      }
    } finally {
      await cleanup();
    }
  }
  report(rows);
  printGoals(rows);
  if (values.save) {
    writeFileSync(
      values.save,
      `${JSON.stringify({ machine, date: new Date().toISOString(), rows }, null, 2)}\n`,
    );
    console.log(`\nsaved to ${values.save}`);
  }
}

async function createStorage(
  backend: 'pglite' | 'postgres',
): Promise<{ storage: StorageEnv; cleanup: () => Promise<void> }> {
  if (backend === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-bench-api-'));
    return { storage: { DATA_DIR: dir }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `t5g_bench_api_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    storage: { DATABASE_URL: url.toString() },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function seed(storage: StorageEnv, cases: number, run: string) {
  const store = await openStore(envFor(storage).storage, { logger: silentLogger });
  try {
    const version = (await store.db.query<{ v: string }>("SELECT current_setting('server_version') AS v"))
      .rows[0]?.v;
    const data = makeDashboardData(cases);
    let t = performance.now();
    await seedDashboardData(store, data);
    const seeded = (performance.now() - t) / 1000;
    t = performance.now();
    const built = await flushCardIndex(store.db);
    const index = (performance.now() - t) / 1000;
    await seedStatsHistory(store, 365);
    await store.db.query('VACUUM ANALYZE');
    const size = await store.db.query<{ size: string }>(
      "SELECT pg_size_pretty(pg_total_relation_size('card_index')) AS size",
    );
    console.log(
      `\n${run} (server ${version}): seeded ${data.cases.length} cases, ${data.cards.length} cards, ` +
        `${data.jiraComments.length} JIRA comments in ${seeded.toFixed(1)} s; card_index of ` +
        `${built.upserted} rows (${size.rows[0]?.size} with indexes) built in ${index.toFixed(1)} s`,
    );
  } finally {
    await store.close();
  }
}

async function startServer(storage: StorageEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', import.meta.filename, '--serve', JSON.stringify(storage)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const port = (JSON.parse(line) as { port: number }).port;
    return { child, port };
  }
  throw new Error('the server exited before listening');
}

async function timedGet(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  return { ms: performance.now() - t, bytes: body.byteLength, status: res.status };
}

const fmtCpu = (c?: Cpu, client = 'autocannon') =>
  c
    ? `CPU/req: server ${c.server.toFixed(2)} ms, db ${c.db.toFixed(2)} ms, ${client} ${c.client.toFixed(2)} ms, other ${c.other.toFixed(2)} ms`
    : '';

/** p50/p99 (ms), req/s and non-2xx count from wrk's --latency output. */
function parseWrk(out: string): { p50: number; p99: number; rps: number; total: number; bad: number } {
  const ms = (pct: string) => {
    const m = out.match(new RegExp(`^\\s*${pct}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'));
    if (!m) return Number.NaN;
    return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[m[2]!]!;
  };
  const num = (re: RegExp) => Number(out.match(re)?.[1] ?? 0);
  return {
    p50: ms('50'),
    p99: ms('99'),
    rps: num(/^Requests\/sec:\s+([\d.]+)/m),
    total: num(/^\s*(\d+) requests in/m),
    bad: num(/Non-2xx or 3xx responses:\s+(\d+)/) + num(/Socket errors:.*?timeout (\d+)/),
  };
}

const execFileAsync = promisify(execFile);
/** wrk with 2 threads (the machine's cores) and the Accept-Encoding of the original's clients. */
async function runWrk(url: string, connections: number, seconds: number) {
  const { stdout } = await execFileAsync(
    'wrk',
    [
      '-t2',
      `-c${connections}`,
      `-d${seconds}s`,
      '--timeout',
      '30s',
      '--latency',
      '-H',
      `Accept-Encoding: ${acceptEncoding(url)}`,
      url,
    ],
    { maxBuffer: 1 << 20 },
  );
  return parseWrk(stdout);
}

async function measure(
  target: { base: string; pid: number; db: { admin: pg.Client; name: string } | undefined },
  run: string,
  duration: number,
  connections: number,
  curve: number[],
  goalsOnly = false,
): Promise<Row[]> {
  const rows: Row[] = [];
  // Each measured run follows a short unmeasured one at the same concurrency, so it sees a warm
  // server: V8 has compiled the route's code, the pool has opened its connections and their
  // backends have loaded the catalog (a fresh 100k server's first seconds cost up to 2× in p99).
  const load = async (url: string, c: number, extra: Record<string, string> = {}) => {
    const headers = { 'accept-encoding': acceptEncoding(url), ...extra };
    await autocannon({ url, connections: c, duration: Math.min(3, duration), headers });
    const { value: r, cpuMs } = await withCpu(target.pid, target.db, () =>
      autocannon({ url, connections: c, duration, headers }),
    );
    const revalidating = 'if-none-match' in headers;
    if (r.errors || (revalidating ? r.non2xx !== r['3xx'] : r.non2xx))
      throw new Error(`${url}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    return { r, cpu: cpuMs?.(Math.max(1, r.requests.total)) };
  };
  for (const [endpoint, urlPath] of goalsOnly ? GOAL_ENDPOINTS : ENDPOINTS) {
    // The first request meets an empty cache: page, total and facets (or stats) are all computed.
    const cold = await timedGet(target.base + urlPath);
    if (cold.status !== 200) throw new Error(`${urlPath}: HTTP ${cold.status}`);
    const { r, cpu } = await load(target.base + urlPath, connections);
    rows.push({
      run,
      endpoint,
      connections,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      cold: cold.ms,
      bytes: cold.bytes,
      cpu,
    });
    console.log(
      `  ${endpoint.padEnd(42)} cold ${cold.ms.toFixed(1)} ms, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${Math.round(r.requests.average)} req/s, ${cold.bytes} B; ${fmtCpu(cpu)}`,
    );
    if (isLegacy(endpoint)) {
      rows[rows.length - 1]!.load = loadavg()[0];
      if (WRK)
        rows.push(await measureWithWrk(target, run, endpoint, urlPath, duration, connections, cold.bytes));
    }
  }
  // A client that has the answer asks again with its ETag: 304 while nothing changed.
  for (const [endpoint, urlPath] of goalsOnly ? [] : REVALIDATED) {
    // A cold answer streams without an ETag (and a body older than a minute is rebuilt cold).
    let etag: string | null = null;
    for (let i = 0; i < 3 && !etag; i++) {
      const res = await fetch(target.base + urlPath);
      await res.arrayBuffer();
      etag = res.headers.get('etag');
    }
    if (!etag) throw new Error(`${urlPath}: no ETag on a cached answer`);
    const { r, cpu } = await load(target.base + urlPath, connections, { 'if-none-match': etag });
    rows.push({
      run,
      endpoint: `${endpoint}, revalidated (304)`,
      connections,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      cold: Number.NaN,
      bytes: 0,
      cpu,
    });
    console.log(
      `  ${`${endpoint} → 304`.padEnd(42)} p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${Math.round(r.requests.average)} req/s; ${fmtCpu(cpu)}`,
    );
  }
  // The target (a filtered page of 50 ≤ 50 ms p99) at each concurrency of the curve.
  for (const c of goalsOnly ? [] : curve) {
    const { r, cpu } = await load(target.base + FILTERED[1], c);
    rows.push({
      run,
      endpoint: CURVE_ENDPOINT,
      connections: c,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      cold: Number.NaN,
      bytes: rows[0]!.bytes,
      cpu,
    });
    console.log(
      `  filtered page, ${String(c).padStart(2)} connections: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${Math.round(r.requests.average)} req/s; ${fmtCpu(cpu)}`,
    );
  }
  // Facet counts are cached per filter; a filter nobody asked for yet pays for them. Twenty new
  // filters in a row (each a different account) show that cost.
  const misses: number[] = [];
  for (let i = 1; i <= 20; i++)
    misses.push(
      (await timedGet(`${target.base}/api/v1/cards?account=Account%20${i * 7}&severity=High&limit=50`)).ms,
    );
  misses.sort((a, b) => a - b);
  const p = (q: number) => misses[Math.min(misses.length - 1, Math.floor(q * misses.length))]!;
  rows.push({
    run,
    endpoint: UNCACHED_ENDPOINT,
    connections: 1,
    p50: Math.round(p(0.5)),
    p99: Math.round(p(0.99)),
    rps: 0,
    cold: Number.NaN,
    bytes: 0,
  });
  console.log(`  new filter each time: p50 ${p(0.5).toFixed(1)} ms, max ${p(0.99).toFixed(1)} ms`);
  return rows;
}

/** A legacy endpoint again with wrk, whose cost per byte is a fraction of autocannon's. */
async function measureWithWrk(
  target: { base: string; pid: number; db: { admin: pg.Client; name: string } | undefined },
  run: string,
  endpoint: string,
  urlPath: string,
  duration: number,
  connections: number,
  bytes: number,
): Promise<Row> {
  const url = target.base + urlPath;
  await runWrk(url, connections, Math.min(3, duration));
  const { value: w, cpuMs } = await withCpu(target.pid, target.db, () => runWrk(url, connections, duration));
  if (w.bad) throw new Error(`${urlPath}: ${w.bad} non-2xx or timed out (wrk)`);
  const cpu = cpuMs?.(Math.max(1, w.total));
  console.log(
    `  ${`${endpoint}${WRK_SUFFIX}`.padEnd(42)} p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms, ` +
      `${Math.round(w.rps)} req/s; ${fmtCpu(cpu, 'wrk')}`,
  );
  return {
    run,
    endpoint: `${endpoint}${WRK_SUFFIX}`,
    connections,
    p50: w.p50,
    p99: w.p99,
    rps: w.rps,
    cold: Number.NaN,
    bytes,
    cpu,
    load: loadavg()[0],
  };
}

/** Requests of an uncached answer slower than this are counted, not timed in a window. */
const SLOW_UNCACHED_MS = 500;
/** How many requests of a slow uncached answer are measured. */
const SLOW_UNCACHED_REQUESTS = 4;

/** The same answers with the response cache off (RESPONSE_CACHE_MB=0): t5g's uncached path. */
async function measureUncached(
  target: { base: string; pid: number; db: { admin: pg.Client; name: string } | undefined },
  run: string,
  duration: number,
  connections: number,
  goalsOnly = false,
): Promise<Row[]> {
  const rows: Row[] = [];
  const legacy = goalsOnly ? [] : ENDPOINTS.filter(([e]) => isLegacy(e));
  for (const [endpoint, urlPath] of [FILTERED, ...legacy]) {
    const cold = await timedGet(target.base + urlPath);
    // A big uncached map takes seconds per request: few clients, so none times out waiting, and a
    // fixed number of requests rather than a window that none of them may finish in.
    const slow = isLegacy(endpoint) && cold.ms > SLOW_UNCACHED_MS;
    const c = isLegacy(endpoint) ? Math.min(2, connections) : connections;
    const started = performance.now();
    const { value: r, cpuMs } = await withCpu(target.pid, target.db, () =>
      autocannon({
        url: target.base + urlPath,
        connections: c,
        ...(slow ? { amount: SLOW_UNCACHED_REQUESTS, timeout: 120 } : { duration }),
        headers: { 'accept-encoding': acceptEncoding(urlPath) },
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (r.errors || r.non2xx) throw new Error(`${urlPath}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    const cpu = cpuMs?.(Math.max(1, r.requests.total));
    const rps = r.requests.total / seconds;
    rows.push({
      run,
      endpoint: `${endpoint} (uncached)`,
      connections: c,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps,
      cold: cold.ms,
      bytes: cold.bytes,
      cpu,
      load: loadavg()[0],
    });
    console.log(
      `  ${`${endpoint} uncached`.padEnd(42)} p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${rps.toFixed(1)} req/s (${r.requests.total} requests in ${seconds.toFixed(1)} s); ${fmtCpu(cpu)}`,
    );
  }
  return rows;
}

// ---- full-text search: a fixed URL (cached) and a new term each request (uncached) ---------------
type Target = { base: string; pid: number; db: { admin: pg.Client; name: string } | undefined };
const SEARCH_TABLES = ['cards', 'cases'] as const;
const searchCachedEndpoint = (table: string) => `${table}: full text q, one URL (cached)`;
const searchNewEndpoint = (table: string) => `${table}: full text q, a new term each request (uncached)`;
const searchBroadEndpoint = (table: string) =>
  `${table}: full text q, a broad term (~8% of rows), 13 in a row`;
/** The fixed term of the cached rows (the read API's long-standing "full text q" row). */
const CACHED_TERM = 'worker node 7';

/**
 * Distinct search terms drawn from the text bench/dashboard-data.ts writes, each kind in turn: a
 * cluster's own number (its description: one case), an account (its ~100 cases; numbers above 96
 * so the number is no summary's cluster or node too), a cluster and node of the summaries (~0.2%
 * of the cases), a case number or JIRA key typed as is, and a JIRA comment's text (one card).
 * Deterministic (a fixed linear congruential sequence), so runs compare.
 */
function searchTerms(cases: number, count: number): string[] {
  const accounts = Math.max(10, Math.round(cases / 100));
  let seed = 20_240_601;
  const rnd = (m: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % m;
  };
  const terms = new Set<string>();
  for (let i = 0; terms.size < count && i < count * 20; i++) {
    const c = rnd(cases);
    const caseNumber = String(4_000_0000 + c);
    const kind = i % 5;
    if (kind === 0 && cases > 100) terms.add(`cluster ${100 + rnd(cases - 100)}`);
    else if (kind === 1 && accounts > 100) terms.add(`Account ${100 + rnd(accounts - 100)}`);
    else if (kind === 2) terms.add(`cluster ${rnd(97)} worker node ${rnd(13)}`);
    else if (kind === 3) terms.add(c % 2 ? caseNumber : `KNIECO-${c + 1}`);
    else if (kind === 4 && c % 20 !== 19 && c % 5 > 0) terms.add(`must-gather ${caseNumber}`);
  }
  return [...terms];
}

const searchPath = (table: string, term: string) => `/api/v1/${table}?q=${encodeURIComponent(term)}&limit=50`;

/** Full text q served again from one URL: the response cache's figure. */
async function measureSearchCached(target: Target, run: string, duration: number, connections: number) {
  const rows: Row[] = [];
  for (const table of SEARCH_TABLES) {
    const url = target.base + searchPath(table, CACHED_TERM);
    const cold = await timedGet(url);
    if (cold.status !== 200) throw new Error(`${url}: HTTP ${cold.status}`);
    const headers = { 'accept-encoding': acceptEncoding(url) };
    await autocannon({ url, connections, duration: Math.min(3, duration), headers });
    const { value: r, cpuMs } = await withCpu(target.pid, target.db, () =>
      autocannon({ url, connections, duration, headers }),
    );
    if (r.errors || r.non2xx) throw new Error(`${url}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    const cpu = cpuMs?.(Math.max(1, r.requests.total));
    const endpoint = searchCachedEndpoint(table);
    rows.push({
      run,
      endpoint,
      connections,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      cold: cold.ms,
      bytes: cold.bytes,
      cpu,
    });
    console.log(
      `  ${endpoint.padEnd(42)} cold ${cold.ms.toFixed(1)} ms, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${Math.round(r.requests.average)} req/s; ${fmtCpu(cpu)}`,
    );
  }
  return rows;
}

/**
 * Full text q on the uncached path (a RESPONSE_CACHE_MB=0 server): every request a term not asked
 * before, so neither an answer nor its total and facet counts are cached; then the broad terms
 * ("worker node N", ~8% of the rows each), one after the other, each for the first time.
 */
async function measureSearchUncached(
  target: Target,
  run: string,
  cases: number,
  duration: number,
  connections: number,
) {
  const rows: Row[] = [];
  const terms = searchTerms(cases, 20_000);
  let next = 0;
  for (const table of SEARCH_TABLES) {
    const fire = (seconds: number) => {
      const first = next;
      return autocannon({
        url: target.base,
        connections,
        duration: seconds,
        headers: { 'accept-encoding': 'gzip, deflate, br' },
        requests: [
          {
            setupRequest: (req) => ({ ...req, path: searchPath(table, terms[next++ % terms.length]!) }),
          },
        ],
      }).then((r) => ({ r, asked: next - first }));
    };
    await fire(Math.min(3, duration));
    const { value, cpuMs } = await withCpu(target.pid, target.db, () => fire(duration));
    const { r, asked } = value;
    if (r.errors || r.non2xx) throw new Error(`${table} q: ${r.errors} errors, ${r.non2xx} non-2xx`);
    const cpu = cpuMs?.(Math.max(1, r.requests.total));
    const endpoint = searchNewEndpoint(table);
    rows.push({
      run,
      endpoint,
      connections,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.total / duration,
      cold: Number.NaN,
      bytes: 0,
      cpu,
    });
    console.log(
      `  ${endpoint.padEnd(42)} p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
        `${(r.requests.total / duration).toFixed(1)} req/s, ${asked} requests` +
        `${next > terms.length ? ` (terms repeated: ${terms.length} distinct)` : ', every term new'}; ${fmtCpu(cpu)}`,
    );
    const broad: number[] = [];
    for (let k = 0; k < 13; k++)
      broad.push((await timedGet(target.base + searchPath(table, `worker node ${k}`))).ms);
    broad.sort((a, b) => a - b);
    rows.push({
      run,
      endpoint: searchBroadEndpoint(table),
      connections: 1,
      p50: Math.round(broad[6]!),
      p99: Math.round(broad[12]!),
      rps: 0,
      cold: Number.NaN,
      bytes: 0,
    });
    console.log(
      `  ${searchBroadEndpoint(table)}: p50 ${broad[6]!.toFixed(1)} ms, max ${broad[12]!.toFixed(1)} ms`,
    );
  }
  return rows;
}

// ---- goal lines (bench/goal.ts) -----------------------------------------------------------------
function printGoals(rows: Row[]) {
  const find = (run: string, endpoint: string) => rows.find((r) => r.run === run && r.endpoint === endpoint);
  const fig = (r: Row) => `p99 ${ms(r.p99)}, ${int(r.rps)} req/s`;
  const missing = (goal: string) =>
    printGoal({ goal, figure: 'not measured in this run', comparison: '—', met: null });
  const PG100 = 'PostgreSQL 100,000';
  for (const table of SEARCH_TABLES) {
    const goal = `full-text q, ${table === 'cards' ? 'card' : 'case'} table, 100k cases, PostgreSQL, 10 clients, a new term each request: p99 ≤ 50 ms`;
    const fresh = find(PG100, searchNewEndpoint(table));
    if (!fresh) {
      missing(goal);
      continue;
    }
    const cached = find(PG100, searchCachedEndpoint(table));
    const broad = find(PG100, searchBroadEndpoint(table));
    printGoal({
      goal,
      figure: fig(fresh),
      comparison: [
        cached && `cached (one URL): ${fig(cached)}`,
        broad && `a broad term (~8% of rows) uncached: p50 ${ms(broad.p50)}, max ${ms(broad.p99)}`,
        'before: p99 ~0.5 s (issue, fixed term)',
      ]
        .filter(Boolean)
        .join('; '),
      met: fresh.p99 <= 50,
    });
  }
  const warm = find(PG100, FILTERED[0]);
  const uncached = find(PG100, `${FILTERED[0]} (uncached)`);
  const goalWarm =
    'filtered page of 50, 100k cases, PostgreSQL, 10 clients, warm: ≥ 2,000 req/s, p99 ≤ 25 ms';
  if (warm)
    printGoal({
      goal: goalWarm,
      figure: fig(warm),
      comparison: uncached ? `response cache off: ${fig(uncached)}` : '—',
      met: warm.rps >= 2000 && warm.p99 <= 25,
    });
  else missing(goalWarm);
  const fresh = find(PG100, UNCACHED_ENDPOINT);
  const goalFresh = 'filtered page of 50, 100k cases, PostgreSQL: a new filter each time ≤ 50 ms';
  if (fresh)
    printGoal({
      goal: goalFresh,
      figure: `max ${ms(fresh.p99)} of 20 (p50 ${ms(fresh.p50)})`,
      comparison: warm ? `the same page warm: p50 ${ms(warm.p50)}` : '—',
      met: fresh.p99 <= 50,
    });
  else missing(goalFresh);
  const lite = find('PGlite 10,000', FILTERED[0]);
  const goalLite = 'PGlite, filtered page of 50, 10k cases, 10 clients: ≥ 400 req/s';
  if (lite) {
    const liteUncached = find('PGlite 10,000', `${FILTERED[0]} (uncached)`);
    const pg10 = find('PostgreSQL 10,000', FILTERED[0]);
    printGoal({
      goal: goalLite,
      figure: `cached ${fig(lite)}${liteUncached ? `; uncached ${fig(liteUncached)}` : ''}`,
      comparison: pg10 ? `PostgreSQL 10k, same run: ${fig(pg10)}` : '—',
      met: lite.rps >= 400,
    });
  } else missing(goalLite);
}

// ---- the report ---------------------------------------------------------------------------------
const ms = (v: number) => (Number.isNaN(v) ? '—' : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);
const int = (v: number) => (v ? Math.round(v).toLocaleString('en-US') : '—');
const cpuCell = (c?: Cpu) =>
  c ? `${c.server.toFixed(2)} / ${c.db.toFixed(2)} / ${c.client.toFixed(2)} / ${c.other.toFixed(2)}` : '—';
const keyOf = (r: Pick<Row, 'run' | 'endpoint' | 'connections'>) => `${r.run}|${r.endpoint}|${r.connections}`;

function report(rows: Row[]) {
  console.log(
    '\n| run | endpoint | conns | first request (cold) | p50 | p99 | req/s | bytes | CPU ms/req: server / db / autocannon / other |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.run} | ${r.endpoint} | ${r.connections} | ${ms(r.cold)} | ${ms(r.p50)} | ${ms(r.p99)} | ${int(r.rps)} | ${int(r.bytes)} | ${cpuCell(r.cpu)} |`,
    );

  // In the same run: PostgreSQL against PGlite, and 10k against 100k cases, where both were measured.
  const runs = [...new Set(rows.map((r) => r.run))];
  const pairs: [string, string][] = [];
  for (const a of runs)
    for (const b of runs) {
      const [ba, na] = a.split(' ');
      const [bb, nb] = b.split(' ');
      if ((na === nb && ba === 'PGlite' && bb === 'PostgreSQL') || (ba === bb && na !== nb && a < b))
        pairs.push([a, b]);
    }
  for (const [a, b] of pairs) {
    console.log(`\n${b} against ${a}:\n`);
    console.log(`| endpoint | conns | p99 ${a} → ${b} | req/s ${a} → ${b} |`);
    console.log('| --- | --- | --- | --- |');
    for (const r of rows.filter((x) => x.run === b && x.rps > 0)) {
      const o = rows.find((x) => keyOf(x) === keyOf({ ...r, run: a }));
      if (o)
        console.log(
          `| ${r.endpoint} | ${r.connections} | ${ms(o.p99)} → ${ms(r.p99)} | ${int(o.rps)} → ${int(r.rps)} |`,
        );
    }
  }

  legacyReport(rows);

  if (values.baseline) {
    const base = JSON.parse(readFileSync(values.baseline, 'utf8')) as { date: string; rows: Row[] };
    const before = new Map(base.rows.map((r) => [keyOf(r), r]));
    console.log(`\nAgainst the baseline ${values.baseline} (${base.date}):\n`);
    console.log(
      '| run | endpoint | conns | p50 before → after | p99 before → after | req/s before → after | bytes |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of rows) {
      const o = before.get(keyOf(r));
      if (o)
        console.log(
          `| ${r.run} | ${r.endpoint} | ${r.connections} | ${ms(o.p50)} → ${ms(r.p50)} | ${ms(o.p99)} → ${ms(r.p99)} | ${int(o.rps)} → ${int(r.rps)} | ${int(o.bytes)} → ${int(r.bytes)} |`,
        );
    }
  }

  console.log(`\nTarget: a filtered page of 50 cards ≤ ${TARGET_P99_MS} ms p99 at 100k cases`);
  for (const r of rows.filter((x) => x.endpoint === CURVE_ENDPOINT || x.endpoint === UNCACHED_ENDPOINT)) {
    if (Number(r.run.split(' ')[1]?.replaceAll(',', '')) < 100_000) continue;
    const what =
      r.endpoint === CURVE_ENDPOINT
        ? `${r.connections} connection${r.connections === 1 ? '' : 's'}`
        : 'facets not cached yet';
    console.log(
      `  ${r.run}, ${what}: p99 ${ms(r.p99)} — ${r.p99 <= TARGET_P99_MS ? 'within' : 'OVER'} the target`,
    );
  }
}

/**
 * The original's JSON API: t5g cached (wrk where installed, and autocannon) against the original's
 * measured figures and t5g with the response cache off in the same run; one goal line per
 * endpoint and 10k-case run.
 */
function legacyReport(rows: Row[]) {
  console.log(
    "\nThe original's JSON API: t5g cached against the original's measured figures (constants, from the issue: " +
      'the original cannot run here) and against t5g with the response cache off, same run. ' +
      (WRK
        ? 'Cached figures from wrk (autocannon beside them: it spends more CPU per megabyte than the server).'
        : 'wrk is not installed: cached figures from autocannon, which limits them (apt-get install -y wrk).') +
      '\n',
  );
  console.log(
    '| run | endpoint | t5g cached req/s (p99), wrk | t5g cached req/s (p99), autocannon | t5g uncached req/s (p99) | × uncached | original req/s | × original | goal ≥ 10× | load |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const rate = (r?: Row) => (r ? `${r.rps < 10 ? r.rps.toFixed(1) : int(r.rps)} (${ms(r.p99)})` : '—');
  const times = (a: number, b: number) => `${(a / b).toFixed(a / b < 10 ? 1 : 0)}×`;
  for (const auto of rows.filter((x) => LEGACY.some((n) => x.endpoint === `legacy /api/${n}`))) {
    const name = auto.endpoint.replace('legacy /api/', '') as (typeof LEGACY)[number];
    const find = (suffix: string) =>
      rows.find((x) => x.run === auto.run && x.endpoint === `${auto.endpoint}${suffix}`);
    const wrk = find(WRK_SUFFIX);
    const uncached = find(' (uncached)');
    const best = wrk ?? auto;
    const o = ORIGINAL_RPS[name];
    const met = o ? best.rps >= LEGACY_TIMES * o.rps : null;
    const load = best.load?.toFixed(1) ?? '—';
    console.log(
      `| ${auto.run} | /api/${name} | ${rate(wrk)} | ${rate(auto)} | ${rate(uncached)} | ${uncached?.rps ? times(best.rps, uncached.rps) : '—'} | ${o ? `${o.rps} (${o.note})` : 'not measured'} | ${o ? times(best.rps, o.rps) : '—'} | ${met === null ? '—' : met ? 'met' : 'NOT met'} | ${load} |`,
    );
    const [backend, cases] = auto.run.split(' ');
    if (cases !== '10,000') continue;
    printGoal({
      goal:
        `original's /api/${name} at 10k, ${backend}, 10 clients: ≥ ${LEGACY_TIMES}× the original` +
        (o ? ` (≥ ${Math.ceil(LEGACY_TIMES * o.rps)} req/s)` : ' (the original was not measured)'),
      figure: `${rate(best)} cached, ${wrk ? 'wrk' : 'autocannon'}, load ${load}`,
      comparison:
        `original ${o ? `${o.rps} req/s (measured constant: ${o.note})` : 'not measured'}; ` +
        `t5g uncached ${rate(uncached)}` +
        (wrk ? `; autocannon ${rate(auto)}` : '') +
        (o ? `; ${times(best.rps, o.rps)} the original` : ''),
      met,
    });
  }
}

// ---- child: the server --------------------------------------------------------------------------
if (values.serve) {
  const config = envFor(JSON.parse(values.serve) as StorageEnv);
  const store = await openStore(config.storage, { logger: silentLogger, migrate: false });
  const app = await buildApp({
    config,
    store,
    metrics: createMetrics({ defaultMetrics: false }),
    logger: silentLogger,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  console.log(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }));
  process.on('SIGTERM', () => {
    void app.close().then(() => store.close().then(() => process.exit(0)));
  });
} else {
  await main();
}
