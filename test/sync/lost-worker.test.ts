import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { getRun } from '../../src/store/repositories/sync-runs.js';
import { openStore, type Store } from '../../src/store/store.js';
import { queueName } from '../../src/sync/engine/boss.js';
import { HANDED_BACK } from '../../src/sync/engine/runner.js';
import { createSyncEngine, type JobDefinition, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { openTestStore, storageConfig, type TestStore } from '../support/backends.js';
import { finished, syncConfig } from './support.js';

// How soon another worker takes over a run whose worker went away, with the product's own retry
// policy and polling (no test tuning): a SIGKILLed worker's run is retried within seconds of its
// heartbeat going missing, not after the retry delay on top; a worker that shuts down while a
// handler has not yet noticed the abort still hands that run back at once.

const WORKER = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));

describe('a run whose worker goes away, with the product defaults (PostgreSQL)', () => {
  let t: TestStore;
  let secondStore: Store;
  const engines: SyncEngine[] = [];
  const executions: string[] = [];

  beforeAll(async () => {
    t = await openTestStore('postgres', 'sync_lost_worker');
    secondStore = await openStore(storageConfig({ DATABASE_URL: t.databaseUrl! }), { logger: silentLogger });
  });
  afterAll(async () => {
    for (const e of engines) await e.stop().catch(() => undefined);
    await secondStore?.close();
    await t?.close();
  });

  it('SIGKILL: the run is retried by another worker within 35 s of the kill (was: heartbeat, then the retry delay, over a minute)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, t.databaseUrl!, 'defaults'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const runId = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /RUNNING (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const killedAt = Date.now();

    const engine = createSyncEngine({
      store: t.store,
      config: syncConfig(t.databaseUrl),
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: new JobRegistry([
        {
          name: 'stuck',
          title: 'Finishes this time',
          refresh: 'single',
          handler: async (ctx) => {
            executions.push(ctx.runId);
            return { fetched: 3 };
          },
        },
      ]),
    });
    engines.push(engine);
    await engine.start();

    const run = await finished(t.store, runId, 60_000);
    const seconds = (Date.now() - killedAt) / 1000;
    expect(run).toMatchObject({ id: runId, status: 'succeeded', fetched: 3 });
    expect(executions).toEqual([runId]);
    expect(seconds).toBeLessThan(35);
  }, 90_000);

  it('shutdown while a handler ignores the abort: the run is handed back and the next worker takes it at once', async () => {
    let release: () => void = () => undefined;
    const stubborn = (worker: string, done: string[]): JobDefinition => ({
      name: 'stubborn',
      title: 'Finishes its write before it looks at the signal',
      refresh: 'single',
      handler: async () => {
        done.push(`${worker}:start`);
        if (worker === 'a') {
          // Deaf to the abort until the test lets go, long after the first worker stopped.
          await new Promise<void>((r) => {
            release = r;
          });
          throw new Error('gave up late');
        }
        done.push(`${worker}:done`);
        return { fetched: 1 };
      },
    });
    const events: string[] = [];
    const make = (worker: 'a' | 'b', store: Store) =>
      createSyncEngine({
        store,
        config: syncConfig(t.databaseUrl),
        logger: silentLogger,
        role: { work: true, schedule: false },
        registry: new JobRegistry([stubborn(worker, events)]),
        stopTimeoutMs: 500,
      });
    const a = make('a', secondStore);
    await a.start();
    const { runId } = await a.refresh('stubborn');
    await expect.poll(() => events, { timeout: 20_000 }).toContain('a:start');
    await a.stop();

    const [job] = await t.store.db
      .query<{ state: string; runnable: boolean }>(
        `SELECT state, start_after <= now() AS runnable FROM pgboss.job WHERE name = $1 AND id = $2`,
        [queueName('stubborn'), runId],
      )
      .then((r) => r.rows);
    expect(job).toMatchObject({ runnable: true });
    expect(['created', 'retry']).toContain(job!.state);
    expect(await getRun(t.store.db, runId)).toMatchObject({ status: 'retrying', error: HANDED_BACK });

    const b = make('b', t.store);
    engines.push(b);
    const startedAt = Date.now();
    await b.start();
    const run = await finished(t.store, runId, 60_000);
    release();
    expect(run).toMatchObject({ status: 'succeeded', fetched: 1 });
    expect(events).toEqual(['a:start', 'b:start', 'b:done']);
    expect((Date.now() - startedAt) / 1000).toBeLessThan(15);
  }, 90_000);
});
