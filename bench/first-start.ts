// First-start benchmark: a fresh clone's `npm start` — `t5g start` on a data directory that does not
// exist yet, in demo mode — from spawning the process to the first `/api/v1/cards` answer with
// cards in it (and the dashboard's page served), in two variants from the same run:
//   template     the new PGlite directory is copied from the template `npm ci` builds (the default)
//   no template  PGLITE_TEMPLATE=false: initdb, every migration and the job queue's schema on start
// What `npm ci` does ahead of time (its `prepare` step: the UI build and the template) is done first
// and timed apart, as a fresh clone has it before its first start.
//
//   npm run bench:first-start -- [--repeat 1] [--cases 500]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prepareAheadOfStart } from '../src/cli/prepare.js';
import { silentLogger } from '../src/lib/logger.js';
import { printGoal } from './goal.js';
import { spawnT5g, waitFor } from './t5g-process.js';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '1' },
    cases: { type: 'string', default: '500' },
    'timeout-seconds': { type: 'string', default: '300' },
  },
});
const GOAL_SECONDS = 10;

interface Timing {
  /** Seconds from spawning to the first answer of the API (storage open, migrations done, listening). */
  listening: number;
  /** Seconds from spawning to the first page of cards with cards in it. */
  cards: number;
}

async function firstStart(env: Record<string, string>): Promise<Timing> {
  const parent = mkdtempSync(path.join(tmpdir(), 't5g-bench-first-start-'));
  const t0 = performance.now();
  const since = () => (performance.now() - t0) / 1000;
  const proc = await spawnT5g('start', {
    DATA_DIR: path.join(parent, 'data'),
    DEMO_CASES: values.cases,
    ...env,
  });
  try {
    const timeout = Number(values['timeout-seconds']) * 1000;
    await waitFor(proc, '/api/v1/meta', () => true, timeout, 50);
    const listening = since();
    await waitFor<{ items: unknown[] }>(
      proc,
      '/api/v1/cards?limit=50',
      (b) => b.items.length > 0,
      timeout,
      100,
    );
    const cards = since();
    const page = await fetch(`${proc.base}/`);
    if (page.status !== 200 || !(page.headers.get('content-type') ?? '').includes('text/html'))
      throw new Error(`the dashboard page answered ${page.status}`);
    await page.arrayBuffer();
    return { listening, cards };
  } finally {
    await proc.stop();
    rmSync(parent, { recursive: true, force: true });
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`load average ${load()}`);
let t = performance.now();
await prepareAheadOfStart(silentLogger);
console.log(
  `npm ci's prepare step (UI build and PGlite template, skipped when current): ${((performance.now() - t) / 1000).toFixed(1)} s`,
);

const VARIANTS = [
  { name: 'template', label: 'copied from the template', env: {} },
  {
    name: 'no template',
    label: 'initialised from scratch (PGLITE_TEMPLATE=false)',
    env: { PGLITE_TEMPLATE: 'false' },
  },
] as const;
const timings = new Map<string, Timing[]>(VARIANTS.map((v) => [v.name, []]));
for (let i = 0; i < Number(values.repeat); i++)
  for (const v of VARIANTS) {
    t = performance.now();
    const timing = await firstStart(v.env);
    timings.get(v.name)!.push(timing);
    console.log(
      `${v.name}: listening after ${timing.listening.toFixed(1)} s, cards after ${timing.cards.toFixed(1)} s`,
    );
  }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const summary = (name: string) => {
  const ts = timings.get(name)!;
  return { listening: median(ts.map((x) => x.listening)), cards: median(ts.map((x) => x.cards)) };
};
console.log(`\nload average at the end ${load()}\n`);
console.log(`| data directory (demo, ${values.cases} cases) | API listening after | cards served after |`);
console.log('| --- | --- | --- |');
for (const v of VARIANTS) {
  const s = summary(v.name);
  console.log(`| ${v.label} | ${s.listening.toFixed(1)} s | ${s.cards.toFixed(1)} s |`);
}
const now = summary('template');
const before = summary('no template');
const runs = Number(values.repeat) > 1 ? ` (median of ${values.repeat})` : '';
printGoal({
  goal: `first start (fresh data dir → dashboard with data) ≤ ${GOAL_SECONDS} s`,
  figure: `${now.cards.toFixed(1)} s${runs} (listening after ${now.listening.toFixed(1)} s)`,
  comparison: `without the template: ${before.cards.toFixed(1)} s (listening after ${before.listening.toFixed(1)} s)`,
  met: now.cards <= GOAL_SECONDS,
});
