import { z } from 'zod';
import { dateTime, int, nstr, str, type Wire } from './common.js';
import { formatField } from './tables.js';

// Home: cards per internal status, and the cases opened in the last days.

export const statusCountsSchema = z.strictObject({
  total: int,
  counts: z.array(z.strictObject({ status: str, count: int })),
});

export const newCaseSchema = z.strictObject({
  caseNumber: str,
  caseUrl: str,
  createdDate: dateTime,
  severity: str,
  severityOrder: int,
  account: str,
  summary: str,
  status: str,
  jiraKey: nstr,
  jiraUrl: nstr,
});

export const newCasesSchema = z.strictObject({ days: int, items: z.array(newCaseSchema) });

export const newCasesQuery = z.strictObject({
  days: z.int().min(1).max(365).default(7),
  limit: z.int().min(1).max(2000).default(500),
  ...formatField,
});

export type StatusCounts = Wire<typeof statusCountsSchema>;
export type NewCase = Wire<typeof newCaseSchema>;
