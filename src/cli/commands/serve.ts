import cluster from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../api/app.js';
import { ConfigError, loadConfig } from '../../config/config.js';
import { UsageError } from '../../lib/errors.js';
import { createLogger } from '../../lib/logger.js';
import { clusterScrape } from '../../observability/cluster-metrics.js';
import { boot, onShutdown } from '../boot.js';
import { wireDemoWebhooks } from '../demo.js';
import { assertPortFree, listenError } from '../port.js';
import { createProcessSyncEngine } from '../sync-engine.js';
import { ensureUiBuilt } from '../ui-build.js';
import { announceReady, superviseWebWorkers } from '../web-cluster.js';

/** `--workers N` (or `--workers=N`), else WEB_WORKERS. */
export function webWorkerCount(args: string[], fromEnv: number): number {
  let count = fromEnv;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const value = arg === '--workers' ? args[++i] : arg.startsWith('--workers=') ? arg.slice(10) : undefined;
    if (value === undefined) {
      throw new UsageError(arg === '--workers' ? '--workers needs a number' : `unknown option ${arg}`);
    }
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64)
      throw new UsageError(`--workers takes a whole number from 1 to 64, not "${value}"`);
    count = Number(value);
  }
  return count;
}

/**
 * `t5g web [--workers N]`: one web process, or a primary that runs N of them on the shared port.
 * Several processes need PostgreSQL: PGlite lets one process open DATA_DIR.
 */
export async function webCommand(args: string[]): Promise<void> {
  if (cluster.isWorker) return serveCommand('web');
  const config = loadConfig();
  const workers = webWorkerCount(args, config.server.webWorkers);
  if (workers === 1) return serveCommand('web');
  if (!config.storage.databaseUrl)
    throw new ConfigError([
      {
        variable: 'DATABASE_URL',
        message: `required for ${workers} web workers (WEB_WORKERS or --workers): PGlite lets one process open DATA_DIR`,
      },
    ]);
  await assertPortFree(config.server.host, config.server.port);
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({
    role: 'web',
  });
  // Once, before the workers start: each would otherwise build it at the same time.
  await ensureUiBuilt(logger);
  process.exitCode = await superviseWebWorkers({ config, logger, workers });
  logger.info('shut down cleanly');
}

/**
 * `t5g start` runs everything in one process (the embedded default): web app, job handlers and
 * schedules, plus a first full sync when some source has never synced. `t5g web` serves the app and
 * enqueues manual refreshes for the workers. With PGlite only one process may open DATA_DIR, so
 * split web/worker processes need DATABASE_URL.
 */
export async function serveCommand(mode: 'start' | 'web'): Promise<void> {
  // A cluster worker shares the port its primary checked (and holds); it names itself in its lines.
  const clustered = cluster.isWorker;
  const rt = await boot(mode, {
    upstreams: mode === 'start',
    listens: !clustered,
    ...(clustered ? { bindings: { worker: cluster.worker?.id } } : {}),
  });
  const uiDir = await ensureUiBuilt(rt.logger);
  const worker = mode === 'start';
  const sync = createProcessSyncEngine(rt, { work: worker, schedule: worker });
  await sync.start();
  const metrics = clustered ? { ...rt.metrics, scrape: clusterScrape(rt.metrics.registry) } : rt.metrics;
  const app = await buildApp({ ...rt, metrics, sync, uiDir });
  const { host, port } = rt.config.server;
  try {
    await app.listen({ port, host });
  } catch (err) {
    await app.close();
    await sync.stop();
    await rt.close();
    throw listenError(err, host, port);
  }
  if (rt.demo) {
    const address = app.server.address();
    const listening = typeof address === 'object' && address ? address.port : port;
    const url = wireDemoWebhooks(rt.demo, rt.config, { host, port: listening });
    rt.logger.info({ url }, 'demo: the simulated JIRA sends its webhooks here');
  }
  if (clustered) {
    // The primary says where to open the dashboard once every worker listens.
    rt.logger.info({ database: rt.store.db.kind, cache: rt.store.cache.backend }, 'web worker listening');
    announceReady();
  } else
    rt.logger.info(
      {
        url: `http://localhost:${rt.config.server.port}`,
        database: rt.store.db.kind,
        cache: rt.store.cache.backend,
      },
      't5g is listening',
    );
  if (worker)
    void sync.startupSync().catch((err) => rt.logger.error({ err }, 'start-up sync could not be queued'));
  onShutdown(rt.logger, async () => {
    // The app first: it stops accepting, ends open event streams and lets open requests finish
    // (within the bound); then running jobs get their grace period, then the pools close.
    const bound = rt.config.server.shutdownTimeoutSeconds * 1000;
    const drained = await Promise.race([app.close().then(() => true), sleep(bound).then(() => false)]);
    if (!drained) {
      rt.logger.warn('requests still open after SHUTDOWN_TIMEOUT_SECONDS; closing their connections');
      app.server.closeAllConnections();
    }
    await sync.stop();
    await rt.close();
  });
}
