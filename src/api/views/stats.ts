import type { z } from 'zod';
import type { Served } from '../../shared/api/common.js';
import {
  HISTORY_DEFAULT_DAYS,
  type historyQuery,
  historyRangeError,
  type historySchema,
  type outcomesSchema,
  type StatsScope,
  type statsSchema,
} from '../../shared/api/stats.js';
import {
  computeCaseStats,
  computeReliefResolutionStats,
  STATS_ENTITIES,
} from '../../store/repositories/stats.js';
import { listStatsSnapshots } from '../../store/repositories/stats-snapshots.js';
import { BadRequestError } from '../replies.js';
import { presentContext, stableKey, type ViewDeps } from './deps.js';

// Stats: live metrics and relief/resolution distributions (computed in SQL, cached until one of
// the tables they read changes), and the daily history from the snapshots with missing days as null.

const scopeOf = (f: StatsScope): StatsScope => ({
  ...(f.account ? { account: f.account } : {}),
  ...(f.engineer ? { engineer: f.engineer } : {}),
});

export function liveStats(deps: ViewDeps, filter: StatsScope): Promise<Served<typeof statsSchema>> {
  const scope = scopeOf(filter);
  const now = presentContext(deps).now;
  return deps.store.read(STATS_ENTITIES, `stats:live:${stableKey(scope)}`, (q) =>
    computeCaseStats(q, { ...scope, now }),
  );
}

export function outcomes(deps: ViewDeps, filter: StatsScope): Promise<Served<typeof outcomesSchema>> {
  const scope = scopeOf(filter);
  return deps.store.read(STATS_ENTITIES, `stats:outcomes:${stableKey(scope)}`, (q) =>
    computeReliefResolutionStats(q, scope),
  );
}

/** The history chart's series (the original's 11, plus the weekly counts). */
export const HISTORY_SERIES = [
  'escalated',
  'crit_sit',
  'total_escalations',
  'open_cases',
  'daily_opened_cases',
  'daily_closed_cases',
  'weekly_opened_cases',
  'weekly_closed_cases',
  'no_updates',
  'no_bzs',
  'bugs_unique',
  'bugs_no_target',
  'high_prio',
] as const;

const DAY_MS = 86_400_000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** A metric of a snapshot; snapshots imported from the original nest bugs as {unique, no_target}. */
function metric(m: Record<string, unknown>, name: string): number | null {
  const nested = m.bugs as { unique?: unknown; no_target?: unknown } | undefined;
  const v =
    name === 'bugs_unique'
      ? (m[name] ?? nested?.unique)
      : name === 'bugs_no_target'
        ? (m[name] ?? nested?.no_target)
        : m[name];
  return typeof v === 'number' ? v : null;
}

/**
 * One value per day from `from` to `to`; a day without a snapshot is null (a gap, not a zero).
 * Snapshots are global; for one account or engineer only `open_cases` exists (from the snapshot's
 * by_customer / by_engineer breakdown), the other series are null.
 */
export async function history(
  deps: ViewDeps,
  query: z.output<typeof historyQuery>,
): Promise<Served<typeof historySchema>> {
  const now = presentContext(deps).now;
  const to = query.to ?? utcDay(now);
  const from = query.from ?? utcDay(new Date(Date.parse(`${to}T00:00:00Z`) - HISTORY_DEFAULT_DAYS * DAY_MS));
  const rangeError = historyRangeError(from, to);
  if (rangeError) throw new BadRequestError(rangeError);
  const snapshots = await deps.store.read(['stats_snapshot'], `stats:history:${from}:${to}`, (q) =>
    listStatsSnapshots(q, { from, to }),
  );
  const byDay = new Map(snapshots.map((s) => [s.day, s.metrics]));
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS)
    days.push(utcDay(new Date(t)));
  const scoped = (m: Record<string, unknown>, name: string): number | null => {
    if (!query.account && !query.engineer) return metric(m, name);
    if (name !== 'open_cases') return null;
    const breakdown = (query.account ? m.by_customer : m.by_engineer) as Record<string, unknown> | undefined;
    const v = breakdown?.[(query.account ?? query.engineer)!];
    return typeof v === 'number' ? v : breakdown ? 0 : null;
  };
  const series = Object.fromEntries(
    HISTORY_SERIES.map((name) => [
      name,
      days.map((d) => {
        const m = byDay.get(d);
        return m ? scoped(m, name) : null;
      }),
    ]),
  );
  return { from, to, days, series, account: query.account ?? null, engineer: query.engineer ?? null };
}
