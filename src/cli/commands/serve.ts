import { setTimeout as sleep } from 'node:timers/promises';
import { buildApp } from '../../api/app.js';
import { boot, onShutdown } from '../boot.js';
import { wireDemoWebhooks } from '../demo.js';
import { listenError } from '../port.js';
import { createProcessSyncEngine } from '../sync-engine.js';
import { ensureUiBuilt } from '../ui-build.js';

/**
 * `t5g start` runs everything in one process (the embedded default): web app, job handlers and
 * schedules, plus a first full sync when some source has never synced. `t5g web` serves the app and
 * enqueues manual refreshes for the workers. With PGlite only one process may open DATA_DIR, so
 * split web/worker processes need DATABASE_URL.
 */
export async function serveCommand(mode: 'start' | 'web'): Promise<void> {
  const rt = await boot(mode, { upstreams: mode === 'start', listens: true });
  const uiDir = await ensureUiBuilt(rt.logger);
  const worker = mode === 'start';
  const sync = createProcessSyncEngine(rt, { work: worker, schedule: worker });
  await sync.start();
  const app = await buildApp({ ...rt, sync, uiDir });
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
