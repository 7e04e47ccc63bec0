import { z } from 'zod';
import { dateTime, dayRangeError, int, isoDay, nstr, str, strings, type Wire } from './common.js';
import { cardItemSchema, dashboardFilter, filterFields, lastCommentSchema } from './tables.js';

// Reports: account → case status → cards.

export const REPORT_KINDS = ['recent', 'all', 'trends'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const reportBugSchema = z.strictObject({
  id: str,
  url: str,
  summary: nstr,
  targetRelease: strings,
  assignee: nstr,
  qaContact: nstr,
  lastChange: dateTime.nullable(),
  status: nstr,
  severity: nstr,
});

const grouped = <T extends z.ZodType>(card: T) =>
  z.array(
    z.strictObject({
      account: nstr,
      statuses: z.array(z.strictObject({ status: nstr, cards: z.array(card) })),
    }),
  );

export const reportCardSchema = cardItemSchema.extend({
  bugs: z.array(reportBugSchema),
  comments: z.array(lastCommentSchema),
});
export const weeklyCardSchema = cardItemSchema.extend({ comment: lastCommentSchema.nullable() });

export const reportSchema = z.strictObject({
  kind: z.enum(REPORT_KINDS),
  total: int,
  limit: int,
  offset: int,
  accounts: grouped(reportCardSchema),
});

export const weeklySchema = z.strictObject({
  from: dateTime,
  to: dateTime,
  total: int,
  limit: int,
  offset: int,
  accounts: grouped(weeklyCardSchema),
});

const reportPaging = {
  limit: z.int().min(1).max(2000).default(200),
  offset: z.int().min(0).max(1_000_000).default(0),
};

export const reportQuery = dashboardFilter.extend(reportPaging);

/** A day (UTC midnight) or a date-time with its offset. */
const instant = z.union([isoDay, z.iso.datetime({ offset: true })]);

/** The weekly report spans at most about a year. */
export const WEEKLY_MAX_DAYS = 366;

export const weeklyQuery = z.strictObject({
  ...filterFields,
  ...reportPaging,
  from: instant
    .describe(`Start (inclusive); default 7 days before \`to\`; at most ${WEEKLY_MAX_DAYS} days before it.`)
    .optional(),
  to: instant.describe('End (exclusive); default now.').optional(),
  days: z
    .int()
    .min(1)
    .max(WEEKLY_MAX_DAYS)
    .describe('Without `from`: the last N days before `to` (default 7, the recent-updates window).')
    .optional(),
});

/** Why a weekly range cannot be answered, or null. */
export const weeklyRangeError = (from: string, to: string) => dayRangeError(from, to, WEEKLY_MAX_DAYS);

export const reportParams = z.object({ kind: z.enum(REPORT_KINDS) });

export type ReportBug = Wire<typeof reportBugSchema>;
export type ReportCard = Wire<typeof reportCardSchema>;
export type WeeklyCard = Wire<typeof weeklyCardSchema>;
export type Report = Wire<typeof reportSchema>;
export type Weekly = Wire<typeof weeklySchema>;
/** An account's group of cards, by case status. */
export type Grouped<C> = { account: string | null; statuses: { status: string | null; cards: C[] }[] };
