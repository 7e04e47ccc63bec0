import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The short subset of `npm run chaos` that runs with the suite: the real script, its own PostgreSQL
// and Redis, the simulator and real `t5g web` + `t5g worker` processes, with two quick scenarios —
// fuzzed upstream records (every one stored or quarantined, no crash) and READ_ONLY across a full run
// (no upstream write, the database equal to the clean reference). The full run is `npm run chaos`.

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('npm run chaos (quick subset)', () => {
  it('fuzz and read-only scenarios pass against real processes', { timeout: 240_000 }, async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'chaos/chaos.ts',
        '--scenarios',
        'fuzz,read-only',
        '--cases',
        '30',
        '--fuzz',
        '500',
        '--no-report',
      ],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code, output).toBe(0);
    expect(output).toMatch(/scenario fuzz[\s\S]*OK: 0 rows lost, 0 duplicated/);
    expect(output).toMatch(
      /scenario read-only[\s\S]*OK: 0 rows lost, 0 duplicated; \d+ upstream requests, 0 writes/,
    );
    expect(output).toContain('2/2 scenarios passed');
  });
});
