import { z } from 'zod';
import { int, nstr, str, type Wire } from './common.js';
import { caseItemSchema, formatField } from './tables.js';

// Home: cards per internal status, and the cases opened in the last days.

export const statusCountsSchema = z.strictObject({
  total: int,
  counts: z.array(z.strictObject({ status: str, count: int })),
});

/** A case of the last days: the case table's first fields, and its card's key and link. */
export const newCaseSchema = caseItemSchema
  .pick({
    caseNumber: true,
    caseUrl: true,
    createdDate: true,
    severity: true,
    severityOrder: true,
    account: true,
    summary: true,
    status: true,
  })
  .extend({ jiraKey: nstr, jiraUrl: nstr });

export const newCasesSchema = z.strictObject({ days: int, items: z.array(newCaseSchema) });

export const newCasesQuery = z.strictObject({
  days: z.int().min(1).max(365).default(7),
  limit: z.int().min(1).max(2000).default(500),
  ...formatField,
});

export type StatusCounts = Wire<typeof statusCountsSchema>;
export type NewCase = Wire<typeof newCaseSchema>;
export type NewCases = Wire<typeof newCasesSchema>;
