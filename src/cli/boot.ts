import { type Config, loadConfig } from '../config/config.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { VERSION } from '../lib/version.js';
import { type CoreMetrics, createMetrics } from '../observability/metrics.js';
import { openStore, type Store } from '../store/store.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  metrics: CoreMetrics;
  store: Store;
}

/** Config → logger → metrics → storage (waits for PostgreSQL, migrates). Shared by every long-running command. */
export async function boot(component: string, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const config = loadConfig();
  const logger = createLogger(config.server.logLevel).child({ component });
  const metrics = createMetrics();
  if (config.readOnly)
    logger.info('READ_ONLY is on: no writes to JIRA, the Portal, Bugzilla, Slack or e-mail');
  const store = await openStore(config.storage, { logger, metrics, migrate: opts.migrate ?? true });
  metrics.info.set({ version: VERSION, database: store.db.kind, cache: store.cache.backend }, 1);
  return { config, logger, metrics, store };
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}
