// Memory benchmark: the resident memory (RSS) of the real `t5g` process after the same warm-up, in
// two set-ups, each beside the same set-up with the settings from before the memory work (in this
// same run):
//   start  `t5g start` on PGlite in demo mode (the simulators in the process) at --start-cases,
//          measured once its first sync of every source has finished
//   web    `t5g web` on PostgreSQL at --web-cases, seeded as the API benchmark seeds it
// The warm-up is the same for every process: each read endpoint three times (the first one cold),
// then --duration seconds of autocannon on the filtered page of 50 with 10 clients, whose req/s is
// printed beside the memory, so a memory saving that costs throughput shows. RSS is read from /proc
// two seconds later; the peak is the process's high-water mark.
//
//   npm run bench:memory -- [--setups start,web] [--start-cases 10000] [--web-cases 100000]
//                           [--duration 5] [--no-before] [--env K=V,K=V]
//
//   --no-before  only the current settings
//   --env        more environment for every measured process (to try other settings)
//
// Traffic stays on 127.0.0.1; PostgreSQL from BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test), in a scratch database dropped at the end.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/lib/logger.js';
import { flushCardIndex } from '../src/store/read-model/card-index.js';
import { openStore } from '../src/store/store.js';
import { makeDashboardData, seedDashboardData, seedStatsHistory } from './dashboard-data.js';
import { printGoal } from './goal.js';
import { rssMb, spawnT5g, type T5gProcess, waitFor } from './t5g-process.js';

const { values } = parseArgs({
  options: {
    setups: { type: 'string', default: 'start,web' },
    'start-cases': { type: 'string', default: '10000' },
    'web-cases': { type: 'string', default: '100000' },
    duration: { type: 'string', default: '5' },
    'no-before': { type: 'boolean', default: false },
    'sync-timeout-seconds': { type: 'string', default: '900' },
    env: { type: 'string', default: '' },
  },
});
/** --env K=V,K=V: more environment for every measured process (to try other settings). */
const EXTRA: Record<string, string> = Object.fromEntries(
  values.env
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION = Number(values.duration);
const GOAL_MB = { start: 400, web: 250 };

/**
 * The settings before the memory work, as environment: PostgreSQL's default shared_buffers in
 * PGlite's WebAssembly memory, and V8's own heap growing factor.
 */
const BEFORE: Record<string, string> = { PGLITE_SHARED_BUFFERS_MB: '128', HEAP_GROWTH_PERCENT: '0' };
const BEFORE_LABEL = 'PGlite shared_buffers 128 MB, V8 heap growth unbounded';

const FILTERED = '/api/v1/cards?severity=Urgent&severity=High&caseStatus=Waiting%20on%20Red%20Hat&limit=50';
const WARM_UP = [
  FILTERED,
  '/api/v1/cards?limit=50',
  '/api/v1/cards?q=worker%20node%207&limit=50',
  '/api/v1/cards?sort=daysOpen:desc&limit=50&offset=100',
  '/api/v1/cards/status-counts',
  '/api/v1/cases/new?days=7',
  '/api/v1/stats',
  '/api/v1/stats/history',
  '/api/v1/search?q=worker&limit=25',
  '/api/cards',
  '/api/cases',
  '/api/bugs',
  '/api/details',
  '/api/issues',
  '/api/escalations',
  '/api/stats',
];
const acceptEncoding = (url: string) => (url.startsWith('/api/v1/') ? 'gzip, deflate, br' : 'gzip, deflate');

interface Measured {
  rss: number;
  peak: number;
  rps: number;
  p99: number;
  /** Seconds from spawning to ready (start: every source synced once). */
  readySeconds: number;
}

async function warmUpAndMeasure(proc: T5gProcess, readySeconds: number): Promise<Measured> {
  for (const url of WARM_UP)
    for (let i = 0; i < 3; i++) {
      const res = await fetch(proc.base + url, { headers: { 'accept-encoding': acceptEncoding(url) } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
    }
  const r = await autocannon({
    url: proc.base + FILTERED,
    connections: 10,
    duration: DURATION,
    headers: { 'accept-encoding': acceptEncoding(FILTERED) },
  });
  if (r.errors || r.non2xx) throw new Error(`${FILTERED}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  await new Promise((res) => setTimeout(res, 2000));
  return { ...rssMb(proc.pid), rps: r.requests.average, p99: r.latency.p99, readySeconds };
}

interface Meta {
  sources: { job: string; lastSuccessAt: string | null }[];
  activeRefresh: unknown;
}

/**
 * The first sync is over: no refresh running and the card table's sources (cases, cards) synced.
 * Other sources may have failed on the way (demo mode injects upstream faults; a loaded machine
 * misses heartbeats); the memory after the first sync is what is measured either way.
 */
const firstSyncOver = (m: Meta) =>
  !m.activeRefresh &&
  ['cases', 'cards'].every((job) => m.sources.some((s) => s.job === job && s.lastSuccessAt));

/** `t5g start` on a new PGlite directory in demo mode, measured once every source has synced. */
async function measureStart(cases: number, env: Record<string, string>): Promise<Measured> {
  const dir = mkdtempSync(path.join(tmpdir(), 't5g-bench-memory-'));
  const t0 = performance.now();
  const proc = await spawnT5g('start', { DATA_DIR: dir, DEMO_CASES: String(cases), ...EXTRA, ...env });
  try {
    const timeout = Number(values['sync-timeout-seconds']) * 1000;
    // Twice, ten seconds apart: a refresh whose job is retried is not over in between.
    await waitFor<Meta>(proc, '/api/v1/meta', firstSyncOver, timeout, 1000);
    await new Promise((r) => setTimeout(r, 10_000));
    const meta = await waitFor<Meta>(proc, '/api/v1/meta', firstSyncOver, timeout, 1000);
    const missing = meta.sources.filter((s) => !s.lastSuccessAt).map((s) => s.job);
    if (missing.length) console.log(`  (not synced in the first sync: ${missing.join(', ')})`);
    return await warmUpAndMeasure(proc, (performance.now() - t0) / 1000);
  } finally {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `t5g web` on an already seeded PostgreSQL database. */
async function measureWeb(databaseUrl: string, env: Record<string, string>): Promise<Measured> {
  const t0 = performance.now();
  const proc = await spawnT5g('web', { DATABASE_URL: databaseUrl, ...EXTRA, ...env });
  try {
    await waitFor(proc, '/api/v1/meta', () => true, 120_000);
    return await warmUpAndMeasure(proc, (performance.now() - t0) / 1000);
  } finally {
    await proc.stop();
  }
}

async function withSeededDatabase<T>(cases: number, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `t5g_bench_memory_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    const config = loadConfig({ env: { LOG_LEVEL: 'silent', DATABASE_URL: url.toString() }, dotEnv: false });
    const store = await openStore(config.storage, { logger: silentLogger });
    try {
      const t = performance.now();
      await seedDashboardData(store, makeDashboardData(cases));
      await flushCardIndex(store.db);
      await seedStatsHistory(store, 365);
      await store.db.query('VACUUM ANALYZE');
      console.log(`seeded ${cases} cases on PostgreSQL in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    } finally {
      await store.close();
    }
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const mb = (v: number) => `${Math.round(v)} MB`;
const describe = (m: Measured) =>
  `${mb(m.rss)} RSS (peak ${mb(m.peak)}); page of 50 ${Math.round(m.rps)} req/s, p99 ${m.p99} ms`;

interface Result {
  setup: 'start' | 'web';
  title: string;
  goal: string;
  now: Measured;
  before?: Measured;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average ${load()}`);
const setups = values.setups.split(',');
const results: Result[] = [];
const startCases = Number(values['start-cases']);
const webCases = Number(values['web-cases']);
const k = (n: number) => `${n >= 1000 ? `${n / 1000}k` : n}`;

if (setups.includes('start')) {
  const title = `t5g start, PGlite, demo at ${k(startCases)} cases`;
  console.log(`\n${title}`);
  const now = await measureStart(startCases, {});
  console.log(`  now:    ${describe(now)}; synced in ${now.readySeconds.toFixed(0)} s`);
  let before: Measured | undefined;
  if (!values['no-before']) {
    before = await measureStart(startCases, BEFORE);
    console.log(`  before: ${describe(before)}; synced in ${before.readySeconds.toFixed(0)} s`);
  }
  results.push({
    setup: 'start',
    title,
    goal: `t5g start on PGlite at ${k(startCases)} cases ≤ ${GOAL_MB.start} MB RSS`,
    now,
    ...(before ? { before } : {}),
  });
}

if (setups.includes('web')) {
  const title = `t5g web, PostgreSQL, ${k(webCases)} cases`;
  console.log(`\n${title}`);
  await withSeededDatabase(webCases, async (url) => {
    const now = await measureWeb(url, {});
    console.log(`  now:    ${describe(now)}`);
    let before: Measured | undefined;
    if (!values['no-before']) {
      before = await measureWeb(url, BEFORE);
      console.log(`  before: ${describe(before)}`);
    }
    results.push({
      setup: 'web',
      title,
      goal: `t5g web at ${k(webCases)} cases on PostgreSQL ≤ ${GOAL_MB.web} MB RSS`,
      now,
      ...(before ? { before } : {}),
    });
  });
}

console.log(`\nload average at the end ${load()}\n`);
console.log(
  `| set-up | RSS after warm-up | peak RSS | page of 50 req/s (p99) | before (${BEFORE_LABEL}): RSS / peak / req/s |`,
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of results)
  console.log(
    `| ${r.title} | ${mb(r.now.rss)} | ${mb(r.now.peak)} | ${Math.round(r.now.rps)} (${r.now.p99} ms) | ${
      r.before ? `${mb(r.before.rss)} / ${mb(r.before.peak)} / ${Math.round(r.before.rps)}` : '—'
    } |`,
  );
for (const r of results)
  printGoal({
    goal: r.goal,
    figure: describe(r.now),
    comparison: r.before ? `before (${BEFORE_LABEL}): ${describe(r.before)}` : 'not measured (--no-before)',
    met: r.now.rss <= GOAL_MB[r.setup],
  });
