// Dashboard API benchmark: seeds N cases (with cards, details, JIRA comments, bugs, issues and
// escalations, through the repositories) and measures the read endpoints with autocannon against
// the real app (buildApp) running in a child process, so the load generator does not share the
// server's event loop.
//
//   npx tsx bench/dashboard-api.ts [--runs pglite:10000,postgres:10000,postgres:100000]
//                                  [--duration 10] [--connections 10]
//
// PostgreSQL comes from BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each
// run creates and drops its own database. PGlite runs on a temporary data directory on disk.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/lib/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { flushCardIndex } from '../src/store/queries/card-index.js';
import { openStore } from '../src/store/store.js';
import { makeDashboardData, seedDashboardData } from './dashboard-data.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: 'pglite:10000,postgres:10000,postgres:100000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    serve: { type: 'string' },
  },
});
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Storage env for one run: a database URL, or a PGlite data directory. */
type StorageEnv = Record<string, string>;
const envFor = (storage: StorageEnv) =>
  loadConfig({ env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...storage }, dotEnv: false });

// ---- parent: seed, start the server, measure ----------------------------------------------------
interface Row {
  run: string;
  endpoint: string;
  p50: number;
  p99: number;
  rps: number;
  cold: number;
  bytes: number;
}

async function main() {
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const rows: Row[] = [];
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  for (const spec of values.runs.split(',')) {
    const [backend, n] = spec.split(':') as ['pglite' | 'postgres', string];
    const cases = Number(n);
    const run = `${backend} ${cases.toLocaleString('en-US')}`;
    const { storage, cleanup } = await createStorage(backend);
    try {
      await seed(storage, cases, run);
      const server = await startServer(storage);
      try {
        rows.push(...(await measure(`http://127.0.0.1:${server.port}`, run, duration, connections)));
      } finally {
        server.child.kill('SIGTERM');
        await new Promise((r) => server.child.once('exit', r));
      }
    } finally {
      await cleanup();
    }
  }
  console.log('\n| run | endpoint | first request (cold) | p50 | p99 | req/s | bytes |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.run} | ${r.endpoint} | ${Number.isNaN(r.cold) ? '—' : `${r.cold.toFixed(1)} ms`} | ${r.p50} ms | ${r.p99} ms | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.bytes.toLocaleString('en-US')} |`,
    );
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
    await store.db.query('VACUUM ANALYZE');
    console.log(
      `\n${run} (server ${version}): seeded ${data.cases.length} cases, ${data.cards.length} cards, ` +
        `${data.jiraComments.length} JIRA comments in ${seeded.toFixed(1)} s; card_index of ` +
        `${built.upserted} rows built in ${index.toFixed(1)} s`,
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

const ENDPOINTS: [string, string][] = [
  [
    'cards: filtered page of 50 (+ facets)',
    '/api/v1/cards?severity=Urgent&severity=High&caseStatus=Waiting%20on%20Red%20Hat&limit=50',
  ],
  ['cards: first page, no filter', '/api/v1/cards?limit=50'],
  ['cards: recent (7 days)', '/api/v1/cards?recent=true&limit=50'],
  ['cards: full text q', '/api/v1/cards?q=worker%20node%207&limit=50'],
  ['cards/status-counts (home chart)', '/api/v1/cards/status-counts'],
  ['cases/new?days=7 (home list)', '/api/v1/cases/new?days=7'],
  ['stats (live)', '/api/v1/stats'],
  ['stats/outcomes', '/api/v1/stats/outcomes'],
];

async function measure(base: string, run: string, duration: number, connections: number): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [endpoint, path] of ENDPOINTS) {
    // The first request meets an empty cache: page, total and facets (or stats) are all computed.
    const cold = await timedGet(base + path);
    if (cold.status !== 200) throw new Error(`${path}: HTTP ${cold.status}`);
    const r = await autocannon({ url: base + path, connections, duration });
    if (r.errors || r.non2xx) throw new Error(`${path}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    rows.push({
      run,
      endpoint,
      p50: r.latency.p50,
      p99: r.latency.p99,
      rps: r.requests.average,
      cold: cold.ms,
      bytes: cold.bytes,
    });
    console.log(
      `  ${endpoint.padEnd(42)} cold ${cold.ms.toFixed(1)} ms, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${Math.round(r.requests.average)} req/s, ${cold.bytes} B`,
    );
  }
  // The target (a filtered page of 50 ≤ 50 ms p99) also without concurrent clients queueing.
  const [, filtered] = ENDPOINTS[0]!;
  const single = await autocannon({ url: base + filtered, connections: 1, duration });
  rows.push({
    run,
    endpoint: 'cards: filtered page of 50, 1 connection',
    p50: single.latency.p50,
    p99: single.latency.p99,
    rps: single.requests.average,
    cold: Number.NaN,
    bytes: rows[0]!.bytes,
  });
  console.log(`  filtered page, 1 connection: p50 ${single.latency.p50} ms, p99 ${single.latency.p99} ms`);
  // Facet counts are cached per filter; a filter nobody asked for yet pays for them. Twenty new
  // filters in a row (each a different account) show that cost.
  const misses: number[] = [];
  for (let i = 1; i <= 20; i++)
    misses.push(
      (await timedGet(`${base}/api/v1/cards?account=Account%20${i * 7}&severity=High&limit=50`)).ms,
    );
  misses.sort((a, b) => a - b);
  const p = (q: number) => misses[Math.min(misses.length - 1, Math.floor(q * misses.length))]!;
  rows.push({
    run,
    endpoint: 'cards: a new filter each time (facets uncached), 20 in a row',
    p50: Math.round(p(0.5)),
    p99: Math.round(p(0.99)),
    rps: 0,
    cold: misses[0]!,
    bytes: 0,
  });
  console.log(`  new filter each time: p50 ${p(0.5).toFixed(1)} ms, max ${p(0.99).toFixed(1)} ms`);
  return rows;
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
