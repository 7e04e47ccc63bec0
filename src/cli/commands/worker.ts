import { UsageError } from '../../lib/errors.js';
import { boot, onShutdown } from '../boot.js';
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
  rt.logger.info(
    { jobs: sync.registry.list().map((j) => j.name), database: rt.store.db.kind, work, schedule },
    `t5g ${mode} is running`,
  );
  if (schedule)
    void sync.startupSync().catch((err) => rt.logger.error({ err }, 'start-up sync could not be queued'));
  onShutdown(rt.logger, async () => {
    await sync.stop();
    await rt.close();
  });
}
