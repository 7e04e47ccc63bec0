import { type RunningSimulator, SIM_DEFAULTS, startSimulator } from '@t5g/simulators';
import type { Config } from '../config/config.js';
import { DEMO_CREDENTIALS, withDemoUpstreams } from '../config/demo-upstreams.js';
import type { Logger } from '../lib/logger.js';

/**
 * Demo mode: no upstream credentials are configured, so the built-in simulators run in this
 * process and every connector points at them. Returns the config to run with.
 */
export async function startDemoUpstreams(
  config: Config,
  logger: Logger,
  opts: { quiet?: boolean } = {},
): Promise<{ config: Config; close: () => Promise<void> }> {
  const sim = await startSimulator({
    port: 0,
    cases: config.demo.cases,
    seed: config.demo.seed,
    smtpPort: 0,
    // Only the credentials demo mode uses, as a real upstream would check them.
    strictAuth: true,
    credentials: { ...DEMO_CREDENTIALS },
  });
  if (!opts.quiet)
    logger.warn(
      { simulator: sim.url, smtpPort: sim.smtpPort, cases: config.demo.cases, seed: config.demo.seed },
      'DEMO MODE: no upstream credentials configured (PORTAL_OFFLINE_TOKEN, JIRA_URL), so built-in ' +
        'simulators of the Portal, JIRA, Bugzilla, Slack and SMTP serve generated data. Nothing real is read or written.',
    );
  const demoConfig = withSimulatorUpstreams(config, sim);
  return { config: demoConfig, close: () => sim.close() };
}

/** The config with every upstream pointed at a running simulator (demo mode and tests). */
export function withSimulatorUpstreams(config: Config, sim: RunningSimulator): Config {
  return withDemoUpstreams(config, {
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
