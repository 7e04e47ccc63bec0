import { boot, onShutdown } from '../boot.js';
import { createProcessSyncEngine } from '../sync-engine.js';

/**
 * `t5g worker`: job handlers and schedules, no HTTP. Any number can run against one PostgreSQL:
 * they share the queues, every job runs at most once at a time, and each cron tick fires once.
 */
export async function workerCommand(): Promise<void> {
  const rt = await boot('worker');
  const sync = createProcessSyncEngine(rt, { work: true, schedule: true });
  await sync.start();
  rt.logger.info(
    { jobs: sync.registry.list().map((j) => j.name), database: rt.store.db.kind },
    't5g worker is running',
  );
  void sync.startupSync().catch((err) => rt.logger.error({ err }, 'start-up sync could not be queued'));
  onShutdown(rt.logger, async () => {
    await sync.stop();
    await rt.close();
  });
}
