import type { Config } from '../config/config.js';
import type { HttpUpstream, RequestKind } from '../config/env-schema.js';
import { type BugzillaClient, createBugzillaClient } from './bugzilla.js';
import { createEmailClient, type EmailClient } from './email.js';
import { createJiraClient, type JiraClient } from './jira/client.js';
import { createPortalClient, type PortalClient } from './portal/client.js';
import { createSlackClient, type SlackClient } from './slack.js';
import type { SourceDeps, UpstreamName } from './types.js';

// Public surface of the upstream connectors. Each upstream has one factory; `createUpstreams` builds them all
// from the typed config. Every write on every client obeys `config.readOnly` (see read-only.ts).

export interface Upstreams {
  portal: PortalClient;
  /** Undefined when JIRA_URL is not configured. */
  jira: JiraClient | undefined;
  bugzilla: BugzillaClient;
  slack: SlackClient;
  email: EmailClient;
  readOnly: boolean;
  close(): void;
}

export function createUpstreams(config: Config, given: SourceDeps): Upstreams {
  const deps = withConfiguredTimeouts(config, given);
  const email = createEmailClient(config, deps);
  return {
    portal: createPortalClient(config, deps),
    jira: config.jira.url ? createJiraClient(config, deps) : undefined,
    bugzilla: createBugzillaClient(config, deps),
    slack: createSlackClient(config, deps),
    email,
    readOnly: config.readOnly,
    close: () => email.close(),
  };
}

/**
 * The attempt timeouts UPSTREAM_TIMEOUT_SECONDS configures, under what the caller passed (tests
 * pass short ones): for all upstreams, then per upstream.
 */
function withConfiguredTimeouts(config: Config, deps: SourceDeps): SourceDeps {
  const { all, perUpstream } = config.upstreamTimeoutSeconds;
  const ms = (t: Partial<Record<RequestKind, number>> | undefined) =>
    Object.fromEntries(Object.entries(t ?? {}).map(([k, s]) => [k, Math.round(s * 1000)]));
  if (Object.keys(all).length === 0 && Object.keys(perUpstream).length === 0) return deps;
  const retry = deps.retry ?? {};
  const upstreams = new Set([...Object.keys(perUpstream), ...Object.keys(retry.perUpstream ?? {})]);
  return {
    ...deps,
    retry: {
      ...retry,
      timeouts: { ...ms(all), ...retry.timeouts },
      perUpstream: Object.fromEntries(
        [...upstreams].map((u) => {
          const given = retry.perUpstream?.[u as UpstreamName];
          return [u, { ...given, timeouts: { ...ms(perUpstream[u as HttpUpstream]), ...given?.timeouts } }];
        }),
      ),
    },
  };
}

export type { Bug, BugBatch, BugRecord, BugUpdate, BugzillaClient, UnavailableBug } from './bugzilla.js';
export { createBugzillaClient } from './bugzilla.js';
export type { EmailClient, OutgoingMail, SentMail } from './email.js';
export { createEmailClient } from './email.js';
export {
  RecordRejectedError,
  TransitionUnavailableError,
  UpstreamConfigError,
  UpstreamContractError,
  UpstreamError,
} from './errors.js';
export * from './jira/index.js';
export { createPromUpstreamMetrics, noopUpstreamMetrics, type UpstreamMetrics } from './metrics.js';
export * from './portal/index.js';
export {
  type BlockedWrite,
  type CompletedWrite,
  expectWritten,
  ReadOnlyError,
  type WriteOutcome,
} from './read-only.js';
export { DEFAULT_HTTP_RETRY_POLICY, type HttpRetryPolicy } from './retry.js';
export type { PostedMessage, SlackClient } from './slack.js';
export { createSlackClient } from './slack.js';
export type { AccessTokenCache, Batch, RecordSource, Rejection, SourceDeps, UpstreamName } from './types.js';
export { parseTimestamp, UNKNOWN_ID } from './validation.js';
