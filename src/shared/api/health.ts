import { z } from 'zod';
import { SYNCED_SOURCES } from '../vocabulary.js';
import { bool, dateTime, int, str } from './common.js';

// GET /readyz: whether this process can serve, per dependency.

export const READINESS_STATUSES = ['ok', 'degraded', 'down'] as const;

export const dependencyCheckSchema = z.strictObject({
  backend: str,
  ok: bool,
  /** A required dependency that fails makes the answer 503 "down"; an optional one "degraded". */
  required: bool,
  latencyMs: z.number().optional(),
  detail: str.optional(),
});

export const sourceFreshnessSchema = z.strictObject({
  job: z.enum(SYNCED_SOURCES),
  ok: bool,
  lastSuccessAt: dateTime.nullable(),
  maxAgeMinutes: int,
});

export const readinessSchema = z.strictObject({
  status: z.enum(READINESS_STATUSES),
  checks: z.strictObject({
    database: dependencyCheckSchema,
    cache: dependencyCheckSchema,
    queue: dependencyCheckSchema.extend({ queued: int.optional() }).optional(),
  }),
  /** Sources that have not synced successfully within their bound make the status "degraded". */
  sources: z.array(sourceFreshnessSchema),
});
