import { z } from 'zod';
import {
  DEFAULT_LIMIT,
  DEFAULT_SORT,
  FACET_NAMES,
  type FacetName,
  formatSort,
  MAX_LIMIT,
  SORT_PATTERN,
} from '../table-query.js';
import { CARD_LABELS, PRIO_LIST_STATES, RECENT_DAYS, SEVERITIES, SLA_LEVELS, YES_NO } from '../vocabulary.js';
import { clientText, dateTime, int, nint, nstr, str, strings, type Wire } from './common.js';

// The card and case tables: the querystring (filters, sort, paging), a row, the facet counts, and
// the table answer.

const many = <T extends z.ZodType>(item: T) => z.array(item).max(200);
const text = clientText(300);
const yesNo = many(z.enum(YES_NO));

/** Filter fields, shared by every view built on the card/case filters (tables, reports, CSV). */
export const filterFields = {
  severity: many(z.enum(SEVERITIES)).optional(),
  prioList: many(z.enum(PRIO_LIST_STATES)).optional(),
  critSit: yesNo.optional(),
  escalated: yesNo.describe('On the prio-list or crit sit.').optional(),
  product: many(text).describe('An empty value selects rows with no product.').optional(),
  account: many(text).optional(),
  caseStatus: many(text).optional(),
  internalStatus: many(text).optional(),
  assignee: many(text).describe('An empty value selects unassigned cards.').optional(),
  label: many(z.enum(CARD_LABELS)).optional(),
  closedNotDone: yesNo.describe('Case Closed while the card is not Done.').optional(),
  open: z.boolean().describe('Only cases that are not Closed (with true).').optional(),
  updatedWithinDays: z.int().min(1).max(3650).describe('Case updated in the last N days.').optional(),
  recent: z.boolean().describe(`A JIRA comment updated in the last ${RECENT_DAYS} days.`).optional(),
  q: clientText(200).describe('Full text over cases and both comment kinds.').optional(),
};

/**
 * What the tables filter on. Within a facet the selected values are alternatives (OR); across
 * facets and the other fields every condition must hold (AND). For the text facets an empty string
 * selects rows where the value is missing (no product, unassigned, no case).
 */
export const dashboardFilter = z.strictObject(filterFields);
export type DashboardFilter = z.output<typeof dashboardFilter>;

export const pagingFields = {
  sort: z
    .string()
    .max(500)
    .regex(new RegExp(SORT_PATTERN))
    .describe(`key:asc|desc, comma-separated; default ${formatSort(DEFAULT_SORT)}.`)
    .optional(),
  limit: z.int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  offset: z.int().min(0).max(1_000_000).default(0),
};

export const formatField = {
  format: z.enum(['json', 'csv']).describe('csv streams every matching row.').optional(),
  bom: z
    .boolean()
    .describe(
      'With csv: start the file with a UTF-8 byte-order mark, so Excel reads it as UTF-8 (non-Latin text is garbled without it).',
    )
    .optional(),
};

/** The card and case tables' querystring. */
export const tableQuery = z.strictObject({ ...filterFields, ...pagingFields, ...formatField });
export type TableQuery = z.output<typeof tableQuery>;

export const prioListSchema = z.enum(PRIO_LIST_STATES);
export const slaSchema = z.enum(SLA_LEVELS);

export const facetCountSchema = z.strictObject({ value: nstr, count: int });
export const facetsSchema = z.strictObject(
  Object.fromEntries(FACET_NAMES.map((n) => [n, z.array(facetCountSchema)])) as Record<
    FacetName,
    z.ZodArray<typeof facetCountSchema>
  >,
);

export const lastCommentSchema = z.strictObject({ date: dateTime, body: str, format: str, author: nstr });

export const cardItemSchema = z.strictObject({
  key: str,
  jiraUrl: nstr,
  caseNumber: nstr,
  caseUrl: nstr,
  caseCreated: dateTime.nullable(),
  severity: nstr,
  severityOrder: int,
  prioList: prioListSchema,
  escalationUrl: nstr,
  critSit: z.boolean(),
  summary: str,
  product: nstr,
  productVersion: nstr,
  account: nstr,
  caseStatus: nstr,
  internalStatus: str,
  assignee: nstr,
  contributors: strings,
  priority: nstr,
  lastComment: lastCommentSchema.nullable(),
  daysOpen: nint,
  sla: slaSchema,
  caseLastUpdated: dateTime.nullable(),
  cardUpdated: dateTime,
  dailyTelco: z.boolean(),
  trends: z.boolean(),
  labels: strings,
});

export const caseItemSchema = z.strictObject({
  caseNumber: str,
  caseUrl: str,
  createdDate: dateTime,
  severity: str,
  severityOrder: int,
  account: str,
  summary: str,
  status: str,
  owner: nstr,
  product: nstr,
  productVersion: nstr,
  lastUpdate: dateTime,
  closedDate: dateTime.nullable(),
  critSit: z.boolean(),
  prioList: prioListSchema,
  daysOpen: nint,
  sla: slaSchema,
  card: z
    .strictObject({
      key: str,
      jiraUrl: nstr,
      internalStatus: str,
      assignee: nstr,
      lastCommentAt: dateTime.nullable(),
    })
    .nullable(),
  dailyTelco: z.boolean(),
  trends: z.boolean(),
});

export const tableResponse = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), total: int, facets: facetsSchema });
export const cardTableSchema = tableResponse(cardItemSchema);
export const caseTableSchema = tableResponse(caseItemSchema);

export type PrioList = Wire<typeof prioListSchema>;
export type Sla = Wire<typeof slaSchema>;
export type FacetCount = Wire<typeof facetCountSchema>;
export type Facets = Wire<typeof facetsSchema>;
export type LastComment = Wire<typeof lastCommentSchema>;
export type CardItem = Wire<typeof cardItemSchema>;
export type CaseItem = Wire<typeof caseItemSchema>;
export type TableResponse<T> = Omit<Wire<typeof cardTableSchema>, 'items'> & { items: T[] };
