import { computeCaseStats } from '../../store/repositories/stats.js';
import { saveStatsSnapshot } from '../../store/repositories/stats-snapshots.js';
import type { JobDefinition } from '../engine/types.js';

// Daily stats snapshot (04:40 UTC by default): the stats page's metrics, computed in SQL over the
// stored tables, kept as the row of the current UTC day. Taking it again the same day replaces the
// row, so a manual refresh after a sync shows the day's trend point up to date.

export const STATS_SNAPSHOT_ENTITY = 'stats_snapshot';

/** YYYY-MM-DD of `at` in UTC. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

export const statsSnapshotJob: JobDefinition = {
  name: 'stats',
  title: 'Daily stats snapshot',
  refresh: 'all',
  // In a full refresh, the snapshot is taken from what the refresh just stored.
  after: ['cases', 'cards', 'details', 'issues', 'bugs', 'escalations'],
  retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 900 },
  timeoutSeconds: 10 * 60,
  handler: async (ctx) => {
    const now = new Date();
    const day = utcDay(now);
    ctx.progress({ current: 0, total: 1, phase: 'computing stats' });
    // One transaction: the metrics are read from one consistent view of the tables.
    const metrics = await ctx.store.write(async (tx, changes) => {
      const stats = await computeCaseStats(tx, { now });
      await saveStatsSnapshot(tx, day, { ...stats });
      changes.add(STATS_SNAPSHOT_ENTITY, [day]);
      return stats;
    });
    ctx.progress({ current: 1, total: 1, phase: 'saved' });
    return { changed: 1, summary: `snapshot for ${day}: ${metrics.open_cases} open cases` };
  },
};
