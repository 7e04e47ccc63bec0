import { randomBytes } from 'node:crypto';
import { type RunningSimulator, SIM_DEFAULTS, startSimulator } from '@t5g/simulators';
import type { Config } from '../config/config.js';
import { withDemoUpstreams } from '../config/demo-upstreams.js';
import type { Logger } from '../lib/logger.js';

/**
 * Demo mode: no upstream credentials are configured, so the built-in simulators run in this
 * process and every connector points at them. Returns the config to run with.
 */
export async function startDemoUpstreams(
  config: Config,
  logger: Logger,
  opts: { quiet?: boolean } = {},
): Promise<{ config: Config; simulator: RunningSimulator; close: () => Promise<void> }> {
  const sim = await startSimulator({
    port: 0,
    cases: config.demo.cases,
    seed: config.demo.seed,
    smtpPort: 0,
  });
  if (!opts.quiet)
    logger.warn(
      { simulator: sim.url, smtpPort: sim.smtpPort, cases: config.demo.cases, seed: config.demo.seed },
      'DEMO MODE: no upstream credentials configured (PORTAL_OFFLINE_TOKEN, JIRA_URL), so built-in ' +
        'simulators of the Portal, JIRA, Bugzilla, Slack and SMTP serve generated data. Nothing real is read or written.',
    );
  // The simulator's JIRA webhooks are signed with this secret; `wireDemoWebhooks` points them at
  // this process once it listens, so the demo shows JIRA changes within seconds, as a real one would.
  const demoConfig = withSimulatorUpstreams(config, sim, randomBytes(24).toString('hex'));
  return { config: demoConfig, simulator: sim, close: () => sim.close() };
}

/** The config with every upstream pointed at a running simulator (demo mode and tests). */
export function withSimulatorUpstreams(
  config: Config,
  sim: RunningSimulator,
  webhookSecret?: string,
): Config {
  return withDemoUpstreams(config, {
    ...(webhookSecret ? { webhookSecret } : {}),
    urls: sim.urls,
    smtpPort: sim.smtpPort,
    team: sim.team,
    caseQuery: SIM_DEFAULTS.caseQuery,
    jiraProject: SIM_DEFAULTS.jiraProject,
    cardLabel: SIM_DEFAULTS.cardLabel,
    component: SIM_DEFAULTS.cardComponent,
    board: SIM_DEFAULTS.boardName,
    sprintPrefix: SIM_DEFAULTS.sprintNamePrefix,
    escalations: { project: SIM_DEFAULTS.escalationsProject, label: SIM_DEFAULTS.escalationsLabel },
    slack: {
      highSeverityChannel: SIM_DEFAULTS.slack.highSeverityChannel,
      lowSeverityChannel: SIM_DEFAULTS.slack.lowSeverityChannel,
    },
  });
}

/** Points the demo simulator's JIRA webhooks at this process's own receiver, signed with its secret. */
export function wireDemoWebhooks(
  sim: RunningSimulator,
  config: Config,
  address: { host: string; port: number },
): string {
  const host = ['0.0.0.0', '::', ''].includes(address.host) ? '127.0.0.1' : address.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/api/v1/webhooks/jira`;
  sim.webhooks.configure({
    url,
    ...(config.jira.webhookSecret ? { secret: config.jira.webhookSecret } : {}),
  });
  return url;
}
