import { int, mapOf, nnum, nstr, obj, str } from './common.js';

// Stats: the live metrics, the daily history and the relief / resolution distributions.

const counts = mapOf(int);

export const statsSchema = obj({
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

const durationSchema = obj({
  count: int,
  mean: nnum,
  median: nnum,
  buckets: { type: 'array', items: obj({ fromDays: { type: 'number' }, toDays: nnum, count: int }) },
});

export const outcomesSchema = obj({ relief: mapOf(durationSchema), resolution: mapOf(durationSchema) });

export const historySchema = obj({
  from: str,
  to: str,
  days: { type: 'array', items: str },
  series: mapOf({ type: 'array', items: { type: ['number', 'null'] } }),
  account: nstr,
  engineer: nstr,
});

export const scopeQuerystring = {
  type: 'object',
  properties: {
    account: { type: 'string', minLength: 1, maxLength: 300 },
    engineer: { type: 'string', minLength: 1, maxLength: 300 },
  },
  additionalProperties: false,
} as const;

const day = { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' } as const;

export const historyQuerystring = {
  type: 'object',
  properties: {
    ...scopeQuerystring.properties,
    from: { ...day, description: 'First day (UTC); default 90 days before `to`.' },
    to: { ...day, description: 'Last day (UTC); default today.' },
  },
  additionalProperties: false,
} as const;
