import { z } from 'zod';
import { MIRROR_SOURCES, SEVERITIES, type Severity, SYNCED_SOURCES } from '../shared/vocabulary.js';

// Every environment variable t5g reads, with its default. This file is the single list the README
// table and `.env.example` document; `config.ts` turns the parsed values into the typed `Config`.
//
// Unset and empty variables both mean "use the default" (the original assigned `os.environ.get()`
// over its defaults, so an unset variable silently became None).

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return def;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a whole number from ${min} to ${max}, got "${v}"`,
        });
        return z.NEVER;
      }
      return n;
    });

// Only http(s): every URL variable is fetched or shown as a link. Credentials inside the URL are
// refused rather than used: fetch rejects such URLs, the connectors authenticate with their own
// variables (JIRA_USER / JIRA_TOKEN …), and a URL is shown to users (links, /api/v1/meta).
const absoluteUrl = () =>
  z
    .string()
    .refine((v) => /^https?:$/.test(URL.parse(v)?.protocol ?? ''), {
      message: 'expected an absolute URL (http:// or https://)',
    })
    .refine(
      (v) => {
        const u = URL.parse(v);
        return !u || (u.username === '' && u.password === '');
      },
      { message: 'must not contain credentials (user:password@); use the variables for them' },
    );
const url = (def: string) => absoluteUrl().default(def);
const optionalUrl = () => absoluteUrl().optional();

const pgUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// or postgresql:// URL' })
  .optional();

const redisUrl = z
  .string()
  .regex(/^rediss?:\/\//, { message: 'expected a redis:// or rediss:// URL' })
  .optional();

/** Fastify's `trustProxy`: false, true (any proxy), a hop count, or addresses / CIDR ranges. */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): boolean | number | string[] => {
    if (v === undefined) return false;
    const s = v.trim().toLowerCase();
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    if (['true', 'yes', 'on'].includes(s)) return true;
    if (/^[0-9]{1,2}$/.test(s)) return Number(s);
    const parts = s
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    if (
      parts.length &&
      parts.every(
        (p) =>
          /^[0-9a-f.:]+(\/[0-9]{1,3})?$/.test(p) ||
          p === 'loopback' ||
          p === 'linklocal' ||
          p === 'uniquelocal',
      )
    )
      return parts;
    ctx.addIssue({
      code: 'custom',
      message: `expected false, true, a hop count or comma-separated addresses/CIDR ranges, got "${v}"`,
    });
    return z.NEVER;
  });

const list = (def: string[]) =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? def
        : v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
    );

/**
 * What an upstream request does, which sets how long one attempt may take: `lookup` reads one record
 * (a case, its comments, an issue), `search` a page of a search or a batch of records, `write`
 * changes something upstream, `token` exchanges credentials.
 */
export const REQUEST_KINDS = ['lookup', 'search', 'write', 'token'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
/** The upstreams reached through the shared HTTP layer. */
export const HTTP_UPSTREAMS = ['portal', 'sso', 'jira', 'bugzilla'] as const;
export type HttpUpstream = (typeof HTTP_UPSTREAMS)[number];

const jsonOf = <T extends z.ZodTypeAny>(schema: T, def: z.output<T> | undefined) =>
  z
    .string()
    .optional()
    .transform((v, ctx): z.output<T> | undefined => {
      if (v === undefined) return def;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not valid JSON (${(err as Error).message})` });
        return z.NEVER;
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        for (const issue of result.error.issues) {
          const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
          ctx.addIssue({ code: 'custom', message: `${issue.message}${where}` });
        }
        return z.NEVER;
      }
      return result.data;
    });

// Five-field cron (minute hour day-of-month month day-of-week), as pg-boss schedules take.
const cronField = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const cron = (def: string) =>
  z
    .string()
    .default(def)
    .refine((v) => {
      const parts = v.trim().split(/\s+/);
      return parts.length === 5 && parts.every((p) => cronField.test(p));
    }, 'expected a five-field cron expression such as "*/15 * * * *"');

// The original's team JSON accepted "true"/"false" strings for its flags; keep accepting them.
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((s) => s === 'true')]);

/** One value for each case severity. */
const perSeverity = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(SEVERITIES.map((s) => [s, value])) as Record<Severity, T>);

export const teamMemberSchema = z.object({
  name: z.string().min(1),
  jira_user: z.string().min(1),
  jira_account_id: z.string().optional(),
  slack_user: z.string().optional(),
  accounts: z.array(z.string()).default([]),
  active: flag.default(true),
  notifieduser: flag.default(true),
});

export const slaSettingsSchema = z.object({
  days: perSeverity(z.number().positive()),
  partners: z.array(z.string()).default([]),
});

const DEFAULT_STATUS_MAP: Record<string, string> = {
  New: 'New',
  'To Do': 'Backlog',
  Open: 'Debugging',
  'In Progress': 'Eng Working',
  'Code Review': 'Backport',
  'QE Review': 'Ready To Close',
  Blocked: 'Blocked',
  "Won't Fix / Obsolete": 'Done',
  Done: 'Done',
  Closed: 'Done',
};

const DEFAULT_PRIORITY_MAP = { Urgent: 'Critical', High: 'Major', Normal: 'Normal', Low: 'Minor' };

export const envSchema = z.object({
  // Service
  PORT: int(8080, 1, 65535),
  // Loopback unless told otherwise: listening on every interface is a deliberate choice (HOST=0.0.0.0).
  HOST: z.string().min(1).default('127.0.0.1'),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // auto: readable lines on a terminal, JSON (one object per line) otherwise.
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  // `t5g web`: web processes sharing the port (node:cluster); `--workers N` overrides it.
  WEB_WORKERS: int(1, 1, 64),
  SHUTDOWN_TIMEOUT_SECONDS: int(20, 1, 600),
  // How far V8 lets the JavaScript heap grow past what the last full collection kept, in percent; 0:
  // V8's own choice, up to 4× on a machine with memory to spare, which a sync's bursts of garbage
  // turn into hundreds of MB held long after.
  HEAP_GROWTH_PERCENT: int(50, 0, 400),
  SESSION_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  NODE_ENV: z.string().optional(),
  PUBLIC_URL: optionalUrl(),
  READ_ONLY: bool(true),
  DEMO_MODE: z.enum(['auto', 'true', 'false']).default('auto'),
  DEMO_CASES: int(500, 10, 100_000),
  DEMO_SEED: int(1, 0, 2 ** 31 - 1),
  DEMO_SIMULATOR_PORT: int(9900, 0, 65_535),

  // Sign-in and access
  AUTH_MODE: z.enum(['none', 'oidc', 'saml']).optional(),
  AUTH_ALLOW_NONE: bool(false),
  AUTH_ADMIN_GROUPS: list([]),
  AUTH_OPERATOR_GROUPS: list([]),
  AUTH_VIEWER_GROUPS: list([]),
  AUTH_CONTACT: z.string().optional(),
  AUTH_RATE_LIMIT: int(30, 1, 100_000),
  SESSION_IDLE_MINUTES: int(120, 1, 7 * 24 * 60),
  SESSION_ABSOLUTE_HOURS: int(12, 1, 90 * 24),
  OIDC_ISSUER_URL: optionalUrl(),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_SCOPES: z.string().min(1).default('openid profile email'),
  OIDC_GROUPS_CLAIM: z.string().min(1).default('groups'),
  SAML_ENTRY_POINT: optionalUrl(),
  SAML_IDP_CERT: z.string().min(1).optional(),
  SAML_ISSUER: z.string().min(1).optional(),
  SAML_LOGOUT_URL: optionalUrl(),
  SAML_USER_ID_ATTRIBUTE: z.string().min(1).optional(),
  SAML_NAME_ATTRIBUTE: z.string().min(1).default('displayName'),
  SAML_EMAIL_ATTRIBUTE: z.string().min(1).default('email'),
  SAML_GROUPS_ATTRIBUTE: z.string().min(1).default('groups'),
  METRICS_TOKEN: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
  // 0: `t5g worker` / `t5g scheduler` serve no metrics (they have no HTTP otherwise).
  WORKER_METRICS_PORT: int(0, 0, 65535),

  // Storage
  DATABASE_URL: pgUrl,
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATABASE_WAIT_SECONDS: int(60, 0, 3600),
  DATA_DIR: z.string().min(1).default('./data'),
  // PGlite's shared buffers live in its WebAssembly memory, which never shrinks: they count in full
  // in the process's RSS (PostgreSQL's own default, 128 MB, is most of a t5g start's database memory).
  PGLITE_SHARED_BUFFERS_MB: int(32, 1, 4096),
  // A new PGlite DATA_DIR is copied from the template `npm ci` builds; false runs initdb instead.
  PGLITE_TEMPLATE: bool(true),
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'expected 1–64 letters, digits or _ . : -' })
    .default('t5g:'),
  CACHE_TTL_SECONDS: int(300, 1, 7 * 24 * 3600),
  CACHE_MAX_ENTRIES: int(5000, 10, 10_000_000),
  RESPONSE_CACHE_MB: int(256, 0, 65_536),

  // Redis mirror of the original dashboard (`t5g mirror`)
  REDIS_MIRROR_URL: redisUrl,
  REDIS_MIRROR_USERNAME: z.string().optional(),
  REDIS_MIRROR_PASSWORD: z.string().optional(),
  REDIS_MIRROR_SOURCES: list([...MIRROR_SOURCES]).pipe(z.array(z.enum(MIRROR_SOURCES))),
  REDIS_MIRROR_CONFIG_SET: bool(true),
  REDIS_MIRROR_POLL_SECONDS: int(5, 1, 3600),
  REDIS_MIRROR_RECONCILE_SECONDS: int(300, 10, 7 * 24 * 3600),

  // Customer Portal
  PORTAL_API_URL: url('https://access.redhat.com/hydra/rest'),
  PORTAL_SSO_TOKEN_URL: url(
    'https://sso.redhat.com/auth/realms/redhat-external/protocol/openid-connect/token',
  ),
  PORTAL_CLIENT_ID: z.string().min(1).default('rhsm-api'),
  PORTAL_OFFLINE_TOKEN: z.string().optional(),
  PORTAL_CASE_QUERY: z.string().min(1).default('case_tags:*shift_telco5g*'),
  PORTAL_PAGE_SIZE: int(5000, 1, 9999),
  // Parallel Portal requests per run (the details job's two lookups per case go through it). 4:
  // the Portal's rate limit is per Red Hat account, shared with everyone else on it, and the
  // original dashboard read one case at a time; a 429 pauses every caller of the run anyway. With
  // the requests themselves cheap, more only pays off against a slow Portal.
  PORTAL_CONCURRENCY: int(4, 1, 64),

  // JIRA (team cards, linked issues, escalations)
  JIRA_URL: optionalUrl(),
  JIRA_FLAVOR: z.enum(['cloud', 'dc']).default('cloud'),
  JIRA_USER: z.string().optional(),
  JIRA_TOKEN: z.string().optional(),
  JIRA_PROJECT: z.string().optional(),
  JIRA_COMPONENT: z.string().optional(),
  JIRA_BOARD: z.string().optional(),
  JIRA_SPRINT: z.string().optional(),
  JIRA_CARD_LABEL: z.string().min(1).default('field'),
  JIRA_NEW_CARD_LABELS: list([]),
  JIRA_ISSUE_TYPE: z.string().min(1).default('Story'),
  JIRA_ESCALATIONS_PROJECT: z.string().optional(),
  JIRA_ESCALATIONS_LABEL: z.string().optional(),
  JIRA_FIELD_CONTRIBUTORS: z.string().min(1).default('customfield_10466'),
  JIRA_FIELD_QA_CONTACT: z.string().min(1).default('customfield_10470'),
  JIRA_FIELD_SEVERITY: z.string().min(1).default('customfield_10840'),
  JIRA_FIELD_PRIVATE_KEYWORDS: z.string().min(1).default('customfield_11087'),
  JIRA_FIELD_INTERNAL_WHITEBOARD: z.string().min(1).default('customfield_11004'),
  JIRA_FIELD_CASE_LINKS: z.string().min(1).default('customfield_10979'),
  JIRA_FIELD_RELEASE_NOTE: z.string().min(1).default('customfield_10783'),
  JIRA_RELEASE_NOTE_VALUE: z.string().default('TRACK'),
  JIRA_FIELD_SPRINT: z.string().min(1).default('customfield_10020'),
  JIRA_STATUS_MAP: jsonOf(z.record(z.string(), z.string()), DEFAULT_STATUS_MAP),
  JIRA_PRIORITY_MAP: jsonOf(perSeverity(z.string()), DEFAULT_PRIORITY_MAP),
  JIRA_TRANSITION_TODO: z.string().min(1).default('To Do'),
  JIRA_TRANSITION_REOPEN: z.string().min(1).default('To Do'),
  JIRA_PAGE_SIZE: int(100, 1, 5000),
  JIRA_CONCURRENCY: int(4, 1, 64),
  // The secret JIRA signs webhook bodies with (X-Hub-Signature: sha256=HMAC); unset = webhooks refused.
  JIRA_WEBHOOK_SECRET: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),

  // Bugzilla
  BUGZILLA_URL: url('https://bugzilla.redhat.com'),
  BUGZILLA_API_KEY: z.string().optional(),
  BUGZILLA_BATCH_SIZE: int(100, 1, 500),

  // Team and card automation
  TEAM: jsonOf(z.array(teamMemberSchema), undefined),
  TEAM_FILE: z.string().optional(),
  SLA_SETTINGS: jsonOf(slaSettingsSchema, {
    days: { Urgent: 14, High: 20, Normal: 90, Low: 180 },
    partners: [],
  }),
  MAX_CARDS_PER_RUN: int(10, 0, 10_000),
  REOPEN_AFTER_DAYS: int(15, 0, 3650),
  JIRA_SEARCH_SETTLE_SECONDS: int(30, 0, 3600),

  // E-mail
  SMTP_HOST: z.string().default('localhost'),
  SMTP_PORT: int(25, 1, 65535),
  SMTP_SECURE: bool(false),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  EMAIL_FROM: z.string().default('dashboard@example.com'),
  EMAIL_TO: list([]),
  EMAIL_SUBJECT: z.string().default('New Card(s) Have Been Created to Track Issues'),
  ALERT_EMAIL: list(['root@localhost']),
  BUG_EMAIL: list([]),
  ALERT_WINDOW_SECONDS: int(3600, 0, 7 * 24 * 3600),

  // Slack
  SLACK_TOKEN: z.string().optional(),
  SLACK_API_URL: url('https://slack.com/api/'),
  SLACK_HIGH_SEVERITY_CHANNEL: z.string().optional(),
  SLACK_LOW_SEVERITY_CHANNEL: z.string().optional(),
  SLACK_ALERT_CHANNEL: z.string().optional(),

  // Schedules (UTC cron)
  SCHEDULE_CASES: cron('*/15 * * * *'),
  SCHEDULE_CASES_RECONCILE: cron('5 2 * * *'),
  SCHEDULE_CARDS: cron('21 * * * *'),
  SCHEDULE_CARDS_FULL: cron('51 2 * * *'),
  SCHEDULE_DETAILS: cron('24 0,12 * * *'),
  // Hourly: between the daily full passes a pass reads only what changed since its cursor.
  SCHEDULE_ISSUES: cron('54 * * * *'),
  SCHEDULE_BUGS: cron('48 * * * *'),
  SCHEDULE_ESCALATIONS: cron('37 */2 * * *'),
  SCHEDULE_STATS: cron('40 4 * * *'),
  SCHEDULE_CARD_CREATION: cron('10 * * * *'),
  SCHEDULE_PRIORITY_SYNC: cron('12 3 * * *'),
  SCHEDULE_BUG_TAGGING: cron('33 0 * * *'),

  // Upstream calls: seconds one attempt may take, by kind of request, for every upstream ("lookup")
  // or one ("portal.lookup"); and the longest a sync run may take before it is aborted and retried.
  UPSTREAM_TIMEOUT_SECONDS: jsonOf(
    z.record(
      z
        .string()
        .regex(
          new RegExp(`^((${HTTP_UPSTREAMS.join('|')})\\.)?(${REQUEST_KINDS.join('|')})$`),
          `a key is a kind of request (${REQUEST_KINDS.join(', ')}), alone or after an upstream and a dot (${HTTP_UPSTREAMS.join(', ')}), e.g. "portal.lookup"`,
        ),
      z.number().min(0.1).max(600),
    ),
    {},
  ),
  SYNC_RUN_DEADLINE_MINUTES: int(30, 1, 24 * 60),

  // Readiness: minutes since a source's last successful sync after which /readyz says degraded.
  SYNC_MAX_AGE_MINUTES: jsonOf(
    z.partialRecord(
      z.enum(SYNCED_SOURCES),
      z
        .number()
        .int()
        .min(1)
        .max(60 * 24 * 90),
    ),
    {},
  ),
});

/**
 * Each source's default bound: a few of its scheduled intervals (cases every 15 minutes, cards
 * hourly, linked issues and bugs hourly, escalations every 2 hours, details twice a day, stats daily).
 */
export const DEFAULT_SYNC_MAX_AGE_MINUTES: Record<(typeof SYNCED_SOURCES)[number], number> = {
  cases: 60,
  cards: 180,
  escalations: 360,
  details: 1500,
  issues: 180,
  bugs: 180,
  stats: 1560,
};

export type Env = z.output<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof Env)[];
