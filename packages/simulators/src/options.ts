import type { JiraWebhookSettings } from './jira-webhooks.js';
import { WORKFLOW_MODES, type WorkflowMode } from './jira-workflow.js';

/**
 * Public options of `startSimulator` and their resolved form. Kept apart from index.ts so route
 * modules can import the resolved type without a cycle.
 */

export interface SimulatorCredentials {
  offlineToken?: string;
  jiraUser?: string;
  jiraToken?: string;
  bugzillaKey?: string;
  slackToken?: string;
}

export interface SimulatorOptions {
  /** HTTP port; 0 picks a random free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Number of cases, 10..100000; default 200. */
  cases?: number;
  /** Data seed; default 1. Same seed, same data. */
  seed?: number;
  /** SMTP sink port; undefined = no SMTP sink, 0 = random port. */
  smtpPort?: number;
  /** When true only the configured credentials are accepted. */
  strictAuth?: boolean;
  credentials?: SimulatorCredentials;
  /** Lifetime of SSO access tokens; default 300. */
  tokenTtlSeconds?: number;
  /**
   * IANA time zone of the JIRA account a client signs in as when it is not a generated user (the sync
   * bot); JQL dates are read in it. Default America/New_York: not UTC, so clients must send their user's zone.
   */
  jiraBotTimeZone?: string;
  /**
   * Time the generated data is anchored to (epoch ms or Date); default: now. Pin it to get
   * byte-identical data across runs.
   */
  now?: number | Date;
  /** JIRA webhooks: where to POST the events of JIRA changes, the signing secret, the flavor. */
  jiraWebhook?: JiraWebhookSettings;
  /**
   * JIRA workflow: `open` (default) lets any status go to any other without screens; `restricted`
   * offers only the transitions a real workflow has from the current status, and requires a
   * resolution on the way to a done status.
   */
  workflow?: WorkflowMode;
}

export interface ResolvedOptions {
  port: number;
  host: string;
  cases: number;
  seed: number;
  smtpPort: number | undefined;
  strictAuth: boolean;
  credentials: SimulatorCredentials;
  tokenTtlSeconds: number;
  jiraBotTimeZone: string;
  anchor: number;
  jiraWebhook: JiraWebhookSettings;
  workflow: WorkflowMode;
}

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  const cases = opts.cases ?? 200;
  if (!Number.isInteger(cases) || cases < 10 || cases > 100_000) {
    throw new RangeError(`cases must be an integer between 10 and 100000 (got ${cases})`);
  }
  const tokenTtlSeconds = opts.tokenTtlSeconds ?? 300;
  if (!(tokenTtlSeconds > 0)) throw new RangeError('tokenTtlSeconds must be positive');
  const jiraBotTimeZone = opts.jiraBotTimeZone ?? 'America/New_York';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: jiraBotTimeZone });
  } catch {
    throw new RangeError(`jiraBotTimeZone is not a known time zone: ${jiraBotTimeZone}`);
  }
  const workflow = opts.workflow ?? 'open';
  if (!WORKFLOW_MODES.includes(workflow))
    throw new RangeError(`workflow is open or restricted (got ${workflow})`);
  const now = opts.now instanceof Date ? opts.now.getTime() : (opts.now ?? Date.now());
  return {
    port: opts.port ?? 0,
    host: opts.host ?? '127.0.0.1',
    cases,
    seed: opts.seed ?? 1,
    smtpPort: opts.smtpPort,
    strictAuth: opts.strictAuth ?? false,
    credentials: { ...opts.credentials },
    tokenTtlSeconds,
    jiraBotTimeZone,
    // Whole seconds: every upstream format drops milliseconds somewhere.
    anchor: Math.floor(now / 1000) * 1000,
    jiraWebhook: { ...opts.jiraWebhook },
    workflow,
  };
}
