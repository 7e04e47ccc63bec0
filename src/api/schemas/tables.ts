import {
  FACET_NAMES,
  LABEL_NAMES,
  PRIO_LIST_STATES,
  SEVERITY_LABELS,
  SORT_PATTERN,
  YES_NO,
} from '../../store/queries/dashboard-filter.js';
import { bool, dateTime, int, ndateTime, nint, nstr, obj, str, strings } from './common.js';

// Schemas of the card and case tables: the filter querystring, a row, facet counts.

const many = (items: object) => ({ type: 'array', items, maxItems: 200 }) as const;
const text = { type: 'string', maxLength: 300 } as const;
const oneOf = (values: readonly string[]) => ({ type: 'string', enum: values }) as const;

/** Filter fields, shared by every view built on the card/case filters (tables, reports, CSV). */
export const filterProperties = {
  severity: many(oneOf(SEVERITY_LABELS)),
  prioList: many(oneOf(PRIO_LIST_STATES)),
  critSit: many(oneOf(YES_NO)),
  escalated: { ...many(oneOf(YES_NO)), description: 'On the prio-list or crit sit.' },
  product: { ...many(text), description: 'An empty value selects rows with no product.' },
  account: many(text),
  caseStatus: many(text),
  internalStatus: many(text),
  assignee: { ...many(text), description: 'An empty value selects unassigned cards.' },
  label: many(oneOf(LABEL_NAMES)),
  closedNotDone: { ...many(oneOf(YES_NO)), description: 'Case Closed while the card is not Done.' },
  updatedWithinDays: {
    type: 'integer',
    minimum: 1,
    maximum: 3650,
    description: 'Case updated in the last N days.',
  },
  recent: { type: 'boolean', description: 'A JIRA comment updated in the last 7 days.' },
  q: { type: 'string', maxLength: 200, description: 'Full text over cases and both comment kinds.' },
} as const;

export const pagingProperties = {
  sort: {
    type: 'string',
    pattern: SORT_PATTERN,
    description: 'key:asc|desc, comma-separated; default severity:desc,prioList:desc,critSit:desc.',
  },
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;

export const formatProperty = {
  format: { type: 'string', enum: ['json', 'csv'], description: 'csv streams every matching row.' },
} as const;

export const tableQuerystring = {
  type: 'object',
  properties: { ...filterProperties, ...pagingProperties, ...formatProperty },
  additionalProperties: false,
} as const;

export const facetsSchema = obj(
  Object.fromEntries(FACET_NAMES.map((n) => [n, { type: 'array', items: obj({ value: nstr, count: int }) }])),
);

export const lastCommentSchema = {
  type: ['object', 'null'],
  properties: { date: dateTime, body: str, format: str, author: nstr },
  required: ['date', 'body', 'format', 'author'],
} as const;

export const cardItemSchema = obj({
  key: str,
  jiraUrl: nstr,
  caseNumber: nstr,
  caseUrl: nstr,
  caseCreated: ndateTime,
  severity: nstr,
  severityOrder: int,
  prioList: oneOf(PRIO_LIST_STATES),
  escalationUrl: nstr,
  critSit: bool,
  summary: str,
  product: nstr,
  productVersion: nstr,
  account: nstr,
  caseStatus: nstr,
  internalStatus: str,
  assignee: nstr,
  contributors: strings,
  priority: nstr,
  lastComment: lastCommentSchema,
  daysOpen: nint,
  sla: oneOf(['none', 'warning', 'breach']),
  caseLastUpdated: ndateTime,
  cardUpdated: dateTime,
  dailyTelco: bool,
  trends: bool,
  labels: strings,
});

export const caseItemSchema = obj({
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
  closedDate: ndateTime,
  critSit: bool,
  prioList: oneOf(PRIO_LIST_STATES),
  daysOpen: nint,
  sla: oneOf(['none', 'warning', 'breach']),
  card: {
    type: ['object', 'null'],
    properties: { key: str, jiraUrl: nstr, internalStatus: str, assignee: nstr, lastCommentAt: ndateTime },
    required: ['key', 'jiraUrl', 'internalStatus', 'assignee', 'lastCommentAt'],
  },
  dailyTelco: bool,
  trends: bool,
});

export const tableResponse = (item: object) =>
  obj({ items: { type: 'array', items: item }, total: int, facets: facetsSchema });

/** A 200 that is JSON, or CSV when asked for (`?format=csv`, `Accept: text/csv`). */
export const csvOrJson = (schema: object) => ({
  content: {
    'application/json': { schema },
    'text/csv': { schema: { type: 'string', description: 'Every matching row as CSV, with a header line.' } },
  },
});
