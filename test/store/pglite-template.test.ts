import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialiseDataDir } from '../../src/cli/prepare.js';
import { loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { PACKAGE_ROOT } from '../../src/lib/paths.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { seedFromTemplate, writeTemplate } from '../../src/store/pglite-template.js';
import { openStore } from '../../src/store/store.js';

// A first start on PGlite copies an initialised data directory built by `npm ci` instead of
// running initdb and every migration; one built from other migrations must never be used.

describe('the PGlite template', () => {
  let root: string;
  let template: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 't5g-template-'));
    template = path.join(root, 'template');
    await writeTemplate((dir) => initialiseDataDir(dir, silentLogger), template);
  }, 120_000);
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('seeds a new data directory that opens with every migration applied and the job queue in place', async () => {
    const dataDir = path.join(root, 'data');
    expect(await seedFromTemplate(path.join(dataDir, 'pglite'), silentLogger, template)).toBe(true);
    const config = loadConfig({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, dotEnv: false });
    const store = await openStore(config.storage, { logger: silentLogger, metrics: createMetrics() });
    try {
      const tables = await store.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('cases', 'cards', 'saml_requests') OR table_schema = 'pgboss'",
      );
      expect(tables.rows[0]!.n).toBeGreaterThan(3);
      const journal = JSON.parse(
        await readFile(path.join(PACKAGE_ROOT, 'drizzle/meta/_journal.json'), 'utf8'),
      );
      const applied = await store.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations',
      );
      expect(applied.rows[0]!.n).toBe(journal.entries.length);
    } finally {
      await store.close();
    }
    // An existing directory is never overwritten.
    expect(await seedFromTemplate(path.join(dataDir, 'pglite'), silentLogger, template)).toBe(false);
  }, 60_000);

  it('is ignored when it was built from other migrations or versions', async () => {
    await writeFile(path.join(template, 'stamp'), 'built-from-older-migrations');
    const target = path.join(root, 'other', 'pglite');
    expect(await seedFromTemplate(target, silentLogger, template)).toBe(false);
    expect(existsSync(target)).toBe(false);
    // The next prepare rebuilds it.
    await writeTemplate((dir) => initialiseDataDir(dir, silentLogger), template);
    expect(await seedFromTemplate(target, silentLogger, template)).toBe(true);
  }, 60_000);
});
