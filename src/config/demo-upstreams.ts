import type { Config, TeamMember } from './config.js';

/** Where the in-process simulators listen, and the names their generated data uses. */
export interface DemoUpstreams {
  /** Base URL of each simulated upstream, as the simulator lays them out. */
  urls: { ssoTokenUrl: string; portal: string; jira: string; bugzilla: string; slackApi: string };
  smtpPort: number | undefined;
  team: TeamMember[];
  caseQuery: string;
  jiraProject: string;
  cardLabel: string;
  component: string;
  board: string;
  sprintPrefix: string;
  escalations: { project: string; label: string };
  slack: { highSeverityChannel: string; lowSeverityChannel: string };
  /** Secret the simulator signs its JIRA webhooks with, unless JIRA_WEBHOOK_SECRET sets one. */
  webhookSecret?: string;
}

/** The credentials demo mode signs in to the simulators with (and the only ones they accept). */
export const DEMO_CREDENTIALS = {
  offlineToken: 'demo-offline-token',
  jiraUser: 'demo@example.com',
  jiraToken: 'demo-api-token',
  bugzillaKey: 'demo-bugzilla-key',
  slackToken: 'xoxb-demo',
} as const;

/**
 * Demo mode: the same config, with every upstream pointed at the built-in simulators and the
 * credentials they accept. READ_ONLY, schedules and storage are left as configured, so a demo
 * exercises exactly the code paths a real deployment does.
 */
export function withDemoUpstreams(config: Config, demo: DemoUpstreams): Config {
  return {
    ...config,
    portal: {
      ...config.portal,
      apiUrl: demo.urls.portal,
      ssoTokenUrl: demo.urls.ssoTokenUrl,
      offlineToken: DEMO_CREDENTIALS.offlineToken,
      caseQuery: demo.caseQuery,
    },
    jira: {
      ...config.jira,
      url: demo.urls.jira,
      flavor: 'cloud',
      user: DEMO_CREDENTIALS.jiraUser,
      token: DEMO_CREDENTIALS.jiraToken,
      project: demo.jiraProject,
      component: demo.component,
      board: demo.board,
      sprint: demo.sprintPrefix,
      cardLabel: demo.cardLabel,
      escalations: demo.escalations,
      webhookSecret: config.jira.webhookSecret ?? demo.webhookSecret,
    },
    bugzilla: { ...config.bugzilla, url: demo.urls.bugzilla, apiKey: DEMO_CREDENTIALS.bugzillaKey },
    team: config.team.length ? config.team : demo.team,
    email: {
      ...config.email,
      smtpHost: '127.0.0.1',
      smtpPort: demo.smtpPort ?? config.email.smtpPort,
      secure: false,
      user: undefined,
      password: undefined,
      to: config.email.to.length ? config.email.to : ['team@example.com'],
    },
    slack: {
      ...config.slack,
      token: DEMO_CREDENTIALS.slackToken,
      apiUrl: demo.urls.slackApi,
      highSeverityChannel: demo.slack.highSeverityChannel,
      lowSeverityChannel: demo.slack.lowSeverityChannel,
    },
  };
}
