import type { RunningSimulator, StatsHistoryDay } from '@t5g/simulators';
import { type Config, loadConfig } from '../config/config.js';
import { limitHeapGrowth } from '../lib/heap.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { VERSION } from '../lib/version.js';
import { type CoreMetrics, createMetrics } from '../observability/metrics.js';
import { openStore, type Store } from '../store/store.js';
import { backfillDemoHistory, startDemoUpstreams } from './demo.js';
import { assertPortFree } from './port.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  metrics: CoreMetrics;
  store: Store;
  /** Demo mode: the in-process simulators (their JIRA webhooks are pointed at the app once it listens). */
  demo?: RunningSimulator;
  /** Stops what boot started (simulators in demo mode, storage). */
  close(): Promise<void>;
}

/**
 * Config → logger → metrics → (demo simulators) → storage (waits for PostgreSQL, migrates).
 * Shared by every long-running command. `upstreams: false` skips the demo simulators in processes
 * that never call an upstream; `listens` checks first that the web port is free.
 */
export async function boot(
  component: string,
  opts: { upstreams?: boolean; listens?: boolean; bindings?: Record<string, unknown> } = {},
): Promise<Runtime> {
  let config = loadConfig();
  limitHeapGrowth(config.server.heapGrowthPercent);
  if (opts.listens) await assertPortFree(config.server.host, config.server.port);
  // `role` names the command (start, web, worker…); `component` is left to the parts inside it, so
  // no key is written twice in a line.
  const logger = createLogger({
    level: config.server.logLevel,
    format: config.server.logFormat,
    demo: config.demo.enabled && (opts.upstreams ?? true),
  }).child({ role: component, ...opts.bindings });
  const metrics = createMetrics();
  if (config.readOnly)
    logger.info('READ_ONLY is on: no writes to JIRA, the Portal, Bugzilla, Slack or e-mail');
  let closeDemo = async () => {};
  let demoHistory: (() => StatsHistoryDay[]) | null = null;
  let simulator: RunningSimulator | undefined;
  if (config.demo.enabled && (opts.upstreams ?? true)) {
    const demo = await startDemoUpstreams(config, logger);
    config = demo.config;
    simulator = demo.simulator;
    closeDemo = demo.close;
    demoHistory = demo.history;
  }
  try {
    const store = await openStore(config.storage, { logger, metrics });
    if (demoHistory) await backfillDemoHistory(store, demoHistory(), logger);
    metrics.info.set({ version: VERSION, database: store.db.kind, cache: store.cache.backend }, 1);
    return {
      config,
      logger,
      metrics,
      store,
      ...(simulator ? { demo: simulator } : {}),
      close: async () => {
        await store.close();
        await closeDemo();
      },
    };
  } catch (err) {
    await closeDemo();
    throw err;
  }
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => {
        logger.info({ signal }, 'shut down cleanly');
        process.exit(0);
      })
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}
