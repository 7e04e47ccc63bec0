// Every benchmark in one run (`npm run bench`): runs each script of RUNNERS below in turn (a file
// that is not there is skipped and named), shows its output as it goes, and writes
// docs/benchmarks.md with the date, the machine, the commit and each script's figures with the
// comparisons it prints from the same run. Each script prints one `goal: {json}` line per goal it
// measures (bench/goal.ts); those lines become the Goals table at the top of the document instead
// of staying in their section. Traffic stays on 127.0.0.1 (local PostgreSQL and Redis, the
// built-in simulators).
//
// Bounded: each runner has a time budget and is stopped past it (its section then says so and its
// goals are marked missing); the budgets of the default run add up to TOTAL_BUDGET_MINUTES.
//
//   npm run bench                  the bounded default (≤ 50 min on 2 cores; 100k cases only for the API goals)
//   BENCH_FULL=1 npm run bench     adds every API row at 100k on PostgreSQL, 100k-case bulk ingest and the 100k initial sync
//   BENCH_ONLY=api,sync npm run bench   only these runners (by name)
//   BENCH_OUT=/tmp/b.md npm run bench   write the document there instead of docs/benchmarks.md
//   BENCH_BUDGET_SCALE=2 npm run bench  every runner's budget doubled (a machine busy with other work)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { GOAL_PREFIX, type Goal } from './goal.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FULL = process.env.BENCH_FULL === '1';
const ONLY = process.env.BENCH_ONLY?.split(',');

interface Runner {
  name: string;
  title: string;
  file: string;
  args: string[];
  env?: Record<string, string>;
  /** What the figures are, for the reader of docs/benchmarks.md. */
  about: string;
  /** Minutes the runner may take before it is stopped (the default run's budgets add up to TOTAL_BUDGET_MINUTES). */
  budgetMinutes: number;
}

/** The whole default `npm run bench` on 2 shared cores. */
const TOTAL_BUDGET_MINUTES = FULL ? 100 : 50;
/** BENCH_BUDGET_SCALE=2 doubles every budget, for a machine busy with other work. */
const SCALE = Number(process.env.BENCH_BUDGET_SCALE ?? '1') || 1;

const RUNNERS: Runner[] = [
  {
    name: 'upsert',
    title: 'Bulk ingest vs COPY',
    file: 'bench/bulk-upsert.ts',
    args: ['--cases', FULL ? '100000' : '10000', '--comments-per-case', '10'],
    about:
      "The store's write path (unnest bulk upsert with change detection, change_log, NOTIFY, the known-case check) against a raw COPY of the same rows into the same tables.",
    budgetMinutes: FULL ? 15 : 3,
  },
  {
    name: 'sync',
    title: 'Initial and incremental sync',
    file: 'bench/sync.ts',
    // Each size's initial sync is stopped at 15 min, so 100k costs at most ~17 min (data generation
    // and teardown included); on 2 cores at load ~17 it did not finish within the bound (Dec 2026),
    // so it runs only with BENCH_FULL=1.
    args: [
      '--cases',
      FULL ? '1000,10000,100000' : '1000,10000',
      '--backend',
      'postgres',
      '--bound-minutes',
      '15',
    ],
    about:
      "The real sync engine against the built-in simulators (on a worker thread): the initial full sync with each job's seconds and requests, one incremental pass after 1% of the records changed, the upstream requests of each (the simulators' own counters), and the requests of a steady-state hour against a sync that refetches everything on the same schedule.",
    budgetMinutes: FULL ? 20 : 7,
  },
  {
    name: 'api',
    title: "Read API, home, stats and the original's JSON API",
    file: 'bench/dashboard-api.ts',
    args: [
      '--runs',
      // The default measures at 100k only what the goals need (`:goals`; seeding 100k cases is most of its time).
      FULL
        ? 'postgres:10000,pglite:10000,postgres:100000'
        : 'postgres:10000,pglite:10000,postgres:100000:goals',
      '--duration',
      process.env.BENCH_DURATION ?? '5',
      '--curve',
      '1,10',
    ],
    about:
      'autocannon against the real app in its own process (10 clients unless said). At 100k cases the default run measures only the goal rows (BENCH_FULL=1: every row). "cold" is the first request on an empty cache; the measured runs are warm (cached); "revalidated (304)" sends the ETag back; "a new filter each time" is the uncached path of the card table; "(uncached)" rows come from a second server on the same database with RESPONSE_CACHE_MB=0; "full text q, a new term each request" sends every request a search term not asked before (drawn from the seeded text), so neither the answer nor its counts are cached. Requests carry the Accept-Encoding of real clients (a browser: gzip, deflate, br on /api/v1; Python requests: gzip, deflate on the original\'s /api/*), so cached answers go out compressed; "bytes" is the uncompressed size. The endpoints of the original are also measured with wrk where it is installed ("(wrk)" rows; apt-get install -y wrk): autocannon parses their megabytes in JavaScript at several times the CPU per request of the server, so on shared cores it measures itself; their goal lines use the wrk figures. CPU per request is split into server / database / load generator / everything else, since the load generator shares the cores.',
    budgetMinutes: FULL ? 45 : 25,
  },
  {
    name: 'mirror',
    title: 'Redis mirror of the original',
    file: 'bench/mirror.ts',
    args: ['--cards', '10000', '--backend', 'postgres'],
    about:
      "The original's Redis layout at 10,000 cards mirrored into PostgreSQL: full sync, a pass with nothing changed, a pass after one card changed.",
    budgetMinutes: 2,
  },
  {
    name: 'freshness',
    title: 'Freshness',
    file: 'bench/freshness.ts',
    // 20 changes each way keep it within its budget; the percentiles need no more.
    args: ['--changes', '20'],
    about: 'How soon a change upstream shows in t5g.',
    budgetMinutes: 2,
  },
  {
    name: 'memory',
    title: 'Memory (RSS)',
    file: 'bench/memory.ts',
    args: ['--setups', 'start,web', '--start-cases', '10000', '--web-cases', '100000'],
    about:
      'Resident memory of the real `t5g` process after the same warm-up (every read endpoint three times, then the filtered page of 50 under 10 clients, whose req/s is shown beside it): `t5g start` on PGlite in demo mode (the simulators in the process) once its first sync finished, and `t5g web` on PostgreSQL, each beside the same set-up with the settings from before the memory work.',
    budgetMinutes: 8,
  },
  {
    name: 'first-start',
    title: 'First start',
    file: 'bench/first-start.ts',
    args: [],
    about:
      "A fresh clone's `npm start` after `npm ci`: `t5g start` on a data directory that does not exist yet, in demo mode, from spawning the process to the first `/api/v1/cards` answer with cards (and the dashboard page), with the PGlite template `npm ci` builds and without it (initdb and every migration on start).",
    budgetMinutes: 2,
  },
];

interface RunResult {
  /** stdout and stderr as they came, without the goal lines. */
  output: string;
  goals: Goal[];
  seconds: number;
  code: number | null;
  /** Stopped at its budget. */
  overBudget: boolean;
}

/** A `goal: {json}` line of a runner's stdout, or undefined for any other line. */
function parseGoal(line: string): Goal | undefined {
  if (!line.startsWith(GOAL_PREFIX)) return undefined;
  try {
    const g = JSON.parse(line.slice(GOAL_PREFIX.length)) as Partial<Goal>;
    if (typeof g.goal !== 'string' || typeof g.figure !== 'string') return undefined;
    return {
      goal: g.goal,
      figure: g.figure,
      comparison: typeof g.comparison === 'string' ? g.comparison : '',
      met: typeof g.met === 'boolean' ? g.met : null,
    };
  } catch {
    return undefined;
  }
}

/** The runner's process group while it runs, so Ctrl-C stops it too. */
let current: number | undefined;
process.once('SIGINT', () => {
  if (current) process.kill(-current, 'SIGTERM');
  process.exit(130);
});

function run(r: Runner): Promise<RunResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', r.file, ...r.args], {
      cwd: ROOT,
      env: { ...process.env, ...r.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a runner stopped at its budget takes its servers with it.
      detached: true,
    });
    current = child.pid;
    let output = '';
    const goals: Goal[] = [];
    let pending = '';
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      pending += c.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const goal = parseGoal(line);
        if (goal) goals.push(goal);
        else output += `${line}\n`;
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      process.stderr.write(c);
      output += c.toString();
    });
    let overBudget = false;
    const timer = setTimeout(
      () => {
        overBudget = true;
        console.error(`\n${r.name}: over its budget of ${r.budgetMinutes * SCALE} min; stopping it`);
        try {
          process.kill(-child.pid!, 'SIGTERM');
          setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }, 20_000).unref();
        } catch {
          // Already gone.
        }
      },
      r.budgetMinutes * SCALE * 60_000,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      current = undefined;
      const goal = parseGoal(pending);
      if (goal) goals.push(goal);
      else output += pending;
      resolve({ output, goals, seconds: (performance.now() - started) / 1000, code, overBudget });
    });
  });
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** The Goals table: every goal line of the run, and a row for each runner that ended without its figures. */
function goalsTable(rows: { runner: Runner; result: RunResult }[]): string {
  const lines = ['| goal | figure | same-run comparison | met |', '| --- | --- | --- | --- |'];
  for (const { runner, result } of rows) {
    for (const g of result.goals)
      lines.push(
        `| ${cell(g.goal)} | ${cell(g.figure)} | ${cell(g.comparison)} | ${g.met === null ? '—' : g.met ? 'met' : '**NOT met**'} |`,
      );
    if (result.code !== 0)
      lines.push(
        `| ${cell(runner.title)} (\`${runner.file}\`) | ${result.overBudget ? `stopped at its budget of ${runner.budgetMinutes * SCALE} min` : `exited with ${result.code}`}; goals it did not print are missing | — | — |`,
      );
  }
  return lines.join('\n');
}

/** The scripts print progress lines and markdown tables: tables stay tables, the rest is preformatted. */
function asMarkdown(output: string): string {
  const out: string[] = [];
  let last: 'table' | 'text' | 'blank' = 'blank';
  for (const line of output.trim().split('\n')) {
    const kind = line.trim() === '' ? 'blank' : line.startsWith('|') ? 'table' : 'text';
    if (kind === 'blank') {
      if (last !== 'blank') out.push('');
    } else {
      if (last !== 'blank' && last !== kind) out.push('');
      out.push(kind === 'table' ? line : `    ${line}`);
    }
    last = kind;
  }
  return out.join('\n');
}

const git = (...args: string[]) => {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
};

const started = new Date();
const commit = `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''}`;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const load0 = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');

const sections: string[] = [];
const ran: { runner: Runner; result: RunResult }[] = [];
const budget = RUNNERS.filter((r) => !ONLY || ONLY.includes(r.name)).reduce((t, r) => t + r.budgetMinutes, 0);
if (!ONLY && budget > TOTAL_BUDGET_MINUTES)
  console.warn(
    `the runners' budgets add up to ${budget} min, over the ${TOTAL_BUDGET_MINUTES} min of the whole run`,
  );
for (const r of RUNNERS) {
  if (ONLY && !ONLY.includes(r.name)) continue;
  if (!existsSync(path.join(ROOT, r.file))) {
    sections.push(`## ${r.title}\n\n\`${r.file}\` is not in this checkout; not run.\n`);
    continue;
  }
  console.log(`\n=== ${r.title} (${r.file} ${r.args.join(' ')}; budget ${r.budgetMinutes * SCALE} min) ===`);
  const res = await run(r);
  ran.push({ runner: r, result: res });
  const status =
    res.code === 0
      ? ''
      : res.overBudget
        ? ` — **stopped at its budget of ${r.budgetMinutes * SCALE} min; the figures below are incomplete**`
        : ` — **exited with ${res.code}; the figures below are incomplete**`;
  sections.push(
    `## ${r.title}\n\n\`${r.file} ${r.args.join(' ')}\`, ${res.seconds.toFixed(0)} s (budget ${r.budgetMinutes * SCALE} min)${status}. ${r.about}\n\n` +
      asMarkdown(res.output) +
      '\n',
  );
}

const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
const totalLine = `${minutes} min in all; budget ${budget * SCALE} min${ONLY ? '' : `, at most ${TOTAL_BUDGET_MINUTES * SCALE} min for the whole default run`}`;
const doc = `# Benchmarks

Written by \`npm run bench\` (\`bench/run-all.ts\`${FULL ? ', BENCH_FULL=1' : ''}${ONLY ? `, BENCH_ONLY=${ONLY.join(',')}` : ''}): every figure below
comes from this one run, each beside its comparison from the same run.

- date: ${started.toISOString()}; ${totalLine}
- machine: ${machine}; load average at the start ${load0} (a shared machine: other work runs beside
  the benchmarks, so the CPU columns name what the server itself spent)
- commit: ${commit}

The original (the Python dashboard) cannot run here; where it is compared, its figures are the ones
measured beside t5g on one machine at 10,000 cases (/api/cards 2.79–2.98 req/s, /api/cases 19–25
req/s), labelled as such, next to t5g's own uncached path from this run.

## Goals

Each goal of the run with its figure and the comparison its script measured beside it, in this same
run (the sections below have the details).

${goalsTable(ran)}

${sections.join('\n')}`;
const out = process.env.BENCH_OUT ?? path.join(ROOT, 'docs/benchmarks.md');
writeFileSync(out, doc);
console.log(`\nwrote ${out}: ${totalLine}`);
