import type { Logger } from '../lib/logger.js';
import type { Clock } from './clock.js';
import type { UpstreamMetrics } from './metrics.js';
import type { HttpRetryPolicy } from './retry.js';

// Terminology used across the connectors:
// - upstream: one external service (the SSO token endpoint, the Customer Portal, JIRA, Bugzilla, Slack, SMTP).
// - record: one object an upstream returns (a case, a card, a comment, a bug). Every record is checked with zod
//   at the boundary; a record that fails becomes a `Rejection` instead of aborting its batch.
// - batch: the valid records of one call plus the rejections, `{ items, rejected }`.
// - write: any call that changes an upstream. Writes go through the READ_ONLY guard (`read-only.ts`).

export type UpstreamName = 'sso' | 'portal' | 'jira' | 'bugzilla' | 'slack' | 'email';

/** Which kind of upstream record a rejection came from; the quarantine table stores this. */
export type RecordSource =
  | 'portal.case'
  | 'portal.caseDetail'
  | 'portal.comment'
  | 'portal.caseJiraLink'
  | 'jira.card'
  | 'jira.comment'
  | 'jira.issue'
  | 'jira.escalation'
  | 'bugzilla.bug';

/** An upstream record that failed validation, kept whole so it can be inspected and replayed. */
export interface Rejection {
  source: RecordSource;
  /** The record's own id (case number, issue key, bug id) when it could be read, else "(unknown)". */
  externalId: string;
  reason: string;
  payload: unknown;
}

/** The valid records of one call plus the ones that failed validation. */
export interface Batch<T> {
  items: T[];
  rejected: Rejection[];
}

/**
 * Where short-lived access tokens (the Portal's SSO exchange) are kept between runs and processes, so
 * each is exchanged once and reused until shortly before it expires. `key` names the credential, never
 * contains it. Implementations must not log tokens.
 */
export interface AccessTokenCache {
  get(key: string, now: number): Promise<{ token: string; validUntil: number } | undefined>;
  put(key: string, value: { token: string; validUntil: number }): Promise<void>;
  /** The upstream refused `token`: forget it (but not a newer one another process stored). */
  drop(key: string, token: string): Promise<void>;
}

/** Shared dependencies of every connector factory. Only `logger` is required. */
export interface SourceDeps {
  logger: Logger;
  metrics?: UpstreamMetrics;
  fetch?: typeof globalThis.fetch;
  /** Every request of these connectors stops when it aborts (a run's signal). */
  signal?: AbortSignal;
  /** Injectable time source so backoff can be tested without real waiting. */
  clock?: Clock;
  /** Returns a number in [0, 1); injectable so jitter is deterministic in tests. */
  random?: () => number;
  /** Shares access tokens across runs and processes; without it each connector keeps its own. */
  tokenCache?: AccessTokenCache;
  /** Overrides of the retry/timeout policy, per upstream or for all of them. */
  retry?: Partial<HttpRetryPolicy> & {
    perUpstream?: Partial<Record<UpstreamName, Partial<HttpRetryPolicy>>>;
  };
}
