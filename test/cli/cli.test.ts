import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { openDatabase } from '../../src/store/db.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the real `t5g` command (bin/t5g.js) with a clean, explicit environment. */
function t5g(args: string[], env: Record<string, string>, cwd = ROOT) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/t5g.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('t5g command', () => {
  it('stops on invalid config with a non-zero exit naming each bad variable', async () => {
    const r = await t5g(['migrate'], { PORT: 'abc', REDIS_URL: 'http://nope' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PORT: expected a whole number/);
    expect(r.stderr).toMatch(/REDIS_URL: expected a redis:\/\//);
  });

  it('migrates an empty data directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-cli-'));
    try {
      const r = await t5g(['migrate'], { DATA_DIR: dir, LOG_LEVEL: 'info' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('migrations applied');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to open a data directory another process holds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-cli-'));
    const holder = await openDatabase({ dataDir: dir, logger: silentLogger });
    try {
      const r = await t5g(['migrate'], { DATA_DIR: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use by another t5g process \(pid \d+/);
      expect(r.stderr).toMatch(/DATABASE_URL/);
    } finally {
      await holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints usage for an unknown command', async () => {
    const r = await t5g(['frobnicate'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('rejects an unknown worker or scheduler option with exit code 2 before touching storage', async () => {
    const worker = await t5g(['worker', '--frobnicate'], { DATA_DIR: '/nonexistent/t5g' });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('t5g worker: unknown option --frobnicate');
    // Only workers take --no-schedule: a scheduler without schedules would do nothing.
    const scheduler = await t5g(['scheduler', '--no-schedule'], { DATA_DIR: '/nonexistent/t5g' });
    expect(scheduler.code).toBe(2);
    expect(scheduler.stderr).toContain('t5g scheduler: unknown option --no-schedule');
  });

  it('rejects a bad simulate flag with the usage and exit code 2, not a stack trace', async () => {
    const r = await t5g(['simulate', '--port', 'x'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('t5g simulate: --port needs a non-negative integer');
    expect(r.stderr).toContain('Usage: t5g simulate');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers --help, -h and help <command> with usage and exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await t5g(args, {});
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: t5g <command>/);
      expect(r.stdout).toContain('sprint-summary [sprint]');
    }
    const runs = ['start', 'web', 'worker', 'migrate', 'sprint-summary', 'closed-cases', 'watchers'].map(
      (name) => [name, [name, '--help']] as const,
    );
    for (const [name, args] of [...runs, ['watchers', ['help', 'watchers']] as const]) {
      const r = await t5g([...args], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: t5g ${name}`));
    }
    const simulate = await t5g(['simulate', '--help'], {});
    expect(simulate.code).toBe(0);
    expect(simulate.stdout).toContain('Usage: t5g simulate');
  });

  it('says in one line, at once, that the web port is taken', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-cli-'));
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = await t5g(['start'], { DATA_DIR: dir, HOST: '127.0.0.1', PORT: String(port) });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `t5g: port ${port} on 127.0.0.1 is already in use; stop what listens there or set PORT to another port`,
      );
      // Refused before start-up: the data directory was never opened.
      expect(existsSync(path.join(dir, 't5g.lock'))).toBe(false);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs sprint-summary and watchers on the demo simulators in demo mode, errors in one line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-cli-'));
    try {
      const summary = await t5g(['sprint-summary'], { DATA_DIR: dir, DEMO_CASES: '50' });
      expect(summary.code).toBe(0);
      expect(summary.stdout).toMatch(/^Cards done in \S.* \d+\n/);
      expect(summary.stderr).toContain('demo mode');
      const missing = await t5g(['watchers', 'list', '99999999'], { DATA_DIR: dir, DEMO_CASES: '50' });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^t5g: demo mode.*\nt5g: portal GET .* HTTP 404/);
      expect(missing.stderr).not.toMatch(/\n\s+at /);
      const bad = await t5g(['watchers', 'list', 'x'], {});
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('t5g watchers: Usage: t5g watchers list <case>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
