import { z } from 'zod';
import { FACET_NAMES, type FacetName } from '../table-query.js';
import { PRIO_LIST_STATES, SLA_LEVELS } from '../vocabulary.js';
import { dateTime, int, nint, nstr, str, strings, type Wire } from './common.js';

// A row of the card and case tables, the facet counts, and the table answer.

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
