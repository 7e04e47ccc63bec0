import { z } from 'zod';
import { MIRROR_KEYS } from '../vocabulary.js';
import { dateTime, int, mapOf, nint, str, strings, type Wire } from './common.js';

// The Redis mirror's endpoints (/api/v1/sync/…): a full sync, one key, the service's status and
// the per-key comparison of Redis with PostgreSQL.

export const mirrorKeyParams = z.object({ key: z.enum(MIRROR_KEYS) });

export const mirrorKeyResultSchema = z.strictObject({
  key: z.enum(MIRROR_KEYS),
  records: int,
  written: int,
  changed: int,
  removed: int,
  quarantined: int,
  error: str.optional(),
});
export const mirrorSyncSchema = z.strictObject({ results: z.array(mirrorKeyResultSchema) });

const drift = z.strictObject({ count: int, examples: strings });

export const mirrorComparisonSchema = z.strictObject({
  key: z.enum(MIRROR_KEYS),
  redis: int,
  postgres: int,
  quarantined: int,
  mismatches: int,
  /** In Redis, not in PostgreSQL. */
  missing: drift,
  /** In both, but the PostgreSQL row no longer holds what Redis holds (cards and cases). */
  drifted: drift,
  /** Changed in Redis since it was mirrored. */
  stale: drift,
  /** Mirrored earlier, no longer in Redis (its rows are kept). */
  gone: drift,
  error: str.optional(),
});
export const mirrorCompareSchema = z.strictObject({
  mismatches: int,
  keys: z.array(mirrorComparisonSchema),
});

export const MIRROR_SERVICE_STATES = ['disabled', 'running', 'stopped'] as const;

export const mirrorStatusSchema = z.strictObject({
  enabled: z.boolean(),
  redis_connected: z.boolean(),
  /** `running` while a `t5g mirror` process reports in; `stopped` when none did lately. */
  service_status: z.enum(MIRROR_SERVICE_STATES),
  /** How the follower learns of changes: keyspace notifications or polling. */
  mode: str.nullable(),
  last_event_at: dateTime.nullable(),
  last_success_at: dateTime.nullable(),
  lag_ms: nint,
  events: int,
  /** Sources whose data comes from the mirror (their own jobs are off). */
  sources: strings,
  /** Per key: records mirrored and records quarantined. */
  counts: mapOf(z.strictObject({ mirrored: int, quarantined: int })),
  errors: z.array(z.strictObject({ at: dateTime, key: str, message: str })),
});

export type MirrorStatus = Wire<typeof mirrorStatusSchema>;
export type MirrorCompare = Wire<typeof mirrorCompareSchema>;
export type MirrorSync = Wire<typeof mirrorSyncSchema>;
