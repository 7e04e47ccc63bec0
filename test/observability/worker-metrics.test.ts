import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createTestDatabase } from '../support/databases.js';
import { sparePort } from '../support/own-postgres.js';
import { strictSimulator } from '../support/sim-config.js';
import { exited, startT5g, until, workerEnv } from '../support/t5g-process.js';

const METRICS_TOKEN = 'worker-metrics-token-0123456789';

// A `t5g worker` has no web app; with WORKER_METRICS_PORT its own job and upstream counters are
// scraped from it, behind the metrics token.
describe('t5g worker with WORKER_METRICS_PORT', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 60, seed: 8, smtpPort: 0 });
    db = await createTestDatabase('worker_metrics');
  });
  afterAll(async () => {
    await db?.drop();
    await sim?.close();
  });

  it('refuses the port without METRICS_TOKEN, naming the variable', () => {
    expect(() =>
      loadConfig({ env: { DATA_DIR: 'memory://', WORKER_METRICS_PORT: '9464' }, dotEnv: false }),
    ).toThrow(/METRICS_TOKEN.*WORKER_METRICS_PORT/);
  });

  it('serves the counts of the jobs it ran and the upstream calls they made', async () => {
    const port = await sparePort();
    const url = `http://127.0.0.1:${port}/metrics`;
    const worker = startT5g(
      'worker',
      workerEnv(sim, db.url, {
        LOG_LEVEL: 'warn',
        WORKER_METRICS_PORT: String(port),
        METRICS_TOKEN,
      }),
    );
    try {
      const scrape = () => fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      // The worker's start-up sync runs every job once.
      await until(
        'the start-up sync to be counted',
        // A worker that exited ends the wait; the assertions below then show its output.
        async () =>
          worker.child.exitCode !== null ||
          /t5g_job_runs_total\{job="refresh-all",status="succeeded"\} 1/.test(await (await scrape()).text()),
        120_000,
      );
      expect(worker.child.exitCode, worker.output()).toBeNull();
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(
        401,
      );
      const text = await (await scrape()).text();
      expect(text).toMatch(/t5g_job_runs_total\{job="cases",status="succeeded"\} [1-9]/);
      expect(text).toMatch(
        /t5g_upstream_requests_total\{upstream="portal",method="GET",outcome="200"\} [1-9]/,
      );
      // Read from the store on scrape and reused for a few seconds: the next read after the sync has it.
      await until(
        'the last success to be read',
        async () =>
          /t5g_job_last_success_timestamp_seconds\{job="cases"\} [1-9]/.test(await (await scrape()).text()),
        30_000,
      );
    } finally {
      worker.child.kill('SIGTERM');
      expect(await exited(worker.child), worker.output()).toBe(0);
    }
  }, 180_000);
});
