import { CronExpressionParser } from 'cron-parser';
import type { Config } from '../../config/config.js';
import type { JobRegistry } from './registry.js';
import type { JobParams, KnownJobName } from './types.js';

// Every schedule of the product in one table: which job, when (UTC cron from config, each
// overridable through SCHEDULE_*), and under which condition. A job with several schedules (the
// incremental pass and the daily full pass) has one row per schedule, told apart by `key`.
//
// A row is applied only when its condition holds AND the job has a handler in the registry; the
// rest are reported by `planSchedules` with the reason, and any schedule left in the queue database
// from an earlier configuration is removed at start-up.

export interface ScheduleEntry {
  job: KnownJobName;
  /** Tells apart several schedules of one job; pg-boss's schedule key. */
  key: string;
  cron: (config: Config) => string;
  /** `null` when the schedule applies, else why not (shown in the log at start-up). */
  disabledBecause: (config: Config) => string | null;
  params?: JobParams;
}

const always = () => null;
const writesUpstream = (config: Config) => (config.readOnly ? 'READ_ONLY is on' : null);

export const SCHEDULES: readonly ScheduleEntry[] = [
  { job: 'cases', key: 'incremental', cron: (c) => c.schedules.cases, disabledBecause: always },
  {
    job: 'cases',
    key: 'reconcile',
    cron: (c) => c.schedules.casesReconcile,
    disabledBecause: always,
    params: { full: true },
  },
  { job: 'cards', key: 'incremental', cron: (c) => c.schedules.cards, disabledBecause: always },
  {
    job: 'cards',
    key: 'full',
    cron: (c) => c.schedules.cardsFull,
    disabledBecause: always,
    params: { full: true },
  },
  { job: 'details', key: 'default', cron: (c) => c.schedules.details, disabledBecause: always },
  { job: 'issues', key: 'default', cron: (c) => c.schedules.issues, disabledBecause: always },
  {
    job: 'bugs',
    key: 'default',
    cron: (c) => c.schedules.bugs,
    disabledBecause: (c) => (c.bugzilla.apiKey ? null : 'BUGZILLA_API_KEY is not set'),
  },
  {
    job: 'escalations',
    key: 'default',
    cron: (c) => c.schedules.escalations,
    disabledBecause: (c) =>
      c.jira.escalations ? null : 'JIRA_ESCALATIONS_PROJECT / JIRA_ESCALATIONS_LABEL are not set',
  },
  { job: 'stats', key: 'default', cron: (c) => c.schedules.stats, disabledBecause: always },
  {
    job: 'card-creation',
    key: 'default',
    cron: (c) => c.schedules.cardCreation,
    disabledBecause: writesUpstream,
  },
  {
    job: 'priority-sync',
    key: 'default',
    cron: (c) => c.schedules.prioritySync,
    disabledBecause: writesUpstream,
  },
  {
    job: 'bug-tagging',
    key: 'default',
    cron: (c) => c.schedules.bugTagging,
    disabledBecause: writesUpstream,
  },
];

export interface PlannedSchedule {
  job: string;
  key: string;
  cron: string;
  params: JobParams;
}

export interface SchedulePlan {
  active: PlannedSchedule[];
  inactive: { job: string; key: string; reason: string }[];
}

/** Which schedules apply under this configuration with these handlers. */
export function planSchedules(
  config: Config,
  registry: JobRegistry,
  entries: readonly ScheduleEntry[] = SCHEDULES,
): SchedulePlan {
  const plan: SchedulePlan = { active: [], inactive: [] };
  for (const entry of entries) {
    const reason = entry.disabledBecause(config) ?? (registry.has(entry.job) ? null : 'no handler yet');
    if (reason) plan.inactive.push({ job: entry.job, key: entry.key, reason });
    else
      plan.active.push({
        job: entry.job,
        key: entry.key,
        cron: entry.cron(config),
        params: entry.params ?? {},
      });
  }
  return plan;
}

/** When a cron expression next fires after `after`, in its time zone; null for one that does not parse. */
export function nextCronRun(cron: string, timezone: string, after: Date = new Date()): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate();
  } catch {
    return null;
  }
}
