import { dateTime, int, ndateTime, nstr, obj, str, strings } from './common.js';
import { cardItemSchema, filterProperties, lastCommentSchema } from './tables.js';

// Reports: account → case status → cards.

const commentSchema = obj({ date: dateTime, body: str, format: str, author: nstr });

const reportBugSchema = obj({
  id: str,
  url: str,
  summary: nstr,
  targetRelease: strings,
  assignee: nstr,
  qaContact: nstr,
  lastChange: ndateTime,
  status: nstr,
  severity: nstr,
});

const grouped = (card: object) => ({
  type: 'array',
  items: obj({
    account: nstr,
    statuses: { type: 'array', items: obj({ status: nstr, cards: { type: 'array', items: card } }) },
  }),
});

const withFields = (extra: Record<string, object>) => ({
  ...cardItemSchema,
  properties: { ...cardItemSchema.properties, ...extra },
  required: [...cardItemSchema.required, ...Object.keys(extra)],
});

export const reportSchema = obj({
  kind: { type: 'string', enum: ['recent', 'all', 'trends'] },
  total: int,
  limit: int,
  offset: int,
  accounts: grouped(
    withFields({
      bugs: { type: 'array', items: reportBugSchema },
      comments: { type: 'array', items: commentSchema },
    }),
  ),
});

export const weeklySchema = obj({
  from: dateTime,
  to: dateTime,
  total: int,
  limit: int,
  offset: int,
  accounts: grouped(withFields({ comment: lastCommentSchema })),
});

const reportPaging = {
  limit: { type: 'integer', minimum: 1, maximum: 2000, default: 200 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;

export const reportQuerystring = {
  type: 'object',
  properties: { ...filterProperties, ...reportPaging },
  additionalProperties: false,
} as const;

const day = {
  type: 'string',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:?[0-9]{2})?)?$',
} as const;

export const weeklyQuerystring = {
  type: 'object',
  properties: {
    ...filterProperties,
    ...reportPaging,
    from: { ...day, description: 'Start (inclusive); default 7 days before `to`.' },
    to: { ...day, description: 'End (exclusive); default now.' },
  },
  additionalProperties: false,
} as const;
