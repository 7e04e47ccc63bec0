import { z } from 'zod';
import { clientText, counts, dayRangeError, int, isoDay, mapOf, nstr, str, type Wire } from './common.js';

// Stats: the live metrics, the daily history and the relief / resolution distributions.

export const statsSchema = z.strictObject({
  open_cases: int,
  escalated: int,
  crit_sit: int,
  total_escalations: int,
  high_prio: int,
  daily_opened_cases: int,
  weekly_opened_cases: int,
  daily_closed_cases: int,
  weekly_closed_cases: int,
  no_updates: int,
  no_bzs: int,
  bugs_unique: int,
  bugs_no_target: int,
  by_customer: counts,
  by_engineer: counts,
  by_severity: counts,
  by_status: counts,
});

export const durationSchema = z.strictObject({
  count: int,
  mean: z.number().nullable(),
  median: z.number().nullable(),
  buckets: z.array(z.strictObject({ fromDays: z.number(), toDays: z.number().nullable(), count: int })),
});

export const outcomesSchema = z.strictObject({
  relief: mapOf(durationSchema),
  resolution: mapOf(durationSchema),
});

export const historySchema = z.strictObject({
  from: str,
  to: str,
  days: z.array(str),
  series: mapOf(z.array(z.number().nullable())),
  account: nstr,
  engineer: nstr,
});

const scopeFields = {
  account: clientText(300).min(1).optional(),
  engineer: clientText(300).min(1).optional(),
};
/** Stats for everything, or one account, or one engineer (card assignee). */
export const scopeQuery = z.strictObject(scopeFields);
export type StatsScope = z.output<typeof scopeQuery>;

/** The history answers one value per day and series: its range is capped (about ten years). */
export const HISTORY_MAX_DAYS = 3660;
export const HISTORY_DEFAULT_DAYS = 90;

export const historyQuery = z.strictObject({
  ...scopeFields,
  from: isoDay
    .describe(
      `First day (UTC); default ${HISTORY_DEFAULT_DAYS} days before \`to\`. At most ${HISTORY_MAX_DAYS} days before \`to\`, not before 1970.`,
    )
    .optional(),
  to: isoDay.describe('Last day (UTC); default today.').optional(),
});

/** Why a history range cannot be answered, or null. */
export const historyRangeError = (from: string, to: string) => dayRangeError(from, to, HISTORY_MAX_DAYS);

export type Stats = Wire<typeof statsSchema>;
export type Duration = Wire<typeof durationSchema>;
export type Outcomes = Wire<typeof outcomesSchema>;
export type History = Wire<typeof historySchema>;
