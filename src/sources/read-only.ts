import type { Logger } from '../lib/logger.js';
import type { UpstreamMetrics } from './metrics.js';
import type { UpstreamName } from './types.js';

// READ_ONLY enforcement.
//
// Every client method that changes an upstream is written as `guard.write(action, detail, (permit) => …)`.
// With READ_ONLY on, the guard never calls the callback: it logs the action at info, counts it in
// `t5g_read_only_blocked_total{upstream,action}` and returns `{ blocked: true, action, detail }`.
//
// Why a typed result and not an exception: the sync jobs run in READ_ONLY as a dry run and report what they
// would have done; a result the type checker forces them to look at (`if (outcome.blocked)`) keeps that flow
// linear, and nothing is written by mistake because the value a caller needs (a new issue key, a message ts) only
// exists on the `blocked: false` branch. `expectWritten()` turns a blocked result into a `ReadOnlyError` for
// callers that prefer to stop.
//
// Why it cannot be bypassed: the HTTP layer's only write function takes a `WritePermit`, and a permit can only be
// minted here, inside `write()`, after the READ_ONLY check. The permit is checked at run time against a private
// registry, so a forged object is refused too. Slack and SMTP have no HTTP layer of ours; their transports are
// private to their modules and called only inside `guard.write` callbacks, which assert the permit as well.

declare const permitBrand: unique symbol;

/** Proof that the READ_ONLY guard allowed one write action. Only `createWriteGuard` can make one. */
export interface WritePermit {
  readonly upstream: UpstreamName;
  readonly action: string;
  readonly [permitBrand]: true;
}

const issuedPermits = new WeakSet<object>();

/** Throws unless `permit` was minted by a write guard for `upstream`. */
export function assertWritePermit(permit: WritePermit, upstream: UpstreamName): void {
  if (!issuedPermits.has(permit) || permit.upstream !== upstream) {
    throw new Error(`refusing ${upstream} write without a permit from the READ_ONLY guard`);
  }
}

export interface BlockedWrite {
  blocked: true;
  upstream: UpstreamName;
  action: string;
  /** What would have been sent (identifiers and short previews, never credentials). */
  detail: Record<string, unknown>;
}

export interface CompletedWrite<T> {
  blocked: false;
  value: T;
}

export type WriteOutcome<T> = CompletedWrite<T> | BlockedWrite;

export interface WriteGuard {
  readonly upstream: UpstreamName;
  readonly readOnly: boolean;
  write<T>(
    action: string,
    detail: Record<string, unknown>,
    perform: (permit: WritePermit) => Promise<T>,
  ): Promise<WriteOutcome<T>>;
}

export function createWriteGuard(opts: {
  upstream: UpstreamName;
  readOnly: boolean;
  logger: Logger;
  metrics: UpstreamMetrics;
}): WriteGuard {
  const { upstream, readOnly, logger, metrics } = opts;
  return {
    upstream,
    readOnly,
    async write(action, detail, perform) {
      if (readOnly) {
        logger.info({ upstream, action, detail }, 'READ_ONLY: write not sent');
        metrics.readOnlyBlocked({ upstream, action });
        return { blocked: true, upstream, action, detail };
      }
      const permit = Object.freeze({ upstream, action }) as WritePermit;
      issuedPermits.add(permit);
      return { blocked: false, value: await perform(permit) };
    },
  };
}

export class ReadOnlyError extends Error {
  constructor(readonly outcome: BlockedWrite) {
    super(`READ_ONLY is on: ${outcome.upstream} ${outcome.action} was not sent`);
    this.name = 'ReadOnlyError';
  }
}

/** The written value, or a `ReadOnlyError` when READ_ONLY blocked the write. */
export function expectWritten<T>(outcome: WriteOutcome<T>): T {
  if (outcome.blocked) throw new ReadOnlyError(outcome);
  return outcome.value;
}
