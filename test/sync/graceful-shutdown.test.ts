import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_SOURCES } from '../../src/shared/vocabulary.js';
import { HANDED_BACK } from '../../src/sync/engine/runner.js';
import { createTestDatabase } from '../support/databases.js';
import { sparePort } from '../support/own-postgres.js';
import { simControl, strictSimulator } from '../support/sim-config.js';
import { exited, query, startT5g, until, workerEnv } from '../support/t5g-process.js';

// SIGTERM to a real `t5g worker` in the middle of a sync: it stops taking jobs, gives the running
// ones SHUTDOWN_TIMEOUT_SECONDS, hands what is still running back to the queue, closes its pools
// and exits 0; the next worker finishes every run, so no job is lost.

describe('SIGTERM during a sync (PostgreSQL)', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    sim = await strictSimulator({ cases: 300, seed: 5 });
    // A slow Portal keeps the details job running for seconds, so the signal lands mid-run.
    await simControl(sim, 'faults', { method: 'PUT', body: { portal: { latencyMs: 150 } } });
    db = await createTestDatabase('graceful_shutdown');
  });
  afterAll(async () => {
    await sim?.close();
    await db?.drop();
  });

  it('hands the running jobs back to the queue, exits 0, and the next worker finishes them all', {
    timeout: 240_000,
  }, async () => {
    const first = startT5g('worker', workerEnv(sim, db.url, { SHUTDOWN_TIMEOUT_SECONDS: '1' }));
    await until(
      'the details job to be running',
      async () => {
        const [row] = await query<{ n: number }>(
          db.url,
          `SELECT count(*)::int AS n FROM sync_runs WHERE job = 'details' AND status = 'running'`,
        );
        return (row?.n ?? 0) > 0;
      },
      90_000,
    );
    first.child.kill('SIGTERM');
    expect(await exited(first.child), first.output()).toBe(0);
    expect(first.output()).toContain('shut down cleanly');

    // What was running is open and back in the queue, runnable now: not failed, not waiting out a backoff.
    const handedBack = await query<{ id: string; job: string; state: string; runnable: boolean }>(
      db.url,
      `SELECT r.id, r.job, j.state, j.start_after <= now() AS runnable
       FROM sync_runs r JOIN pgboss.job j ON j.id = r.id
       WHERE r.error = '${HANDED_BACK}'`,
    );
    expect(handedBack.map((r) => r.job)).toContain('details');
    for (const r of handedBack) {
      expect(['created', 'retry'], r.job).toContain(r.state);
      expect(r.runnable, r.job).toBe(true);
    }
    const runs = await query<{ status: string }>(db.url, 'SELECT status FROM sync_runs');
    expect(runs.some((r) => r.status === 'failed')).toBe(false);

    const second = startT5g('worker', workerEnv(sim, db.url, {}));
    try {
      await until(
        'every job to have succeeded on the next worker',
        async () => {
          const rows = await query<{ job: string; ok: boolean; busy: boolean }>(
            db.url,
            `SELECT job, bool_or(status = 'succeeded') AS ok,
                    bool_or(status IN ('queued', 'running', 'retrying')) AS busy
             FROM sync_runs GROUP BY job`,
          );
          const byJob = new Map(rows.map((r) => [r.job, r]));
          return SYNCED_SOURCES.every((j) => byJob.get(j)?.ok && !byJob.get(j)?.busy);
        },
        180_000,
      );
    } finally {
      second.child.kill('SIGTERM');
      expect(await exited(second.child), second.output()).toBe(0);
    }
    // The very runs that were handed back finished, and nothing failed.
    const after = await query<{ id: string; status: string }>(
      db.url,
      `SELECT id, status FROM sync_runs WHERE id IN (${handedBack.map((r) => `'${r.id}'`).join(',')})`,
    );
    expect(after.map((r) => r.status)).toEqual(handedBack.map(() => 'succeeded'));
    const failed = await query(db.url, `SELECT job, error FROM sync_runs WHERE status = 'failed'`);
    expect(failed).toEqual([]);
  });
});

describe('SIGTERM to the web app (t5g start, PGlite demo)', () => {
  it('ends open event streams, stops accepting connections and exits 0', {
    timeout: 120_000,
  }, async () => {
    const port = await sparePort();
    const base = `http://127.0.0.1:${port}`;
    const { child, output } = startT5g('start', {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      DEMO_CASES: '20',
      // The demo's first sync may still run: its jobs get 2 s, then go back to the queue.
      SHUTDOWN_TIMEOUT_SECONDS: '2',
    });
    try {
      await until('the app to listen', async () => (await fetch(`${base}/healthz`)).ok, 90_000);
      // An open event stream, read until it ends.
      const stream = await fetch(`${base}/api/v1/events`);
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      await reader.read();
      const ended = (async () => {
        for (;;) if ((await reader.read()).done) return true;
      })();

      child.kill('SIGTERM');
      expect(await ended).toBe(true);
      expect(await exited(child), output()).toBe(0);
      expect(output()).toContain('shut down cleanly');
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
