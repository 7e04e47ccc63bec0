import { z } from 'zod';
import { MIRROR_KEYS, type MirrorKey, type MirrorSource, SEVERITIES } from '../shared/vocabulary.js';

// The original Python dashboard's Redis layout, as zod schemas of what it wrote. Every value is a
// JSON string set with MSET, one blob per key, no TTL:
//
//   cases        { "<case#>": Case }             all cases of the query, Closed included
//   details      { case#: Detail } | null        open cases only
//   case_bz      { case#: [PortalBugLink] } | null
//   bugs         { case#: [Bug] } | null         portal link fields + Bugzilla fields
//   issues       { case#: [Issue] }              linked JIRA issues; `id` is an int in its fake data
//   escalations  [ "<rendered case-links field of an escalation>" ] | null
//   cards        { "<JIRA KEY>": Card }          full cards, and the partial shape card creation
//                                                merged in until the next hourly refresh
//   stats        { "YYYY-MM-DD": Stats }         the only store of the trend history
//   users        { rhatUUID: { <SAML attribute>: [values] } }
//   timestamp    "2026-07-30 14:21:03.123456+00:00" (when `cards` was last rebuilt, UTC)
//
// Its quirks, all accepted here: ids are ints or strings; optional fields are missing or null;
// dates come as ISO with `Z`, as JIRA's `+0000`, as "YYYY-MM-DD HH:MM" (UTC), as "YYYY-MM-DD", or
// as epoch milliseconds (relief/resolution times). Unknown extra fields are kept (loose objects).

export { MIRROR_KEYS, type MirrorKey };

/** The t5g source each key feeds (`users` feeds none of t5g's jobs, so it is always mirrored). */
export const KEY_SOURCE: Record<MirrorKey, MirrorSource | null> = {
  cases: 'cases',
  details: 'details',
  case_bz: 'details',
  bugs: 'bugs',
  issues: 'issues',
  escalations: 'escalations',
  cards: 'cards',
  timestamp: 'cards',
  stats: 'stats',
  users: null,
};

/** The keys to mirror when these sources are mirrored. */
export const keysOf = (sources: readonly MirrorSource[]): MirrorKey[] =>
  MIRROR_KEYS.filter((k) => KEY_SOURCE[k] === null || sources.includes(KEY_SOURCE[k]));

export const isMirrorKey = (key: string): key is MirrorKey =>
  (MIRROR_KEYS as readonly string[]).includes(key);

/** Parses every date form the original wrote; undefined when the text is none of them. */
export function parseLegacyDate(value: string | number): Date | undefined {
  if (typeof value === 'number') {
    // Epoch milliseconds (the original's relief_at/resolved_at); seconds would land in 1970.
    const d = new Date(value);
    return Number.isFinite(value) && !Number.isNaN(d.getTime()) ? d : undefined;
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/.exec(
    value.trim(),
  );
  if (!m) return undefined;
  const [, day, hm, sec = ':00', frac = '', zone = 'Z'] = m;
  const ms = frac ? `.${frac.slice(1, 4).padEnd(3, '0')}` : '';
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const d = new Date(hm ? `${day}T${hm}${sec}${ms}${offset}` : `${day}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const legacyDate = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const d = parseLegacyDate(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: `not a date: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return d;
});
const optionalDate = legacyDate.nullish().transform((v) => v ?? null);
const optionalText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : String(v)));
/** An id the original wrote as an int or a string. */
const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const textList = z
  .array(z.union([z.string(), z.number()]).transform(String))
  .nullish()
  .transform((v) => v ?? null);

const severityText = z
  .string()
  .regex(/^[1-4] \((Urgent|High|Normal|Low)\)$/, { message: 'expected "N (Word)", e.g. "2 (High)"' });

export const legacyCaseSchema = z.looseObject({
  account: z.string(),
  createdate: legacyDate,
  description: z.string().nullish(),
  last_update: legacyDate,
  owner: z.string().nullish(),
  problem: z.string(),
  product: z.string().nullish(),
  severity: severityText,
  status: z.string().min(1),
  bug: optionalText,
  tags: z.array(z.string()).nullish(),
  closeddate: optionalDate,
  product_version: z.string().nullish(),
});
export type LegacyCase = z.output<typeof legacyCaseSchema>;

const notifiedUser = z.looseObject({ ssoUsername: z.string(), title: z.string().nullish() });

export const legacyDetailSchema = z.looseObject({
  crit_sit: z.boolean().nullish(),
  group_name: z.string().nullish(),
  notified_users: z.array(notifiedUser).nullish(),
  relief_at: optionalDate,
  resolved_at: optionalDate,
});
export type LegacyDetail = z.output<typeof legacyDetailSchema>;

export const legacyBugLinkSchema = z.looseObject({
  bugzillaNumber: id,
  bugzillaLink: z.string().nullish(),
  caseNumber: optionalText,
  linkedAt: optionalDate,
  status: optionalText,
  summary: optionalText,
});

/** A bug of `bugs` (and of a card's `bugzilla`): the Portal's link fields plus Bugzilla's. */
export const legacyBugSchema = legacyBugLinkSchema.extend({
  target_release: textList,
  assignee: optionalText,
  last_change_time: optionalDate,
  internal_whiteboard: optionalText,
  qa_contact: optionalText,
  severity: optionalText,
});
export type LegacyBug = z.output<typeof legacyBugSchema>;

export const legacyIssueSchema = z.looseObject({
  id,
  url: optionalText,
  title: optionalText,
  status: optionalText,
  updated: optionalDate,
  qa_contact: optionalText,
  jira_severity: optionalText,
  jira_type: optionalText,
  assignee: optionalText,
  fix_versions: textList,
  priority: optionalText,
  private_keywords: textList,
});
export type LegacyIssue = z.output<typeof legacyIssueSchema>;

/** A JIRA user as the card carries it; the partial shape carries the team member's whole entry. */
const legacyUser = z.looseObject({
  displayName: z.string().nullish(),
  accountId: z.string().nullish(),
  emailAddress: z.string().nullish(),
  name: z.string().nullish(),
  jira_user: z.string().nullish(),
});

/** `[body, updated]`, oldest first; a few older payloads carry objects instead. */
const legacyComment = z.union([
  z.tuple([z.string(), legacyDate]).rest(z.unknown()),
  z.looseObject({
    id: optionalText,
    author: optionalText,
    body: z.string(),
    updated: legacyDate.optional(),
    created: legacyDate.optional(),
  }),
]);

/**
 * A card: the full shape the hourly refresh writes and the partial one card creation merges in
 * (no case dates, no details, `comments: null`, `bugzilla` a bug number string or `[]`).
 */
export const legacyCardSchema = z.looseObject({
  card_status: z.string().min(1),
  card_created: legacyDate,
  account: z.string().nullish(),
  summary: z.string(),
  description: z.string().nullish(),
  comments: z.array(legacyComment).nullish(),
  assignee: legacyUser.nullish(),
  contributor: z.array(legacyUser).nullish(),
  case_number: id.nullish(),
  tags: z.array(z.string()).nullish(),
  labels: z.array(z.string()).nullish(),
  bugzilla: z.union([z.array(legacyBugSchema), z.string(), z.number()]).nullish(),
  issues: z.array(legacyIssueSchema).nullish(),
  severity: z.enum(SEVERITIES).nullish(),
  priority: optionalText,
  escalated: z.boolean().nullish(),
  escalated_link: optionalText,
  product: z.string().nullish(),
  case_status: z.string().nullish(),
  crit_sit: z.boolean().nullish(),
  group_name: z.string().nullish(),
  case_updated_date: optionalDate,
  case_created: optionalDate,
  notified_users: z.array(notifiedUser).nullish(),
  relief_at: optionalDate,
  resolved_at: optionalDate,
});
export type LegacyCard = z.output<typeof legacyCardSchema>;

/** A day's stats as the original computed them; stored as is (the stats view reads its names). */
export const legacyStatsSchema = z.record(z.string(), z.unknown());
export const statsDaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected YYYY-MM-DD' });

/** A user's SAML attributes, each a list of values. */
export const legacyUserSchema = z.record(z.string(), z.union([z.array(z.unknown()), z.string(), z.null()]));
