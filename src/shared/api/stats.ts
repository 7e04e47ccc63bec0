import { z } from 'zod';
import { counts, int, mapOf, nstr, str, type Wire } from './common.js';

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
  account: z.string().min(1).max(300).optional(),
  engineer: z.string().min(1).max(300).optional(),
};
/** Stats for everything, or one account, or one engineer (card assignee). */
export const scopeQuery = z.strictObject(scopeFields);
export type StatsScope = z.output<typeof scopeQuery>;

const day = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/);

export const historyQuery = z.strictObject({
  ...scopeFields,
  from: day.describe('First day (UTC); default 90 days before `to`.').optional(),
  to: day.describe('Last day (UTC); default today.').optional(),
});

export type Stats = Wire<typeof statsSchema>;
export type Duration = Wire<typeof durationSchema>;
export type Outcomes = Wire<typeof outcomesSchema>;
export type History = Wire<typeof historySchema>;
