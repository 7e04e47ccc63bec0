import { z } from 'zod';
import { RUN_STATUSES, RUN_TRIGGERS, USER_ROLES } from '../vocabulary.js';
import { bool, clientText, dateTime, int, listOf, nstr, str, strings, type Wire } from './common.js';

// Sync runs, quarantined records, manual refreshes and the header's meta data.

export const runProgressSchema = z.strictObject({
  current: z.number().optional(),
  total: z.number().optional(),
  phase: str.optional(),
});

/** One write of a job that writes upstream: `create card` on `01234567`, with a detail for people. */
export const runActionSchema = z.strictObject({ action: str, target: str, detail: nstr });

/**
 * What a job that writes upstream (card creation, priority sync, bug tagging) really did, stored
 * with its run: the writes it made, the ones READ_ONLY blocked (what it would have done), the ones
 * that failed, and a refusal with its reason (the mass-creation guard) when it made none on purpose.
 */
export const runOutcomeSchema = z.strictObject({
  /**
   * - `wrote`: it wrote upstream (possibly nothing, when nothing needed writing);
   * - `read-only`: READ_ONLY blocked every write, `wouldHave` lists them;
   * - `refused`: a guard stopped it before any write, `refused` says why;
   * - `skipped`: not configured (no JIRA project, …).
   */
  result: z.enum(['wrote', 'read-only', 'refused', 'skipped']),
  /** One line for people, e.g. "refused: 148 new cases > 10 (mass-creation guard), alert sent". */
  summary: str,
  did: z.array(runActionSchema),
  wouldHave: z.array(runActionSchema),
  failed: z.array(runActionSchema),
  /** Work this run had started that another worker took over (its lease ran out while it was paused). */
  handedOver: z.array(runActionSchema),
  refused: z.strictObject({ reason: str, alert: str }).nullable(),
});

export const runSchema = z.strictObject({
  id: str,
  job: str,
  trigger: z.enum(RUN_TRIGGERS),
  status: z.enum(RUN_STATUSES),
  startedAt: dateTime,
  finishedAt: dateTime.nullable(),
  fetched: int.optional(),
  changed: int.optional(),
  quarantined: int.optional(),
  upstreamRequests: int.optional(),
  progress: runProgressSchema,
  error: nstr,
  outcome: runOutcomeSchema.nullable(),
  /** Set when the run succeeded while a job it reads from had failed: it is not fresh. */
  inputError: nstr,
});
export const runListSchema = listOf(runSchema);

/** A run's `progress` event on its stream: the progress and the counts so far. */
export const runProgressEventSchema = runProgressSchema.extend({
  status: z.enum(RUN_STATUSES),
  fetched: int,
  changed: int,
  quarantined: int,
  upstreamRequests: int,
});

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const runParams = z.object({ id: z.string().max(36).regex(UUID) });

export const runsQuery = z.strictObject({
  job: clientText(100).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  limit: z.int().min(1).max(500).default(50),
});

export const quarantinedSchema = z.strictObject({
  id: int,
  source: str,
  externalId: str,
  reason: str,
  /** The raw upstream record; null unless the caller is an admin. */
  payload: z.unknown(),
  firstSeen: dateTime,
  lastSeen: dateTime,
  occurrences: int,
  runId: nstr,
  resolvedAt: dateTime.nullable(),
});
export const quarantineSchema = z.strictObject({ items: z.array(quarantinedSchema), total: int });

export const quarantineQuery = z.strictObject({
  source: clientText(100).optional(),
  /** One reason group's rows: an exact reason, or the reason as /quarantine/reasons groups it. */
  reason: clientText(2000).optional(),
  limit: z.int().min(1).max(500).default(50),
  offset: z.int().min(0).max(1_000_000).default(0),
  includeResolved: z.boolean().default(false),
});

/** Quarantined records grouped by source and reason, most frequent first. */
export const quarantineReasonsSchema = z.strictObject({
  items: z.array(z.strictObject({ source: str, reason: str, count: int, lastSeen: dateTime, sample: str })),
  total: int,
});
export const quarantineReasonsQuery = z.strictObject({ includeResolved: z.boolean().default(false) });

/** One schedule of a job in the job monitor; an inactive one says why it does not apply. */
export const monitoredScheduleSchema = z.strictObject({
  key: str,
  cron: nstr,
  timezone: nstr,
  /** The next time the cron expression fires (null for an inactive schedule). */
  nextRunAt: dateTime.nullable(),
  active: bool,
  inactiveBecause: nstr,
});

/** One job in the job monitor: its schedules, its queue, its newest run, and how to start it. */
export const monitoredJobSchema = z.strictObject({
  job: str,
  title: str,
  /** Whether it writes upstream (JIRA, the Portal, Bugzilla, Slack, e-mail): admins start those. */
  writesUpstream: bool,
  /** The role that may start it or retry its runs. */
  role: z.enum(USER_ROLES),
  /** The POST that starts (or joins) a run of it; null for a job nobody starts by hand. */
  startPath: nstr,
  schedules: z.array(monitoredScheduleSchema),
  /** Its pg-boss queue: waiting (ready or deferred), running, and failed jobs still kept. */
  queue: z.strictObject({ queued: int, deferred: int, active: int, failed: int }),
  lastRun: runSchema.nullable(),
});
export const jobMonitorSchema = z.strictObject({
  items: z.array(monitoredJobSchema),
  readOnly: bool,
  serverTime: dateTime,
});

/** One source's freshness in the header. */
export const sourceFreshnessSchema = z.strictObject({
  job: str,
  /** Where the source's data comes from: t5g's own sync, or the Redis mirror of the original dashboard. */
  origin: z.enum(['sync', 'mirror']),
  lastSuccessAt: dateTime.nullable(),
  lastStatus: nstr,
  lastError: nstr,
});

export const metaSchema = z.strictObject({
  demo: bool,
  readOnly: bool,
  jiraUrl: nstr,
  canRefresh: bool,
  refreshable: strings,
  adminJobs: strings,
  sources: z.array(sourceFreshnessSchema),
  activeRefresh: runSchema.nullable(),
  serverTime: dateTime,
});

/** A started (or joined) run. */
export const acceptedSchema = z.strictObject({ id: str, joined: bool });
/** A full refresh: its own run, and the run of each job taking part. */
export const acceptedAllSchema = z.strictObject({ id: str, ids: z.record(z.string(), str), joined: bool });
/** A job this route does not know, with the ones it does. */
export const unknownJobSchema = z.strictObject({ message: str, sources: strings.optional() });
export const jobParams = <K extends string>(name: K) =>
  z.object({ [name]: clientText(100) } as Record<K, ReturnType<typeof clientText>>);

export type Run = Wire<typeof runSchema>;
export type RunOutcome = z.output<typeof runOutcomeSchema>;
export type RunAction = z.output<typeof runActionSchema>;
export type RunList = Wire<typeof runListSchema>;
export type RunProgressEvent = Wire<typeof runProgressEventSchema>;
export type QuarantineList = Wire<typeof quarantineSchema>;
export type Accepted = Wire<typeof acceptedSchema>;
export type AcceptedAll = Wire<typeof acceptedAllSchema>;
export type SourceFreshness = Wire<typeof sourceFreshnessSchema>;
export type Meta = Wire<typeof metaSchema>;
export type Quarantined = Wire<typeof quarantinedSchema>;
export type QuarantineReasons = Wire<typeof quarantineReasonsSchema>;
export type JobMonitor = Wire<typeof jobMonitorSchema>;
export type MonitoredJob = Wire<typeof monitoredJobSchema>;
