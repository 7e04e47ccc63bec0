import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIRROR_KEYS } from '../../src/shared/vocabulary.js';
import { createTestDatabase } from '../support/databases.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { legacyLayout, writeLayout } from '../support/legacy-layout.js';

// `t5g import`, `t5g mirror --once` and `t5g check-setup` as a user runs them (bin/t5g.js).

const ROOT = path.resolve(import.meta.dirname, '../..');
const DB = 15;
/** Every key of the original's layout: what these tests write and remove. */
const KEYS = MIRROR_KEYS;

function t5g(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/t5g.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('mirror commands', () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let redis: Redis;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 't5g-mirror-cli-'));
    db = await createTestDatabase('mirror_cli');
    redis = new Redis(`${TEST_REDIS_URL}/${DB}`);
  });
  afterAll(async () => {
    await redis?.del(...KEYS);
    redis?.disconnect();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a fake-data file, and says what is wrong with a bad one', async () => {
    const file = path.join(dir, 'fake_data.json');
    // The original's fake data has only these four keys.
    const { cases, cards, bugs, issues } = legacyLayout(10, { partial: [2] });
    writeFileSync(file, JSON.stringify({ cases, cards, bugs, issues }));
    const r = await t5g(['import', file], { DATA_DIR: 'memory://' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cards\s+10 records\s+10 written/m);
    expect(r.stdout).toMatch(/^stats\s+0 records/m);

    writeFileSync(file, '[1, 2]');
    const bad = await t5g(['import', file], { DATA_DIR: 'memory://' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/keyed like the original Redis/);
  });

  it('mirror --once, then check-setup reports both ends', async () => {
    await writeLayout(redis, legacyLayout(15));
    const env = {
      DATABASE_URL: db.url,
      REDIS_MIRROR_URL: `${TEST_REDIS_URL}/${DB}`,
      REDIS_MIRROR_CONFIG_SET: 'false',
    };
    const once = await t5g(['mirror', '--once'], env);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/^cards\s+15 records\s+15 written/m);
    const again = await t5g(['mirror', '--once'], env);
    expect(again.stdout).toMatch(/^cards\s+15 records\s+0 written/m);

    const check = await t5g(['check-setup'], env);
    expect(check.stdout).toMatch(/^ok\s+redis\s+connected/m);
    expect(check.stdout).toMatch(/^ok\s+database permissions/m);
    expect(check.stdout).toMatch(/keyspace notifications/);

    const none = await t5g(['mirror', '--once'], { DATA_DIR: 'memory://' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/REDIS_MIRROR_URL is not set/);
  }, 60_000);
});
