import type { JobParams } from '../engine/types.js';

// When a job that normally fetches only what changed should fetch everything instead.

/**
 * Linked issues and bugs have one schedule each (hourly); the first of those runs 23 hours after
 * the last full pass is a full pass again, so there is one a day.
 */
export const DAILY_FULL_PASS_MS = 23 * 3_600_000;

/**
 * True when the run was asked for a full pass (`params.full`), when there never was one, or when
 * the last one is older than `maxAgeMs` — a safety net for data the incremental rule cannot see
 * change. Pass `maxAgeMs = Infinity` for jobs whose full pass has its own schedule.
 */
export function isFullPassDue(
  params: JobParams,
  lastFullAt: Date | null | undefined,
  maxAgeMs: number,
  now: Date = new Date(),
): boolean {
  if (params.full === true || !lastFullAt) return true;
  return now.getTime() - lastFullAt.getTime() >= maxAgeMs;
}
