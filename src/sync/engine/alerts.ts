import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Queryable } from '../../store/db.js';
import { claimAlertSlot, countSuppressedAlert } from '../../store/repositories/alert-throttle.js';

// Alerts go out when a run has failed its last retry. The e-mail/Slack sink plugs in behind the
// `AlertSink` interface once the connectors exist; the engine always wraps whatever sink it gets in
// the rate limiter, so a flapping upstream produces one alert per job per window, not one per run.

export interface JobAlert {
  job: string;
  runId: string;
  error: string;
  /** Attempts made, the first one included. */
  attempts: number;
  /** Alerts for this job held back by the rate limit since the previous one went out. */
  suppressed?: number;
}

export interface AlertSink {
  send(alert: JobAlert): Promise<void>;
}

/** The sink until e-mail/Slack are wired: an error line with everything an on-call person needs. */
export function createLoggingAlertSink(logger: Logger): AlertSink {
  return {
    async send(alert) {
      logger.error({ alert }, `job ${alert.job} failed after ${alert.attempts} attempt(s): ${alert.error}`);
    },
  };
}

export type GateDecision = { send: true; suppressedSince: number } | { send: false };

/** Decides whether an alert for `job` may go out now; several processes may share one gate. */
export interface AlertGate {
  tryAcquire(job: string, windowSeconds: number): Promise<GateDecision>;
}

/** In-process gate, for a single process and for tests (`now` is injectable). */
export function createMemoryAlertGate(now: () => number = Date.now): AlertGate {
  const state = new Map<string, { lastSentAt: number; suppressed: number }>();
  return {
    async tryAcquire(job, windowSeconds) {
      const t = now();
      const s = state.get(job);
      if (s && t - s.lastSentAt < windowSeconds * 1000) {
        s.suppressed += 1;
        return { send: false };
      }
      state.set(job, { lastSentAt: t, suppressed: 0 });
      return { send: true, suppressedSince: s?.suppressed ?? 0 };
    },
  };
}

/** Gate kept in PostgreSQL (`alert_throttle`), so the window holds across every worker process. */
export function createStoreAlertGate(db: Queryable): AlertGate {
  return {
    async tryAcquire(job, windowSeconds) {
      const claimed = await claimAlertSlot(db, job, windowSeconds);
      if (claimed) return { send: true, suppressedSince: claimed.suppressedSince };
      await countSuppressedAlert(db, job);
      return { send: false };
    },
  };
}

export interface RateLimitOptions {
  gate: AlertGate;
  windowSeconds: number;
  logger: Logger;
}

/**
 * At most one alert per job per window. Held-back alerts are logged and counted; the next alert that
 * goes out says how many there were. A failing sink is logged, never thrown: alerting must not turn
 * a failed run into a crashed worker.
 */
export function rateLimitAlerts(inner: AlertSink, opts: RateLimitOptions): AlertSink {
  return {
    async send(alert) {
      try {
        const decision = await opts.gate.tryAcquire(alert.job, opts.windowSeconds);
        if (!decision.send) {
          opts.logger.warn(
            { job: alert.job, runId: alert.runId, windowSeconds: opts.windowSeconds },
            'alert suppressed by the rate limit',
          );
          return;
        }
        await inner.send(
          decision.suppressedSince > 0 ? { ...alert, suppressed: decision.suppressedSince } : alert,
        );
      } catch (err) {
        opts.logger.error({ err: errorMessage(err), job: alert.job, runId: alert.runId }, 'alert failed');
      }
    },
  };
}
