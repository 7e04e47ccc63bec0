// Every benchmark in one run (`npm run bench`): runs each script of RUNNERS below in turn (a file
// that is not there is skipped and named), shows its output as it goes, and writes
// docs/benchmarks.md with the date, the machine, the commit and each script's figures with the
// comparisons it prints from the same run. Traffic stays on 127.0.0.1 (local PostgreSQL and Redis,
// the built-in simulators).
//
//   npm run bench                  the bounded default (~15 min on 2 cores)
//   BENCH_FULL=1 npm run bench     adds the 100k-case API run on PostgreSQL and 100k-case bulk ingest
//   BENCH_ONLY=api,sync npm run bench   only these runners (by name)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';

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
}

const RUNNERS: Runner[] = [
  {
    name: 'upsert',
    title: 'Bulk ingest vs COPY',
    file: 'bench/bulk-upsert.ts',
    args: ['--cases', FULL ? '100000' : '10000', '--comments-per-case', '10'],
    about:
      "The store's write path (unnest bulk upsert with change detection, change_log, NOTIFY, the known-case check) against a raw COPY of the same rows into the same tables.",
  },
  {
    name: 'sync',
    title: 'Initial and incremental sync',
    file: 'bench/sync.ts',
    // Each size's initial sync is stopped at 15 min, so 100k costs at most ~17 min (data generation
    // and teardown included); on 2 cores at load ~17 it did not finish within the bound (Dec 2026).
    args: ['--cases', '1000,10000,100000', '--backend', 'postgres', '--bound-minutes', '15'],
    about:
      "The real sync engine against the built-in simulators (on a worker thread): the initial full sync with each job's seconds and requests, one incremental pass after 1% of the records changed, the upstream requests of each (the simulators' own counters), and the requests of a steady-state hour against a sync that refetches everything on the same schedule.",
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
  },
  {
    name: 'mirror',
    title: 'Redis mirror of the original',
    file: 'bench/mirror.ts',
    args: ['--cards', '10000', '--backend', 'postgres'],
    about:
      "The original's Redis layout at 10,000 cards mirrored into PostgreSQL: full sync, a pass with nothing changed, a pass after one card changed.",
  },
  {
    name: 'freshness',
    title: 'Freshness',
    file: 'bench/freshness.ts',
    args: [],
    about: 'How soon a change upstream shows in t5g.',
  },
];

function run(r: Runner): Promise<{ output: string; seconds: number; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', r.file, ...r.args], {
      cwd: ROOT,
      env: { ...process.env, ...r.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      to.write(chunk);
    };
    child.stdout.on('data', (c: Buffer) => take(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => take(c, process.stderr));
    child.on('exit', (code) => resolve({ output, seconds: (performance.now() - started) / 1000, code }));
  });
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
for (const r of RUNNERS) {
  if (ONLY && !ONLY.includes(r.name)) continue;
  if (!existsSync(path.join(ROOT, r.file))) {
    sections.push(`## ${r.title}\n\n\`${r.file}\` is not in this checkout; not run.\n`);
    continue;
  }
  console.log(`\n=== ${r.title} (${r.file} ${r.args.join(' ')}) ===`);
  const res = await run(r);
  const status = res.code === 0 ? '' : ` — **exited with ${res.code}; the figures below are incomplete**`;
  sections.push(
    `## ${r.title}\n\n\`${r.file} ${r.args.join(' ')}\`, ${res.seconds.toFixed(0)} s${status}. ${r.about}\n\n` +
      asMarkdown(res.output) +
      '\n',
  );
}

const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
const doc = `# Benchmarks

Written by \`npm run bench\` (\`bench/run-all.ts\`${FULL ? ', BENCH_FULL=1' : ''}${ONLY ? `, BENCH_ONLY=${ONLY.join(',')}` : ''}): every figure below
comes from this one run, each beside its comparison from the same run.

- date: ${started.toISOString()} (${minutes} min)
- machine: ${machine}; load average at the start ${load0} (a shared machine: other work runs beside
  the benchmarks, so the CPU columns name what the server itself spent)
- commit: ${commit}

The original (the Python dashboard) cannot run here; where it is compared, its figures are the ones
measured beside t5g on one machine at 10,000 cases (/api/cards 2.79–2.98 req/s, /api/cases 19–25
req/s), labelled as such, next to t5g's own uncached path from this run.

${sections.join('\n')}`;
writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), doc);
console.log(`\nwrote docs/benchmarks.md (${minutes} min)`);
