import { z } from 'zod';
import { bool, clientText, counts, dateTime, int, listOf, nstr, str, strings, type Wire } from './common.js';
import { outcomesSchema, statsSchema } from './stats.js';
import { formatField } from './tables.js';

// Account and engineer pages: the lists with their counts, and one account / engineer.

export const accountSummarySchema = z.strictObject({
  name: str,
  cases: int,
  openCases: int,
  highPriority: int,
  escalated: int,
  critSit: int,
  cards: int,
  lastUpdate: dateTime.nullable(),
});

export const engineerSummarySchema = z.strictObject({
  name: str,
  cards: int,
  openCases: int,
  highPriority: int,
  escalated: int,
  critSit: int,
  lastCommentAt: dateTime.nullable(),
});

/** An engineer in the list: team members without cards are listed too. */
export const engineerListItemSchema = engineerSummarySchema.extend({
  team: bool.optional(),
  active: bool.nullable().optional(),
});

/** A Bugzilla bug or JIRA issue linked to one of the account's carded cases. */
export const linkSchema = z.strictObject({
  kind: z.enum(['bug', 'issue']),
  id: str,
  url: nstr,
  summary: nstr,
  priority: nstr,
  severity: nstr,
  targetRelease: strings,
  assignee: nstr,
  qaContact: nstr,
  updated: dateTime.nullable(),
  status: nstr,
  caseNumber: str,
});

export const accountListSchema = listOf(accountSummarySchema);
export const engineerListSchema = listOf(engineerListItemSchema);

export const accountPageSchema = z.strictObject({
  name: str,
  summary: accountSummarySchema,
  stats: statsSchema,
  outcomes: outcomesSchema,
  cardsBySeverity: counts,
  cardsByCaseStatus: counts,
  bugs: z.array(linkSchema),
});

export const engineerPageSchema = z.strictObject({
  name: str,
  summary: engineerSummarySchema,
  team: bool,
  stats: statsSchema,
  outcomes: outcomesSchema,
  cardsBySeverity: counts,
  cardsByCaseStatus: counts,
});

export const nameParams = z.object({ name: clientText(300).min(1) });
export const formatQuery = z.strictObject(formatField);

export type AccountSummary = Wire<typeof accountSummarySchema>;
export type EngineerSummary = Wire<typeof engineerListItemSchema>;
export type LinkRow = Wire<typeof linkSchema>;
export type AccountList = Wire<typeof accountListSchema>;
export type EngineerList = Wire<typeof engineerListSchema>;
export type AccountPageData = Wire<typeof accountPageSchema>;
export type EngineerPageData = Wire<typeof engineerPageSchema>;
