/** Base URLs of each simulated upstream for a given origin (`http://host:port`). */
import { SSO_PREFIX, SSO_TOKEN_PATH } from './sso-routes.js';

export interface SimulatorUrls {
  /** Full token endpoint (POST grant_type=refresh_token). */
  ssoTokenUrl: string;
  /** Portal API base, the equivalent of https://access.redhat.com/hydra/rest. */
  portal: string;
  /** Jira server URL (flavor chosen by the auth header). */
  jira: string;
  /** Bugzilla base; REST lives under /rest. */
  bugzilla: string;
  /** Slack Web API base for `slackApiUrl` (ends with a slash). */
  slackApi: string;
  /** Incoming-webhook URL that accepts posts. */
  slackWebhook: string;
  control: string;
}

export function simulatorUrls(origin: string): SimulatorUrls {
  return {
    ssoTokenUrl: `${origin}${SSO_PREFIX}${SSO_TOKEN_PATH}`,
    portal: `${origin}/portal/hydra/rest`,
    jira: `${origin}/jira`,
    bugzilla: `${origin}/bugzilla`,
    slackApi: `${origin}/slack/api/`,
    slackWebhook: `${origin}/slack/services/T05SIMTEAM/B05SIMHOOK/sim-webhook-secret`,
    control: `${origin}/_sim/`,
  };
}
