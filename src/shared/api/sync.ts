import { z } from 'zod';
import { RUN_STATUSES, RUN_TRIGGERS } from '../vocabulary.js';
import { bool, clientText, dateTime, int, listOf, nstr, str, strings, type Wire } from './common.js';

// Sync runs, quarantined records, manual refreshes and the header's meta data.

export const runProgressSchema = z.strictObject({
  current: z.number().optional(),
  total: z.number().optional(),
  phase: str.optional(),
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
  limit: z.int().min(1).max(500).default(50),
  offset: z.int().min(0).max(1_000_000).default(0),
  includeResolved: z.boolean().default(false),
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
export type RunList = Wire<typeof runListSchema>;
export type RunProgressEvent = Wire<typeof runProgressEventSchema>;
export type QuarantineList = Wire<typeof quarantineSchema>;
export type Accepted = Wire<typeof acceptedSchema>;
export type AcceptedAll = Wire<typeof acceptedAllSchema>;
export type SourceFreshness = Wire<typeof sourceFreshnessSchema>;
export type Meta = Wire<typeof metaSchema>;
export type Quarantined = Wire<typeof quarantinedSchema>;
