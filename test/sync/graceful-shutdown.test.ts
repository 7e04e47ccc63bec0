import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type RunningSimulator, SIM_DEFAULTS, startSimulator } from '@t5g/simulators';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNCED_SOURCES } from '../../src/shared/vocabulary.js';
import { HANDED_BACK } from '../../src/sync/engine/runner.js';
import { createTestDatabase } from '../support/databases.js';
import { WITHOUT_SIGN_IN } from '../support/env.js';
import { sparePort } from '../support/own-postgres.js';
import { simControl } from '../support/sim-config.js';

// SIGTERM to a real `t5g worker` in the middle of a sync: it stops taking jobs, gives the running
// ones SHUTDOWN_TIMEOUT_SECONDS, hands what is still running back to the queue, closes its pools
// and exits 0; the next worker finishes every run, so no job is lost.

const ROOT = path.resolve(import.meta.dirname, '../..');

function workerEnv(sim: RunningSimulator, databaseUrl: string, env: Record<string, string>) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    PORTAL_API_URL: `${sim.url}/portal/hydra/rest`,
    PORTAL_SSO_TOKEN_URL: `${sim.url}/sso/auth/realms/redhat-external/protocol/openid-connect/token`,
    PORTAL_OFFLINE_TOKEN: 'offline',
    PORTAL_CASE_QUERY: SIM_DEFAULTS.caseQuery,
    JIRA_URL: `${sim.url}/jira`,
    JIRA_USER: 'worker@example.com',
    JIRA_TOKEN: 'token',
    JIRA_PROJECT: SIM_DEFAULTS.jiraProject,
    JIRA_BOARD: SIM_DEFAULTS.boardName,
    JIRA_CARD_LABEL: SIM_DEFAULTS.cardLabel,
    JIRA_ESCALATIONS_PROJECT: SIM_DEFAULTS.escalationsProject,
    JIRA_ESCALATIONS_LABEL: SIM_DEFAULTS.escalationsLabel,
    BUGZILLA_URL: `${sim.url}/bugzilla`,
    BUGZILLA_API_KEY: 'key',
    ...WITHOUT_SIGN_IN,
    ...env,
  };
}

/** The real `t5g` command (bin/t5g.js) with an explicit environment, its output collected. */
function startT5g(command: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/t5g.js'), command], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { child, output: () => output };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function query<T>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Errors count as "not yet": the worker may still be migrating the empty database.
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('SIGTERM during a sync (PostgreSQL)', () => {
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, cases: 300, seed: 5 });
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
