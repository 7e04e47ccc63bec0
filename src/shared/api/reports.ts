import { z } from 'zod';
import { dateTime, int, nstr, str, strings, type Wire } from './common.js';
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

const day = z.string().regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/);

export const weeklyQuery = z.strictObject({
  ...filterFields,
  ...reportPaging,
  from: day.describe('Start (inclusive); default 7 days before `to`.').optional(),
  to: day.describe('End (exclusive); default now.').optional(),
});

export const reportParams = z.object({ kind: z.enum(REPORT_KINDS) });

export type ReportBug = Wire<typeof reportBugSchema>;
export type ReportCard = Wire<typeof reportCardSchema>;
export type WeeklyCard = Wire<typeof weeklyCardSchema>;
export type Report = Wire<typeof reportSchema>;
export type Weekly = Wire<typeof weeklySchema>;
/** An account's group of cards, by case status. */
export type Grouped<C> = { account: string | null; statuses: { status: string | null; cards: C[] }[] };
