import { loadConfig } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { writeTemplate } from '../store/pglite-template.js';
import { openStore } from '../store/store.js';
import { createBoss } from '../sync/engine/boss.js';
import { ensureUiBuilt } from './ui-build.js';

/** Does to `dataDir` what a first start does before it serves: migrations and the job queue's schema. */
export async function initialiseDataDir(dataDir: string, logger: Logger): Promise<void> {
  const config = loadConfig({ env: { DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, dotEnv: false });
  const store = await openStore(config.storage, { logger, metrics: createMetrics() });
  try {
    const boss = createBoss(store, config, logger);
    await boss.start();
    await boss.stop({ graceful: false });
  } finally {
    await store.close();
  }
}

/**
 * What `npm ci` runs in a development checkout (the `prepare` script): builds the dashboard UI and
 * the initialised PGlite template, so that the first `npm start` does neither.
 */
export async function prepareAheadOfStart(logger: Logger, templateDir?: string): Promise<void> {
  await ensureUiBuilt(logger);
  await writeTemplate((dir) => initialiseDataDir(dir, logger), templateDir);
}
