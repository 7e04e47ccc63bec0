// Sync benchmark: the real sync engine (pg-boss, every registered job) against the built-in
// simulator. Prints, per data-set size, the initial full sync's time and upstream requests, then the
// requests of one incremental pass after 1% of the records changed, and extrapolates the requests of
// a steady-state hour from the schedule table.
//
//   npm run bench:sync -- [--cases 1000,10000] [--backend postgres|pglite]
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startSimulator } from '@t5g/simulators';
import { withSimulatorUpstreams } from '../src/cli/demo.js';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/lib/logger.js';
import { openStore, type Store } from '../src/store/store.js';
import { createSyncEngine, type SyncEngine, waitForRun } from '../src/sync/index.js';
import '../src/sync/helpers/upstreams.js';
import { createTestDatabase } from '../test/support/databases.js';
import { type SimulatorThread, startSimulatorThread } from './simulator-thread.js';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '1000,10000' },
    backend: { type: 'string', default: 'postgres' },
    env: { type: 'string', multiple: true, default: [] },
    simulator: { type: 'string', default: 'thread' },
  },
});
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Counters {
  totals: { requests: number; writes: number };
  upstreams: Record<string, { requests: number; writes: number }>;
  requests: Record<string, number>;
}
const control = async <T>(sim: Pick<SimulatorThread, 'url'>, path: string, body?: unknown): Promise<T> => {
  const res = await fetch(`${sim.url}/_sim/${path}`, {
    method: body === undefined && path !== 'counters/reset' ? 'GET' : 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as T;
};

async function runOnce(
  sync: SyncEngine,
  store: Store,
  full: boolean,
): Promise<{ seconds: number; jobs: string[] }> {
  const started = performance.now();
  const result = await sync.refreshAll({ trigger: full ? 'startup' : 'manual' });
  const run = await waitForRun(store, result.id);
  if (run.status !== 'succeeded') throw new Error(`refresh-all ended ${run.status}: ${run.error}`);
  const runs = await store.db.query<{ job: string; status: string }>(
    `SELECT job, status FROM sync_runs WHERE started_at >= now() - interval '1 hour' ORDER BY started_at`,
  );
  return { seconds: (performance.now() - started) / 1000, jobs: [...new Set(runs.rows.map((r) => r.job))] };
}

// How often each job runs in an hour under the default schedule table (UTC cron).
const RUNS_PER_HOUR: Record<string, number> = {
  cases: 4,
  cards: 1,
  details: 2 / 24,
  issues: 2 / 24,
  bugs: 2 / 24,
  escalations: 1 / 2,
  stats: 1 / 24,
};

async function bench(cases: number) {
  const sim =
    values.simulator === 'inline'
      ? await startSimulator({ port: 0, cases, seed: 7 })
      : await startSimulatorThread({ port: 0, cases, seed: 7 });
  const db = values.backend === 'postgres' ? await createTestDatabase('bench_sync', ADMIN_URL) : undefined;
  const base = loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      ...(db ? { DATABASE_URL: db.url } : {}),
      BUGZILLA_API_KEY: 'x',
      // No HTTP server here, so no one to sign in.
      AUTH_ALLOW_NONE: 'true',
      ...Object.fromEntries(values.env.map((kv) => kv.split('=') as [string, string])),
    },
    dotEnv: false,
  });
  const config = withSimulatorUpstreams(base, sim);
  const store = await openStore(config.storage, { logger: silentLogger });
  const sync = createSyncEngine({
    store,
    config,
    logger: silentLogger,
    role: { work: true, schedule: false },
  });
  await sync.start();
  try {
    await control(sim, 'counters/reset');
    const cpu0 = process.cpuUsage();
    const initial = await runOnce(sync, store, true);
    const cpuUsed = process.cpuUsage(cpu0);
    const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
    const c1 = await control<Counters>(sim, 'counters');
    const summary = await control<Record<string, number>>(sim, 'state/summary');
    const stored = await store.db.query<{
      cases: number;
      cards: number;
      comments: number;
      jira_comments: number;
    }>(
      `SELECT (SELECT count(*)::int FROM cases) AS cases, (SELECT count(*)::int FROM cards) AS cards,
              (SELECT count(*)::int FROM comments) AS comments, (SELECT count(*)::int FROM jira_comments) AS jira_comments`,
    );
    console.log(
      `\n${cases.toLocaleString()} cases (${values.backend}): initial full sync ${initial.seconds.toFixed(1)} s, ` +
        `${c1.totals.requests.toLocaleString()} upstream requests ` +
        `(${Object.entries(c1.upstreams)
          .filter(([, v]) => v.requests)
          .map(([k, v]) => `${k} ${v.requests}`)
          .join(', ')}); jobs: ${initial.jobs.join(', ')}`,
    );
    const phases = await store.db.query<{ job: string; seconds: number; requests: number; offset: number }>(
      `SELECT job, extract(epoch FROM finished_at - started_at)::float8 AS seconds, upstream_requests AS requests,
              extract(epoch FROM started_at - min(started_at) OVER ())::float8 AS offset
       FROM sync_runs WHERE trigger = 'startup' AND job <> 'refresh-all' ORDER BY started_at`,
    );
    console.log(
      `  phases (start offset + seconds, requests): ${phases.rows
        .map((r) => `${r.job} +${r.offset.toFixed(1)} ${r.seconds.toFixed(1)} s ${r.requests}`)
        .join(', ')}; cpu ${cpu.toFixed(1)} s; load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    console.log(`  simulator holds ${JSON.stringify(summary)}`);
    console.log(`  stored ${JSON.stringify(stored.rows[0])}`);

    await control(sim, 'mutate', { fraction: 0.01 });
    await control(sim, 'counters/reset');
    const incremental = await runOnce(sync, store, false);
    const c2 = await control<Counters>(sim, 'counters');
    console.log(
      `  after 1% changed: incremental pass ${incremental.seconds.toFixed(1)} s, ${c2.totals.requests} requests ` +
        `(${Object.entries(c2.upstreams)
          .filter(([, v]) => v.requests)
          .map(([k, v]) => `${k} ${v.requests}`)
          .join(', ')})`,
    );
    // One incremental pass ran every job once; weight each job's requests by its runs per hour.
    const perJob = await store.db.query<{ job: string; requests: number }>(
      `SELECT job, max(upstream_requests)::int AS requests FROM sync_runs
       WHERE trigger = 'manual' AND job <> 'refresh-all' GROUP BY job`,
    );
    const hourly = perJob.rows.reduce((n, r) => n + r.requests * (RUNS_PER_HOUR[r.job] ?? 0), 0);
    console.log(
      `  steady state with 1% changing per pass: ~${Math.round(hourly)} upstream requests per hour ` +
        `(${perJob.rows.map((r) => `${r.job} ${r.requests}×${(RUNS_PER_HOUR[r.job] ?? 0).toFixed(2)}/h`).join(', ')})`,
    );
    // The comparison: a sync that refetches everything on every run (as the original did), on the
    // same schedule: each job's initial-run requests at its runs per hour.
    const fullJob = await store.db.query<{ job: string; requests: number }>(
      `SELECT job, max(upstream_requests)::int AS requests FROM sync_runs
       WHERE trigger = 'startup' AND job <> 'refresh-all' GROUP BY job`,
    );
    const fullHourly = fullJob.rows.reduce((n, r) => n + r.requests * (RUNS_PER_HOUR[r.job] ?? 0), 0);
    console.log(
      `  a full-refetch sync on the same schedule: ~${Math.round(fullHourly)} upstream requests per hour ` +
        `(${(fullHourly / Math.max(1, hourly)).toFixed(0)}× the incremental sync's)`,
    );
  } finally {
    await sync.stop();
    await store.close();
    await db?.drop();
    await sim.close();
  }
}

console.log(
  `sync benchmark: ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString()}`,
);
for (const n of values.cases.split(',').map(Number)) await bench(n);
