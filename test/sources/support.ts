import { type RunningSimulator, SIM_DEFAULTS, type SimulatorOptions, startSimulator } from '@t5g/simulators';
import { pino } from 'pino';
import type { Registry } from 'prom-client';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Logger } from '../../src/lib/logger.js';
import { WITHOUT_SIGN_IN } from '../support/env.js';

/** A debug-level logger that keeps every line, to assert on (and to check no secret is ever logged). */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

/** A `Config` from explicit variables only (no .env, no process.env). */
export function testConfig(env: Record<string, string | undefined>): Config {
  return loadConfig({ env: { DEMO_MODE: 'auto', ...WITHOUT_SIGN_IN, ...env }, dotEnv: false });
}

/** A JSON response for fake fetch functions. */
export function json(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
}

// ---- Simulator helpers ----

export type Sim = RunningSimulator;

/** The only credentials the test simulators accept (strict auth, as a real upstream); `simEnv` signs in with them. */
export const SIM_CREDENTIALS = {
  offlineToken: 'sim-offline-token',
  jiraUser: 't5g-bot@example.com',
  jiraToken: 'sim-jira-token',
  bugzillaKey: 'sim-bugzilla-key',
  slackToken: 'xoxb-sim-token',
} as const;

export function startSim(opts: SimulatorOptions = {}): Promise<Sim> {
  return startSimulator({
    port: 0,
    cases: 200,
    seed: 1,
    strictAuth: true,
    credentials: { ...SIM_CREDENTIALS },
    ...opts,
  });
}

/** Environment pointing every upstream at the simulator. Writes are allowed unless READ_ONLY is passed. */
export function simEnv(sim: Sim, flavor: 'cloud' | 'dc' = 'cloud'): Record<string, string> {
  const fields = SIM_DEFAULTS.customFields[flavor];
  return {
    ...WITHOUT_SIGN_IN,
    READ_ONLY: 'false',
    PORTAL_API_URL: sim.urls.portal,
    PORTAL_SSO_TOKEN_URL: sim.urls.ssoTokenUrl,
    PORTAL_OFFLINE_TOKEN: SIM_CREDENTIALS.offlineToken,
    JIRA_URL: sim.urls.jira,
    JIRA_FLAVOR: flavor,
    JIRA_USER: SIM_CREDENTIALS.jiraUser,
    JIRA_TOKEN: SIM_CREDENTIALS.jiraToken,
    JIRA_PROJECT: SIM_DEFAULTS.jiraProject,
    JIRA_COMPONENT: SIM_DEFAULTS.cardComponent,
    JIRA_BOARD: SIM_DEFAULTS.boardName,
    JIRA_SPRINT: SIM_DEFAULTS.sprintNamePrefix,
    JIRA_CARD_LABEL: SIM_DEFAULTS.cardLabel,
    JIRA_ESCALATIONS_PROJECT: SIM_DEFAULTS.escalationsProject,
    JIRA_ESCALATIONS_LABEL: SIM_DEFAULTS.escalationsLabel,
    JIRA_FIELD_CONTRIBUTORS: fields.contributors,
    JIRA_FIELD_QA_CONTACT: fields.qaContact,
    JIRA_FIELD_SEVERITY: fields.severity,
    JIRA_FIELD_PRIVATE_KEYWORDS: fields.privateKeywords,
    JIRA_FIELD_INTERNAL_WHITEBOARD: fields.internalWhiteboard,
    JIRA_FIELD_CASE_LINKS: fields.sfdcCaseLinks,
    JIRA_FIELD_RELEASE_NOTE: fields.releaseNoteText,
    JIRA_FIELD_SPRINT: fields.sprint,
    BUGZILLA_URL: sim.urls.bugzilla,
    BUGZILLA_API_KEY: SIM_CREDENTIALS.bugzillaKey,
    SLACK_TOKEN: SIM_CREDENTIALS.slackToken,
    SLACK_API_URL: sim.urls.slackApi,
    SLACK_HIGH_SEVERITY_CHANNEL: SIM_DEFAULTS.slack.highSeverityChannel,
    SLACK_LOW_SEVERITY_CHANNEL: SIM_DEFAULTS.slack.lowSeverityChannel,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sim.smtpPort ?? 25),
    EMAIL_FROM: 't5g@example.com',
    EMAIL_TO: 'team@example.com',
  };
}

/** Short timeouts and backoff so fault tests finish quickly (Retry-After values still apply in full). */
export const FAST_RETRY = {
  timeoutMs: 2_000,
  baseDelayMs: 20,
  maxDelayMs: 200,
  maxRetryTimeMs: 30_000,
  maxAttempts: 8,
};

export interface SimCounters {
  requests: Record<string, number>;
  writes: Record<string, number>;
  upstreams: Record<string, { requests: number; writes: number }>;
  totals: { requests: number; writes: number };
}

/** The simulator's /_sim control API. */
export function control(sim: Sim) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${sim.url}/_sim/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`/_sim/${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    counters: () => call<SimCounters>('GET', 'counters'),
    resetCounters: () => call<SimCounters>('POST', 'counters/reset'),
    faults: (update: Record<string, unknown>) => call<unknown>('PUT', 'faults', update),
    clearFaults: () => call<unknown>('DELETE', 'faults'),
    expireTokens: () => call<{ expired: number }>('POST', 'tokens/expire'),
    mutate: (request: Record<string, unknown>) => call<Record<string, unknown>>('POST', 'mutate', request),
    clearMail: () => call<unknown>('DELETE', 'mail'),
    clearSlack: () => call<unknown>('DELETE', 'slack'),
    mail: () =>
      call<{ subject: string; text: string; to: string; headers: Record<string, string> }[]>('GET', 'mail'),
    slack: () =>
      call<{ channel: string; channelName: string; ts: string; threadTs?: string; text: string }[]>(
        'GET',
        'slack',
      ),
  };
}

/** Value of a prom-client counter, summed over series whose labels include `labels`. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}
