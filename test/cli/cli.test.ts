import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
});
