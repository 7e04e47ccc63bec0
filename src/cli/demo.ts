import {
  type RunningSimulator,
  SIM_DEFAULTS,
  type StatsHistoryDay,
  startSimulator,
  statsHistory,
} from '@t5g/simulators';
import type { Config } from '../config/config.js';
import { withDemoUpstreams } from '../config/demo-upstreams.js';
import type { Logger } from '../lib/logger.js';
import { backfillStatsSnapshots } from '../store/repositories/stats-snapshots.js';
import type { Store } from '../store/store.js';

/**
 * Demo mode: no upstream credentials are configured, so the built-in simulators run in this
 * process and every connector points at them. Returns the config to run with.
 */
export async function startDemoUpstreams(
  config: Config,
  logger: Logger,
  opts: { quiet?: boolean } = {},
): Promise<{ config: Config; close: () => Promise<void>; history: () => StatsHistoryDay[] }> {
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
  const demoConfig = withSimulatorUpstreams(config, sim);
  return {
    config: demoConfig,
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
