import { randomBytes } from 'node:crypto';
import {
  type RunningSimulator,
  SIM_DEFAULTS,
  type StatsHistoryDay,
  startSimulator,
  statsHistory,
} from '@t5g/simulators';
import type { Config } from '../config/config.js';
import { DEMO_CREDENTIALS, withDemoUpstreams } from '../config/demo-upstreams.js';
import type { Logger } from '../lib/logger.js';
import { backfillStatsSnapshots } from '../store/repositories/stats-snapshots.js';
import type { Store } from '../store/store.js';

/**
 * Demo mode: no upstream credentials are configured, so the built-in simulators run in this
 * process and every connector points at them. Returns the config to run with.
 *
 * The simulators listen on DEMO_SIMULATOR_PORT, the same port at every start: the JIRA and Bugzilla
 * links the dashboard shows (and the Portal's issue links stored with the data) carry it, so a
 * bookmarked or stored link still opens after a restart. When that port is taken (a second demo on
 * this machine) they take a free one and say so. `anyPort`: a short-lived command (the card tools)
 * that shows no links and must not take the port from a running dashboard.
 */
export async function startDemoUpstreams(
  config: Config,
  logger: Logger,
  opts: { quiet?: boolean; anyPort?: boolean } = {},
): Promise<{
  config: Config;
  simulator: RunningSimulator;
  close: () => Promise<void>;
  history: () => StatsHistoryDay[];
}> {
  const wanted = opts.anyPort ? 0 : config.demo.simulatorPort;
  const start = (port: number) =>
    startSimulator({
      port,
      cases: config.demo.cases,
      seed: config.demo.seed,
      smtpPort: 0,
      // Only the credentials demo mode uses, as a real upstream would check them.
      strictAuth: true,
      credentials: { ...DEMO_CREDENTIALS },
      // A real-looking JIRA workflow: only the transitions the current status allows.
      workflow: 'restricted',
    });
  let sim: RunningSimulator;
  try {
    sim = await start(wanted);
  } catch (err) {
    if (wanted === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    sim = await start(0);
    logger.warn(
      { wantedPort: wanted, simulator: sim.url },
      `DEMO_SIMULATOR_PORT ${wanted} is in use, so the demo simulators took a free port: the demo's ` +
        'JIRA and Bugzilla links change with every start until that port is free (or DEMO_SIMULATOR_PORT names another)',
    );
  }
  if (!opts.quiet)
    logger.warn(
      { simulator: sim.url, smtpPort: sim.smtpPort, cases: config.demo.cases, seed: config.demo.seed },
      'DEMO MODE: no upstream credentials configured (PORTAL_OFFLINE_TOKEN, JIRA_URL), so built-in ' +
        'simulators of the Portal, JIRA, Bugzilla, Slack and SMTP serve generated data. Nothing real is read or written.',
    );
  // The simulator's JIRA webhooks are signed with this secret; `wireDemoWebhooks` points them at
  // this process once it listens, so the demo shows JIRA changes within seconds, as a real one would.
  const demoConfig = withSimulatorUpstreams(config, sim, randomBytes(24).toString('hex'));
  return {
    config: demoConfig,
    simulator: sim,
    close: () => sim.close(),
    history: () => demoStatsHistory(sim),
  };
}

/** Days of stats history demo mode backfills, so the stats chart has a history from the start. */
export const DEMO_HISTORY_DAYS = 90;

/** The generated stats history of the days before today, from the simulators' world. */
export const demoStatsHistory = (sim: RunningSimulator): StatsHistoryDay[] =>
  statsHistory(sim.state, { days: DEMO_HISTORY_DAYS, now: Date.now() });

/**
 * Demo mode's stats history: the days before today without a snapshot get the generated one (a
 * day already snapshotted keeps its own). Today's snapshot is the stats job's.
 */
export async function backfillDemoHistory(
  store: Store,
  days: readonly StatsHistoryDay[],
  logger: Logger,
): Promise<void> {
  const written = await store.write(async (tx, changes) => {
    const n = await backfillStatsSnapshots(tx, days);
    if (n > 0)
      changes.add(
        'stats_snapshot',
        days.map((d) => d.day),
      );
    return n;
  });
  if (written > 0) logger.info({ days: written }, 'DEMO MODE: generated stats history backfilled');
}

/** The config with every upstream pointed at a running simulator (demo mode and tests). */
export function withSimulatorUpstreams(
  config: Config,
  sim: Pick<RunningSimulator, 'urls' | 'smtpPort' | 'team'>,
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
