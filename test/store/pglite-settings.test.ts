import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { TEMPLATE_DIR, templateStamp } from '../../src/store/pglite-template.js';
import { openStore } from '../../src/store/store.js';

// PGlite's settings from the environment: shared_buffers (they live in its WebAssembly memory, so
// they count in full in the process's RSS) and whether a new data directory comes from the template.

const open = (dataDir: string, env: Record<string, string>, logger = silentLogger) =>
  openStore(loadConfig({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }, dotEnv: false }).storage, {
    logger,
    metrics: createMetrics(),
  });

/** A debug logger whose messages are kept. */
function recordingLogger() {
  const messages: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        messages.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), messages };
}

describe('PGlite settings', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 't5g-pglite-settings-'));
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('runs with PGLITE_SHARED_BUFFERS_MB (32 MB by default), whatever the data directory says', async () => {
    const dataDir = path.join(root, 'buffers');
    for (const [env, expected] of [
      [{}, '32MB'],
      [{ PGLITE_SHARED_BUFFERS_MB: '64' }, '64MB'],
    ] as const) {
      const store = await open(dataDir, env);
      try {
        const r = await store.db.query<{ v: string }>("SELECT current_setting('shared_buffers') AS v");
        expect(r.rows[0]!.v).toBe(expected);
      } finally {
        await store.close();
      }
    }
  }, 120_000);

  it('PGLITE_TEMPLATE=false initialises a new data directory itself, with every migration', async () => {
    const { logger, messages } = recordingLogger();
    const store = await open(path.join(root, 'scratch'), { PGLITE_TEMPLATE: 'false' }, logger);
    try {
      expect(messages).not.toContain('PGlite data directory copied from the template');
      const r = await store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('cases', 'cards')",
      );
      expect(r.rows[0]!.n).toBe(2);
    } finally {
      await store.close();
    }
    // With the template current (npm ci builds it), the default copies it.
    const stamp = await readFile(path.join(TEMPLATE_DIR, 'stamp'), 'utf8').catch(() => undefined);
    if (stamp !== (await templateStamp())) return;
    const copied = recordingLogger();
    const seeded = await open(path.join(root, 'seeded'), {}, copied.logger);
    await seeded.close();
    expect(copied.messages).toContain('PGlite data directory copied from the template');
  }, 180_000);
});
