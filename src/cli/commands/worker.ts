import { buildMetricsApp } from '../../api/metrics-app.js';
import { UsageError } from '../../lib/errors.js';
import { boot, onShutdown } from '../boot.js';
import { listenError } from '../port.js';
import { createProcessSyncEngine } from '../sync-engine.js';

/**
 * `t5g worker`: job handlers and schedules, no HTTP. Any number can run against one PostgreSQL:
 * they share the queues, every job runs at most once at a time, and each cron tick fires once.
 * `t5g worker --no-schedule` runs handlers only, for deployments that keep the schedule in
 * `t5g scheduler` processes (schedules only: they enqueue, workers run).
 */
export async function workerCommand(mode: 'worker' | 'scheduler', args: string[] = []): Promise<void> {
  const unknown = args.filter((a) => !(mode === 'worker' && a === '--no-schedule'));
  if (unknown.length) throw new UsageError(`unknown option ${unknown.join(' ')}`);
  const work = mode === 'worker';
  const schedule = mode === 'scheduler' || !args.includes('--no-schedule');
  const rt = await boot(mode, { upstreams: work });
  const sync = createProcessSyncEngine(rt, { work, schedule });
  await sync.start();
  const metricsPort = rt.config.server.workerMetricsPort;
  const metricsApp = metricsPort ? await buildMetricsApp(rt) : undefined;
  if (metricsApp && metricsPort) {
    const { host } = rt.config.server;
    try {
      await metricsApp.listen({ host, port: metricsPort });
    } catch (err) {
      await metricsApp.close();
      await sync.stop();
      await rt.close();
      throw listenError(err, host, metricsPort, 'WORKER_METRICS_PORT');
    }
  }
  rt.logger.info(
    {
      jobs: sync.registry.list().map((j) => j.name),
      database: rt.store.db.kind,
      work,
      schedule,
      ...(metricsPort ? { metrics: `http://${rt.config.server.host}:${metricsPort}/metrics` } : {}),
    },
    `t5g ${mode} is running`,
  );
  if (schedule)
    void sync.startupSync().catch((err) => rt.logger.error({ err }, 'start-up sync could not be queued'));
  onShutdown(rt.logger, async () => {
    await sync.stop();
    // Scrapeable until the jobs are handed over, so the last counts are not lost.
    await metricsApp?.close();
    await rt.close();
  });
}
