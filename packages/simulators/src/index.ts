/**
 * In-process entry point: `startSimulator()` builds the seeded world and serves every simulated
 * upstream (SSO, Portal, Jira Cloud/DC, Bugzilla, Slack, optional SMTP sink) from one HTTP port.
 */
import { bugzillaRoutes } from './bugzilla-routes.js';
import { Counters } from './counters.js';
import { FaultController } from './faults.js';
import { generateState } from './generator.js';
import { jiraRoutes } from './jira-routes.js';
import { JiraWebhookSender } from './jira-webhooks.js';
import type { SimTeamMember } from './model.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { portalRoutes } from './portal-routes.js';
import { startServer } from './server.js';
import { slackRoutes } from './slack-routes.js';
import { type SmtpSink, startSmtpSink } from './smtp-sink.js';
import { ssoRoutes } from './sso-routes.js';
import type { SimulatorState } from './state.js';
import { TokenStore } from './tokens.js';
import { type SimulatorUrls, simulatorUrls } from './urls.js';

export type { CustomFieldName, JiraFlavor, Upstream } from './constants.js';
export { SIM_DEFAULTS } from './constants.js';
export type { CounterSnapshot } from './counters.js';
export type { FaultSettings, FaultUpdate, FaultUpstream } from './faults.js';
export {
  type JiraWebhookEventName,
  JiraWebhookSender,
  type JiraWebhookSettings,
  signJiraWebhook,
  type WebhookStats,
} from './jira-webhooks.js';
// What a caller needs to plant or predict records the way the generator makes them.
export { isDoneStatus, type WorkflowMode } from './jira-workflow.js';
export type * from './model.js';
export type { MutateRequest, MutateResult } from './mutate.js';
export type { SimulatorCredentials, SimulatorOptions } from './options.js';
export { caseJiraLinks } from './portal-docs.js';
export { createRng } from './rng.js';
export { SLACK_CHANNELS } from './slack-routes.js';
export type { StateSummary } from './state.js';
export { SimulatorState } from './state.js';
export type { StatsHistoryDay } from './stats-history.js';
export { statsHistory } from './stats-history.js';
export { newCaseCommentId } from './text-gen.js';
export type { SimulatorUrls } from './urls.js';
export { simulatorUrls } from './urls.js';

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Base URL of each upstream under `url`. */
  urls: SimulatorUrls;
  smtpPort?: number;
  state: SimulatorState;
  team: SimTeamMember[];
  /** JIRA webhook deliveries: `configure()` points them at a receiver (also `PUT /_sim/webhooks`). */
  webhooks: JiraWebhookSender;
  close(): Promise<void>;
}

export async function startSimulator(opts?: SimulatorOptions): Promise<RunningSimulator> {
  const options = resolveOptions(opts);
  const state = generateState({ cases: options.cases, seed: options.seed, anchor: options.anchor });
  const counters = new Counters();
  const faults = new FaultController(options.seed);
  const tokens = new TokenStore(options.tokenTtlSeconds);
  const webhooks = new JiraWebhookSender(state, options.jiraWebhook);
  let smtp: SmtpSink | undefined;
  const routes = [ssoRoutes(), portalRoutes(), jiraRoutes(), bugzillaRoutes(), slackRoutes()].flatMap(
    (t) => t.routes,
  );
  const server = await startServer({
    state,
    options,
    counters,
    faults,
    tokens,
    routes,
    smtpPort: () => smtp?.port,
    webhooks,
  });
  try {
    if (options.smtpPort !== undefined)
      smtp = await startSmtpSink(state, counters, options.host, options.smtpPort);
  } catch (err) {
    await server.close();
    throw err;
  }
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${server.port}`;
  webhooks.origin = url;
  const running: RunningSimulator = {
    url,
    urls: simulatorUrls(url),
    state,
    team: state.team,
    webhooks,
    close: async () => {
      await Promise.all([server.close(), smtp?.close()]);
    },
  };
  if (smtp) running.smtpPort = smtp.port;
  return running;
}
