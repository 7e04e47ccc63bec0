import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import type { MirrorSource, Severity, SyncedSource } from '../shared/vocabulary.js';
import {
  DEFAULT_SYNC_MAX_AGE_MINUTES,
  ENV_KEYS,
  type Env,
  envSchema,
  type HttpUpstream,
  type RequestKind,
  teamMemberSchema,
} from './env-schema.js';

export type { Severity };

// The one module that reads the process environment. Everything else receives a `Config`.

export type TeamMember = z.output<typeof teamMemberSchema>;

export type AuthRole = 'viewer' | 'operator' | 'admin';

export interface AuthConfig {
  mode: 'none' | 'oidc' | 'saml';
  /** AUTH_MODE=none although NODE_ENV=production or upstream credentials are set (AUTH_ALLOW_NONE). */
  noneAllowedExplicitly: boolean;
  /** Group → role, exact names; a user gets the highest role any of their groups maps to. */
  groups: Record<AuthRole, string[]>;
  /** Named on the access-denied page. */
  contact: string | undefined;
  /** Signs the CSRF tokens and keys the stored session ids; unset (AUTH_MODE=none only): random per start. */
  sessionSecret: string | undefined;
  /** Requests per minute per client (user, else address) on the sign-in, token and refresh endpoints. */
  rateLimitPerMinute: number;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** The address users reach t5g at (OIDC redirect URI, the expected Origin). */
  publicUrl: string | undefined;
  oidc:
    | {
        issuerUrl: string;
        clientId: string;
        clientSecret: string | undefined;
        scopes: string;
        groupsClaim: string;
      }
    | undefined;
  saml:
    | {
        /** The IdP's single sign-on URL (HTTP-Redirect binding). */
        entryPoint: string;
        /** The IdP's signing certificate(s), PEM or bare base64. */
        idpCerts: string[];
        /** t5g's entity id at the IdP. */
        issuer: string;
        /** The IdP's single logout URL; unset: local logout only. */
        logoutUrl: string | undefined;
        /** Unset: the assertion's NameID is the user id. */
        userIdAttribute: string | undefined;
        nameAttribute: string;
        emailAttribute: string;
        groupsAttribute: string;
      }
    | undefined;
  metricsToken: string | undefined;
}

export interface Config {
  server: {
    port: number;
    host: string;
    logLevel: Env['LOG_LEVEL'];
    /** `auto`: pretty on a terminal, JSON otherwise. */
    logFormat: Env['LOG_FORMAT'];
    /** Web processes `t5g web` runs (one per core at most makes sense); more than one needs PostgreSQL. */
    webWorkers: number;
    sessionSecret: string | undefined;
    /** Fastify's `trustProxy`: whose X-Forwarded-* headers to believe (protocol, client address). */
    trustProxy: Env['TRUST_PROXY'];
    /** After SIGTERM: how long requests and running jobs get to finish (jobs still running are handed back). */
    shutdownTimeoutSeconds: number;
    /** Where `t5g worker` / `t5g scheduler` serve /metrics (on `host`); undefined: they serve none. */
    workerMetricsPort: number | undefined;
    /** V8's heap growing factor as a percentage over the live heap; 0: V8's default. */
    heapGrowthPercent: number;
  };
  auth: AuthConfig;
  /** Jobs never write to JIRA, the Portal, Bugzilla, Slack or e-mail while this is on. */
  readOnly: boolean;
  /** No upstream credentials: the built-in simulators stand in for every upstream. */
  demo: {
    enabled: boolean;
    cases: number;
    seed: number;
    /** Where the demo simulators listen, so the JIRA and Bugzilla links they back stay the same; 0: any free port. */
    simulatorPort: number;
  };
  storage: {
    databaseUrl: string | undefined;
    poolSize: number;
    waitSeconds: number;
    dataDir: string;
    /** PGlite's shared_buffers, in MB. */
    pgliteSharedBuffersMb: number;
    /** Whether a new PGlite data directory is copied from the prebuilt template. */
    pgliteTemplate: boolean;
    redisUrl: string | undefined;
    /** Start of every cache key, before the database's own namespace. */
    redisKeyPrefix: string;
    cacheTtlSeconds: number;
    cacheMaxEntries: number;
    /** Bytes of whole responses each process keeps in memory. */
    responseCacheBytes: number;
  };
  /** The Redis mirror; `sources` are off for t5g's own jobs while `url` is set. */
  mirror: {
    url: string | undefined;
    username: string | undefined;
    password: string | undefined;
    sources: MirrorSource[];
    configSet: boolean;
    pollSeconds: number;
    reconcileSeconds: number;
  };
  portal: {
    apiUrl: string;
    ssoTokenUrl: string;
    clientId: string;
    offlineToken: string | undefined;
    caseQuery: string;
    pageSize: number;
    concurrency: number;
  };
  jira: {
    url: string | undefined;
    flavor: 'cloud' | 'dc';
    user: string | undefined;
    token: string | undefined;
    project: string | undefined;
    component: string | undefined;
    board: string | undefined;
    sprint: string | undefined;
    cardLabel: string;
    newCardLabels: string[];
    issueType: string;
    escalations: { project: string; label: string } | undefined;
    fields: {
      contributors: string;
      qaContact: string;
      severity: string;
      privateKeywords: string;
      internalWhiteboard: string;
      caseLinks: string;
      releaseNote: string;
      sprint: string;
    };
    releaseNoteValue: string;
    statusMap: Record<string, string>;
    priorityMap: Record<Severity, string>;
    transitions: { todo: string; reopen: string };
    pageSize: number;
    concurrency: number;
    /** HMAC secret of `POST /api/v1/webhooks/jira`; undefined = webhooks are refused. */
    webhookSecret: string | undefined;
  };
  bugzilla: { url: string; apiKey: string | undefined; batchSize: number };
  team: TeamMember[];
  sla: { days: Record<Severity, number>; partners: string[] };
  cardCreation: {
    maxPerRun: number;
    reopenAfterDays: number;
    /** How long JIRA's search may miss a just-created issue (Cloud's search is eventually consistent). */
    searchSettleSeconds: number;
  };
  email: {
    smtpHost: string;
    smtpPort: number;
    secure: boolean;
    user: string | undefined;
    password: string | undefined;
    from: string;
    to: string[];
    subject: string;
    alertTo: string[];
    bugReportTo: string[];
    /** At most one failure alert per job per this many seconds. */
    alertWindowSeconds: number;
  };
  slack: {
    token: string | undefined;
    apiUrl: string;
    highSeverityChannel: string | undefined;
    lowSeverityChannel: string | undefined;
    alertChannel: string | undefined;
  };
  schedules: {
    cases: string;
    casesReconcile: string;
    cards: string;
    cardsFull: string;
    details: string;
    issues: string;
    bugs: string;
    escalations: string;
    stats: string;
    cardCreation: string;
    prioritySync: string;
    bugTagging: string;
  };
  /** Minutes since a source's last successful sync after which /readyz reports it stale. */
  syncMaxAgeMinutes: Record<SyncedSource, number>;
  /** Seconds one upstream attempt may take, by kind of request: for all upstreams and per upstream. */
  upstreamTimeoutSeconds: {
    all: Partial<Record<RequestKind, number>>;
    perUpstream: Partial<Record<HttpUpstream, Partial<Record<RequestKind, number>>>>;
  };
  /** A sync run still going after this long is aborted and retried like a failed one. */
  runDeadlineMinutes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}\n` +
        'See the configuration table in README.md or .env.example.',
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Defaults to the process environment. */
  env?: Record<string, string | undefined>;
  /** Directory holding the optional `.env` file and relative paths; defaults to the working directory. */
  cwd?: string;
  /** Read `<cwd>/.env` (variables already in `env` win). Defaults to true. */
  dotEnv?: boolean;
}

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const raw = collectVariables(opts.env ?? process.env, cwd, opts.dotEnv ?? true);
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '?'), message: i.message })),
    );
  }
  const env = parsed.data;
  const problems: { variable: string; message: string }[] = [];
  const team = loadTeam(env, cwd, problems);
  checkCombinations(env, problems);
  if (problems.length) throw new ConfigError(problems);
  return toConfig(env, team, cwd);
}

/** Only t5g's own variables, with empty strings treated as unset. */
function collectVariables(
  env: Record<string, string | undefined>,
  cwd: string,
  dotEnv: boolean,
): Record<string, string> {
  const fromFile: Record<string, string | undefined> = {};
  const file = path.join(cwd, '.env');
  if (dotEnv && existsSync(file)) Object.assign(fromFile, parseEnv(readFileSync(file, 'utf8')));
  const out: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const value = env[key] ?? fromFile[key];
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

function loadTeam(env: Env, cwd: string, problems: { variable: string; message: string }[]) {
  if (env.TEAM && env.TEAM_FILE) {
    problems.push({ variable: 'TEAM_FILE', message: 'set TEAM or TEAM_FILE, not both' });
    return [];
  }
  if (env.TEAM) return env.TEAM;
  if (!env.TEAM_FILE) return [];
  const file = path.resolve(cwd, env.TEAM_FILE);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push({ variable: 'TEAM_FILE', message: `cannot read ${file}: ${(err as Error).message}` });
    return [];
  }
  const result = z.array(teamMemberSchema).safeParse(data);
  if (!result.success) {
    for (const i of result.error.issues) {
      problems.push({ variable: 'TEAM_FILE', message: `${i.message} at ${i.path.join('.')}` });
    }
    return [];
  }
  return result.data;
}

/** Rules that span several variables. Each problem still names the variable to fix. */
function checkCombinations(env: Env, problems: { variable: string; message: string }[]) {
  const need = (variable: keyof Env, why: string) => {
    if (env[variable] === undefined) problems.push({ variable, message: `required ${why}` });
  };
  if (env.JIRA_URL) {
    need('JIRA_TOKEN', 'when JIRA_URL is set');
    need('JIRA_PROJECT', 'when JIRA_URL is set');
    if (env.JIRA_FLAVOR === 'cloud') need('JIRA_USER', 'when JIRA_FLAVOR is cloud (the account e-mail)');
  }
  if (env.JIRA_ESCALATIONS_PROJECT) need('JIRA_ESCALATIONS_LABEL', 'when JIRA_ESCALATIONS_PROJECT is set');
  if (env.JIRA_ESCALATIONS_LABEL) need('JIRA_ESCALATIONS_PROJECT', 'when JIRA_ESCALATIONS_LABEL is set');
  if (env.DEMO_MODE === 'true' && (env.PORTAL_OFFLINE_TOKEN || env.JIRA_URL)) {
    problems.push({
      variable: 'DEMO_MODE',
      message: 'demo mode replaces every upstream; unset PORTAL_OFFLINE_TOKEN and JIRA_URL or DEMO_MODE',
    });
  }
  if (env.DEMO_MODE === 'false' && !env.PORTAL_OFFLINE_TOKEN) {
    need('PORTAL_OFFLINE_TOKEN', 'when DEMO_MODE is false');
  }
  if (env.SMTP_USER && !env.SMTP_PASSWORD) need('SMTP_PASSWORD', 'when SMTP_USER is set');
  // A worker has no sign-in, so its metrics listener opens only to the scrape token.
  if (env.WORKER_METRICS_PORT) need('METRICS_TOKEN', 'when WORKER_METRICS_PORT is set');
  checkAuth(env, problems);
}

const hasUpstreamCredentials = (env: Env) =>
  Boolean(env.PORTAL_OFFLINE_TOKEN || env.JIRA_TOKEN || env.BUGZILLA_API_KEY || env.SLACK_TOKEN);

const isDemo = (env: Env) =>
  env.DEMO_MODE === 'true' || (env.DEMO_MODE === 'auto' && !env.PORTAL_OFFLINE_TOKEN && !env.JIRA_URL);

/** Without sign-in anyone who reaches the port is an admin, so it is only the default for demos. */
function authMode(env: Env): 'none' | 'oidc' | 'saml' | undefined {
  return env.AUTH_MODE ?? (isDemo(env) ? 'none' : undefined);
}

function checkAuth(env: Env, problems: { variable: string; message: string }[]) {
  const mode = authMode(env);
  if (mode === undefined) {
    problems.push({
      variable: 'AUTH_MODE',
      message: 'required outside demo mode: oidc, saml, or none with AUTH_ALLOW_NONE=true',
    });
    return;
  }
  if (mode === 'none' && !env.AUTH_ALLOW_NONE) {
    if (env.NODE_ENV === 'production')
      problems.push({
        variable: 'AUTH_MODE',
        message: 'none is refused with NODE_ENV=production; use oidc or saml, or set AUTH_ALLOW_NONE=true',
      });
    else if (hasUpstreamCredentials(env))
      problems.push({
        variable: 'AUTH_MODE',
        message:
          'none is refused while upstream credentials are set; use oidc or saml, or set AUTH_ALLOW_NONE=true',
      });
  }
  if (mode === 'oidc' || mode === 'saml') {
    const need = (variable: keyof Env) => {
      if (env[variable] === undefined)
        problems.push({ variable, message: `required when AUTH_MODE is ${mode}` });
    };
    if (mode === 'oidc') {
      need('OIDC_ISSUER_URL');
      need('OIDC_CLIENT_ID');
    } else {
      need('SAML_ENTRY_POINT');
      need('SAML_IDP_CERT');
    }
    need('PUBLIC_URL');
    need('SESSION_SECRET');
    if (!env.AUTH_ADMIN_GROUPS.length && !env.AUTH_OPERATOR_GROUPS.length && !env.AUTH_VIEWER_GROUPS.length)
      problems.push({
        variable: 'AUTH_VIEWER_GROUPS',
        message: `at least one of AUTH_VIEWER_GROUPS, AUTH_OPERATOR_GROUPS, AUTH_ADMIN_GROUPS is required when AUTH_MODE is ${mode}`,
      });
  }
}

function toConfig(env: Env, team: TeamMember[], cwd: string): Config {
  const demo = isDemo(env);
  const mode = authMode(env) ?? 'oidc';
  return {
    server: {
      port: env.PORT,
      host: env.HOST,
      logLevel: env.LOG_LEVEL,
      logFormat: env.LOG_FORMAT,
      webWorkers: env.WEB_WORKERS,
      sessionSecret: env.SESSION_SECRET,
      trustProxy: env.TRUST_PROXY,
      shutdownTimeoutSeconds: env.SHUTDOWN_TIMEOUT_SECONDS,
      workerMetricsPort: env.WORKER_METRICS_PORT || undefined,
      heapGrowthPercent: env.HEAP_GROWTH_PERCENT,
    },
    auth: {
      mode,
      noneAllowedExplicitly:
        mode === 'none' &&
        env.AUTH_ALLOW_NONE &&
        (env.NODE_ENV === 'production' || hasUpstreamCredentials(env)),
      groups: {
        admin: env.AUTH_ADMIN_GROUPS,
        operator: env.AUTH_OPERATOR_GROUPS,
        viewer: env.AUTH_VIEWER_GROUPS,
      },
      contact: env.AUTH_CONTACT,
      sessionSecret: env.SESSION_SECRET,
      rateLimitPerMinute: env.AUTH_RATE_LIMIT,
      sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
      sessionAbsoluteHours: env.SESSION_ABSOLUTE_HOURS,
      publicUrl: env.PUBLIC_URL === undefined ? undefined : stripSlash(env.PUBLIC_URL),
      oidc:
        mode === 'oidc' && env.OIDC_ISSUER_URL && env.OIDC_CLIENT_ID
          ? {
              issuerUrl: env.OIDC_ISSUER_URL,
              clientId: env.OIDC_CLIENT_ID,
              clientSecret: env.OIDC_CLIENT_SECRET,
              scopes: env.OIDC_SCOPES,
              groupsClaim: env.OIDC_GROUPS_CLAIM,
            }
          : undefined,
      saml:
        mode === 'saml' && env.SAML_ENTRY_POINT && env.SAML_IDP_CERT && env.PUBLIC_URL
          ? {
              entryPoint: env.SAML_ENTRY_POINT,
              idpCerts: env.SAML_IDP_CERT.split(/(?<=-----END CERTIFICATE-----)\s*,?\s*/).filter(
                (c) => c.trim().length > 0,
              ),
              issuer: env.SAML_ISSUER ?? `${stripSlash(env.PUBLIC_URL)}/auth/saml/metadata`,
              logoutUrl: env.SAML_LOGOUT_URL,
              userIdAttribute: env.SAML_USER_ID_ATTRIBUTE,
              nameAttribute: env.SAML_NAME_ATTRIBUTE,
              emailAttribute: env.SAML_EMAIL_ATTRIBUTE,
              groupsAttribute: env.SAML_GROUPS_ATTRIBUTE,
            }
          : undefined,
      metricsToken: env.METRICS_TOKEN,
    },
    readOnly: env.READ_ONLY,
    demo: {
      enabled: demo,
      cases: env.DEMO_CASES,
      seed: env.DEMO_SEED,
      simulatorPort: env.DEMO_SIMULATOR_PORT,
    },
    storage: {
      databaseUrl: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      waitSeconds: env.DATABASE_WAIT_SECONDS,
      // memory:// keeps the embedded database in memory (nothing survives a restart).
      dataDir: env.DATA_DIR.startsWith('memory://') ? env.DATA_DIR : path.resolve(cwd, env.DATA_DIR),
      pgliteSharedBuffersMb: env.PGLITE_SHARED_BUFFERS_MB,
      pgliteTemplate: env.PGLITE_TEMPLATE,
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      cacheTtlSeconds: env.CACHE_TTL_SECONDS,
      cacheMaxEntries: env.CACHE_MAX_ENTRIES,
      responseCacheBytes: env.RESPONSE_CACHE_MB * 1024 * 1024,
    },
    mirror: {
      url: env.REDIS_MIRROR_URL,
      username: env.REDIS_MIRROR_USERNAME,
      password: env.REDIS_MIRROR_PASSWORD,
      sources: env.REDIS_MIRROR_SOURCES,
      configSet: env.REDIS_MIRROR_CONFIG_SET,
      pollSeconds: env.REDIS_MIRROR_POLL_SECONDS,
      reconcileSeconds: env.REDIS_MIRROR_RECONCILE_SECONDS,
    },
    portal: {
      apiUrl: stripSlash(env.PORTAL_API_URL),
      ssoTokenUrl: env.PORTAL_SSO_TOKEN_URL,
      clientId: env.PORTAL_CLIENT_ID,
      offlineToken: env.PORTAL_OFFLINE_TOKEN,
      caseQuery: env.PORTAL_CASE_QUERY,
      pageSize: env.PORTAL_PAGE_SIZE,
      concurrency: env.PORTAL_CONCURRENCY,
    },
    jira: {
      url: env.JIRA_URL === undefined ? undefined : stripSlash(env.JIRA_URL),
      flavor: env.JIRA_FLAVOR,
      user: env.JIRA_USER,
      token: env.JIRA_TOKEN,
      project: env.JIRA_PROJECT,
      component: env.JIRA_COMPONENT,
      board: env.JIRA_BOARD,
      sprint: env.JIRA_SPRINT,
      cardLabel: env.JIRA_CARD_LABEL,
      newCardLabels: env.JIRA_NEW_CARD_LABELS,
      issueType: env.JIRA_ISSUE_TYPE,
      escalations:
        env.JIRA_ESCALATIONS_PROJECT && env.JIRA_ESCALATIONS_LABEL
          ? { project: env.JIRA_ESCALATIONS_PROJECT, label: env.JIRA_ESCALATIONS_LABEL }
          : undefined,
      fields: {
        contributors: env.JIRA_FIELD_CONTRIBUTORS,
        qaContact: env.JIRA_FIELD_QA_CONTACT,
        severity: env.JIRA_FIELD_SEVERITY,
        privateKeywords: env.JIRA_FIELD_PRIVATE_KEYWORDS,
        internalWhiteboard: env.JIRA_FIELD_INTERNAL_WHITEBOARD,
        caseLinks: env.JIRA_FIELD_CASE_LINKS,
        releaseNote: env.JIRA_FIELD_RELEASE_NOTE,
        sprint: env.JIRA_FIELD_SPRINT,
      },
      releaseNoteValue: env.JIRA_RELEASE_NOTE_VALUE,
      statusMap: env.JIRA_STATUS_MAP ?? {},
      priorityMap: env.JIRA_PRIORITY_MAP ?? {
        Urgent: 'Critical',
        High: 'Major',
        Normal: 'Normal',
        Low: 'Minor',
      },
      transitions: { todo: env.JIRA_TRANSITION_TODO, reopen: env.JIRA_TRANSITION_REOPEN },
      pageSize: env.JIRA_PAGE_SIZE,
      concurrency: env.JIRA_CONCURRENCY,
      webhookSecret: env.JIRA_WEBHOOK_SECRET,
    },
    bugzilla: {
      url: stripSlash(env.BUGZILLA_URL),
      apiKey: env.BUGZILLA_API_KEY,
      batchSize: env.BUGZILLA_BATCH_SIZE,
    },
    team,
    sla: env.SLA_SETTINGS ?? { days: { Urgent: 14, High: 20, Normal: 90, Low: 180 }, partners: [] },
    cardCreation: {
      maxPerRun: env.MAX_CARDS_PER_RUN,
      reopenAfterDays: env.REOPEN_AFTER_DAYS,
      searchSettleSeconds: env.JIRA_SEARCH_SETTLE_SECONDS,
    },
    email: {
      smtpHost: env.SMTP_HOST,
      smtpPort: env.SMTP_PORT,
      secure: env.SMTP_SECURE,
      user: env.SMTP_USER,
      password: env.SMTP_PASSWORD,
      from: env.EMAIL_FROM,
      to: env.EMAIL_TO,
      subject: env.EMAIL_SUBJECT,
      alertTo: env.ALERT_EMAIL,
      bugReportTo: env.BUG_EMAIL,
      alertWindowSeconds: env.ALERT_WINDOW_SECONDS,
    },
    slack: {
      token: env.SLACK_TOKEN,
      apiUrl: env.SLACK_API_URL.endsWith('/') ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`,
      highSeverityChannel: env.SLACK_HIGH_SEVERITY_CHANNEL,
      lowSeverityChannel: env.SLACK_LOW_SEVERITY_CHANNEL,
      alertChannel: env.SLACK_ALERT_CHANNEL,
    },
    schedules: {
      cases: env.SCHEDULE_CASES,
      casesReconcile: env.SCHEDULE_CASES_RECONCILE,
      cards: env.SCHEDULE_CARDS,
      cardsFull: env.SCHEDULE_CARDS_FULL,
      details: env.SCHEDULE_DETAILS,
      issues: env.SCHEDULE_ISSUES,
      bugs: env.SCHEDULE_BUGS,
      escalations: env.SCHEDULE_ESCALATIONS,
      stats: env.SCHEDULE_STATS,
      cardCreation: env.SCHEDULE_CARD_CREATION,
      prioritySync: env.SCHEDULE_PRIORITY_SYNC,
      bugTagging: env.SCHEDULE_BUG_TAGGING,
    },
    syncMaxAgeMinutes: { ...DEFAULT_SYNC_MAX_AGE_MINUTES, ...env.SYNC_MAX_AGE_MINUTES },
    upstreamTimeoutSeconds: upstreamTimeouts(env.UPSTREAM_TIMEOUT_SECONDS),
    runDeadlineMinutes: env.SYNC_RUN_DEADLINE_MINUTES,
  };
}

function upstreamTimeouts(keys: Record<string, number> = {}): Config['upstreamTimeoutSeconds'] {
  const out: Config['upstreamTimeoutSeconds'] = { all: {}, perUpstream: {} };
  for (const [key, seconds] of Object.entries(keys)) {
    const [first, second] = key.split('.') as [string, string | undefined];
    if (second === undefined) out.all[first as RequestKind] = seconds;
    else {
      const upstream = first as HttpUpstream;
      out.perUpstream[upstream] = { ...out.perUpstream[upstream], [second]: seconds };
    }
  }
  return out;
}

const stripSlash = (u: string) => u.replace(/\/+$/, '');
