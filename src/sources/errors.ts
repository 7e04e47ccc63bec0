import type { Rejection, UpstreamName } from './types.js';

/**
 * How a call failed. `http` carries a status; the others never got a complete response:
 * - `timeout`: no complete response within the per-call timeout;
 * - `network`: the connection failed or was cut (`refused` says it never reached the server);
 * - `body`: a 2xx response whose body could not be parsed (truncated or not JSON).
 */
export type FailureKind = 'http' | 'timeout' | 'network' | 'body';

export interface UpstreamErrorInit {
  upstream: UpstreamName;
  kind: FailureKind;
  method: string;
  /** Path with secret query values removed; safe to log. */
  path: string;
  status?: number;
  /** First part of the response body, already stripped of HTML noise; never parsed blindly. */
  detail?: string;
  /** Wait the upstream asked for (Retry-After / X-RateLimit-Delay / X-RateLimit-Reset), in ms. */
  retryAfterMs?: number;
  /** True when the connection was refused, i.e. the request certainly never reached the server. */
  refused?: boolean;
  attempts?: number;
  cause?: unknown;
}

/** Any failed call to an upstream. Messages never contain credentials. */
export class UpstreamError extends Error {
  readonly upstream: UpstreamName;
  readonly kind: FailureKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly detail: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly refused: boolean;
  attempts: number;

  constructor(init: UpstreamErrorInit) {
    const what = init.kind === 'http' ? `HTTP ${init.status}` : init.kind;
    super(
      `${init.upstream} ${init.method} ${init.path} failed: ${what}${init.detail ? ` (${init.detail})` : ''}`,
      {
        cause: init.cause,
      },
    );
    this.name = 'UpstreamError';
    this.upstream = init.upstream;
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.detail = init.detail;
    this.retryAfterMs = init.retryAfterMs;
    this.refused = init.refused ?? false;
    this.attempts = init.attempts ?? 1;
  }

  get isNotFound(): boolean {
    return this.kind === 'http' && this.status === 404;
  }
}

/** A connector was asked to do something its configuration does not allow (missing URL or credentials). */
export class UpstreamConfigError extends Error {
  constructor(
    readonly upstream: UpstreamName,
    message: string,
  ) {
    super(`${upstream}: ${message}`);
    this.name = 'UpstreamConfigError';
  }
}

/** The upstream answered, but not in a way the connector can act on (e.g. a transition name that does not exist). */
export class UpstreamContractError extends Error {
  constructor(
    readonly upstream: UpstreamName,
    message: string,
  ) {
    super(`${upstream}: ${message}`);
    this.name = 'UpstreamContractError';
  }
}

/**
 * The issue's workflow offers no transition to the wanted status from the one it is in (a restricted
 * workflow, or a status renamed upstream). Permanent: trying again changes nothing until someone
 * moves the issue or changes the workflow.
 */
export class TransitionUnavailableError extends UpstreamContractError {
  constructor(
    readonly key: string,
    readonly currentStatus: string,
    readonly wanted: string,
    readonly available: readonly string[],
  ) {
    super(
      'jira',
      `${key} is in status "${currentStatus}", and its workflow has no transition from there to "${wanted}" ` +
        `(available: ${available.join(', ') || 'none'})`,
    );
    this.name = 'TransitionUnavailableError';
  }
}

/** A record fetched on its own failed validation; `rejection` is what goes to quarantine. */
export class RecordRejectedError extends UpstreamContractError {
  constructor(
    upstream: UpstreamName,
    readonly rejection: Rejection,
  ) {
    super(upstream, `${rejection.source} ${rejection.externalId} rejected: ${rejection.reason}`);
    this.name = 'RecordRejectedError';
  }
}
