// Freshness benchmark: from a change in the simulated JIRA to the change event reaching an SSE
// client of t5g, over 50 changes (a card's status each), in two set-ups side by side:
//   webhooks      the simulator POSTs its signed JIRA webhooks to t5g's receiver
//   polling only  no webhooks; the cards job is queued every --poll-seconds (as a short schedule
//                 would), each run an ordinary incremental pass through the sync engine
// Everything runs in this process on 127.0.0.1: the simulator, the store (PGlite in memory, or a
// scratch PostgreSQL database), the sync engine and the HTTP app with its event stream. Bounded:
// every change gives up after --timeout-seconds.
//
//   npm run bench:freshness -- [--changes 50] [--poll-seconds 5] [--backend pglite|postgres]
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { type RunningSimulator, startSimulator } from '@t5g/simulators';
import { buildApp } from '../src/api/app.js';
import { withSimulatorUpstreams } from '../src/cli/demo.js';
import { loadConfig } from '../src/config/config.js';
import { silentLogger } from '../src/lib/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { openStore } from '../src/store/store.js';
import { createSyncEngine, waitForRun } from '../src/sync/index.js';
import { printGoal } from './goal.js';
import '../src/sync/helpers/upstreams.js';
import { createTestDatabase } from '../test/support/databases.js';

export interface FreshnessOptions {
  changes: number;
  pollSeconds: number;
  backend: 'pglite' | 'postgres';
  timeoutSeconds: number;
}

export interface FreshnessResult {
  mode: 'webhooks' | 'polling only';
  /** Milliseconds from the change to its SSE event, per change (Infinity: not seen in time). */
  latenciesMs: number[];
  p50: number;
  p99: number;
  missed: number;
}

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'bench-freshness-webhook-secret';
const STATUSES = ['Open', 'In Progress', 'Code Review', 'QE Review', 'Blocked'];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

/** One SSE client on the card stream: when each key was first named after `since`. */
function followCards(base: string) {
  const controller = new AbortController();
  const seen = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const ready = fetch(`${base}/api/v1/events?entities=card`, { signal: controller.signal }).then((res) => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split('\n').find((l) => l.startsWith('data: '));
            if (data) {
              const at = Date.now();
              const event = JSON.parse(data.slice(6)) as { keys: string[] | null };
              for (const key of event.keys ?? []) {
                if (!seen.has(key)) seen.set(key, at);
                waiters.get(key)?.();
              }
            }
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Aborted at the end.
      }
    })();
  });
  return {
    ready,
    /** Resolves with the arrival time of the first event naming `key`, or Infinity after `timeoutMs`. */
    waitFor(key: string, timeoutMs: number): Promise<number> {
      seen.delete(key);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          resolve(Number.POSITIVE_INFINITY);
        }, timeoutMs);
        waiters.set(key, () => {
          clearTimeout(timer);
          waiters.delete(key);
          resolve(seen.get(key) ?? Date.now());
        });
      });
    },
    close: () => controller.abort(),
  };
}

async function measure(mode: FreshnessResult['mode'], opts: FreshnessOptions): Promise<FreshnessResult> {
  const sim: RunningSimulator = await startSimulator({ port: 0, cases: 300, seed: 13 });
  const db = opts.backend === 'postgres' ? await createTestDatabase('bench_freshness', ADMIN_URL) : undefined;
  const base = loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      AUTH_MODE: 'none',
      AUTH_ALLOW_NONE: 'true',
      JIRA_WEBHOOK_SECRET: SECRET,
      ...(db ? { DATABASE_URL: db.url } : {}),
    },
    dotEnv: false,
  });
  const config = withSimulatorUpstreams(base, sim);
  const metrics = createMetrics({ defaultMetrics: false });
  const store = await openStore(config.storage, { logger: silentLogger, metrics });
  const sync = createSyncEngine({
    store,
    config,
    logger: silentLogger,
    role: { work: true, schedule: false },
  });
  await sync.start();
  const app = await buildApp({ config, store, metrics, logger: silentLogger, sync });
  let poller: NodeJS.Timeout | undefined;
  let stream: ReturnType<typeof followCards> | undefined;
  try {
    const initial = await sync.refreshAll({ trigger: 'startup' });
    const run = await waitForRun(store, initial.id);
    if (run.status !== 'succeeded') throw new Error(`initial sync ended ${run.status}: ${run.error}`);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    if (mode === 'webhooks') sim.webhooks.configure({ url: `${url}/api/v1/webhooks/jira`, secret: SECRET });
    else
      poller = setInterval(() => {
        void sync.refresh('cards').catch(() => undefined);
      }, opts.pollSeconds * 1000);
    stream = followCards(url);
    await stream.ready;

    const cards = sim.state
      .cards()
      .filter((c) => c.labels.includes(config.jira.cardLabel) && c.projectKey === config.jira.project)
      .slice(0, opts.changes);
    if (cards.length < opts.changes) throw new Error(`only ${cards.length} team cards to change`);
    const timeoutMs = opts.timeoutSeconds * 1000;
    // Webhooks: one change after the other's event. Polling: one change a second, so each pass
    // (every --poll-seconds) picks up a few, and each waits for the next pass as a real one would.
    const one = async (card: (typeof cards)[number], i: number): Promise<number> => {
      if (mode === 'polling only') await new Promise((r) => setTimeout(r, i * 1000));
      const status = STATUSES.find((s) => s !== card.status) as string;
      const arrived = stream!.waitFor(card.key, timeoutMs);
      const started = Date.now();
      const res = await fetch(`${sim.url}/_sim/mutate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ setCardStatus: { key: card.key, status } }),
      });
      if (!res.ok) throw new Error(`mutate ${card.key}: ${res.status} ${await res.text()}`);
      return (await arrived) - started;
    };
    let latenciesMs: number[] = [];
    if (mode === 'webhooks') for (const [i, card] of cards.entries()) latenciesMs.push(await one(card, i));
    else latenciesMs = await Promise.all(cards.map(one));
    const sorted = [...latenciesMs].sort((a, b) => a - b);
    return {
      mode,
      latenciesMs,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      missed: latenciesMs.filter((ms) => !Number.isFinite(ms)).length,
    };
  } finally {
    if (poller) clearInterval(poller);
    stream?.close();
    await app.close();
    await sync.stop();
    await store.close();
    await db?.drop();
    await sim.close();
  }
}

/** Runs both set-ups and prints them side by side; returns the figures for a runner. */
export async function main(partial: Partial<FreshnessOptions> = {}): Promise<FreshnessResult[]> {
  const opts: FreshnessOptions = {
    changes: 50,
    pollSeconds: 5,
    backend: 'pglite',
    timeoutSeconds: 30,
    ...partial,
  };
  const results = [await measure('webhooks', opts), await measure('polling only', opts)];
  const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'missed');
  console.log(
    `\nFreshness (${opts.backend}, ${opts.changes} card changes, ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}): ` +
      'simulator change → change event on an SSE client',
  );
  console.log('| set-up | p50 | p99 | max | missed | goal |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const goal = r.mode === 'webhooks' ? 'p99 ≤ 5 s' : `p99 ≤ poll interval (${opts.pollSeconds} s) + 2 s`;
    const limit = r.mode === 'webhooks' ? 5_000 : (opts.pollSeconds + 2) * 1000;
    console.log(
      `| ${r.mode} | ${s(r.p50)} | ${s(r.p99)} | ${s(Math.max(...r.latenciesMs))} | ${r.missed} | ${goal}: ${r.p99 <= limit ? 'met' : 'NOT met'} |`,
    );
  }
  const [hooks, polling] = results as [FreshnessResult, FreshnessResult];
  for (const r of results) {
    const limit = r.mode === 'webhooks' ? 5_000 : (opts.pollSeconds + 2) * 1000;
    const other = r === hooks ? polling : hooks;
    printGoal({
      goal: `freshness, ${opts.backend}, ${r.mode}: simulator change → SSE event, p99 ${r.mode === 'webhooks' ? '≤ 5 s' : `≤ poll interval (${opts.pollSeconds} s) + 2 s`}`,
      figure: `p50 ${s(r.p50)}, p99 ${s(r.p99)}, ${r.missed} missed of ${opts.changes}`,
      comparison: `${other.mode}, same run: p50 ${s(other.p50)}, p99 ${s(other.p99)}`,
      met: r.missed === 0 && r.p99 <= limit,
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      changes: { type: 'string', default: '50' },
      'poll-seconds': { type: 'string', default: '5' },
      backend: { type: 'string', default: 'pglite' },
      'timeout-seconds': { type: 'string', default: '30' },
    },
  });
  const backend = values.backend === 'postgres' ? 'postgres' : 'pglite';
  main({
    changes: Number(values.changes),
    pollSeconds: Number(values['poll-seconds']),
    backend,
    timeoutSeconds: Number(values['timeout-seconds']),
  })
    .then(() => process.exit(0))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
