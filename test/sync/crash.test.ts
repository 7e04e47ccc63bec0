import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { getRun } from '../../src/store/repositories/sync-runs.js';
import { createSyncEngine, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { FAST_TUNING, finished, recordingSink, syncConfig } from './support.js';

// A worker SIGKILLed in the middle of a run: nothing records the end of that attempt, but its
// heartbeat stops, pg-boss fails the attempt, and another worker retries the same run to success.

const WORKER = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));

describe('a worker killed mid-run', () => {
  let t: TestStore;
  let engine: SyncEngine | undefined;
  const executions: string[] = [];
  const { alerts, sink } = recordingSink();

  beforeAll(async () => {
    t = await openTestStore('postgres', 'sync_crash');
  });
  afterAll(async () => {
    await engine?.stop();
    await t?.close();
  });

  it('gets its run retried by another worker, under the same run id', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, t.databaseUrl!], {
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
    expect((await getRun(t.store.db, runId))?.status).toBe('running');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    engine = createSyncEngine({
      store: t.store,
      config: syncConfig(t.databaseUrl),
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: new JobRegistry([
        {
          name: 'stuck',
          title: 'Finishes this time',
          refresh: 'single',
          retry: { limit: 2, delaySeconds: 1, backoff: false },
          handler: async (ctx) => {
            executions.push(ctx.runId);
            return { fetched: 7 };
          },
        },
      ]),
      alerts: sink,
      tuning: FAST_TUNING,
    });
    await engine.start();

    const run = await finished(t.store, runId, 40_000);
    expect(run).toMatchObject({ id: runId, status: 'succeeded', fetched: 7, error: null });
    expect(executions).toEqual([runId]);
    expect(alerts).toEqual([]);
  }, 60_000);
});
