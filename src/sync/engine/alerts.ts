import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Queryable } from '../../store/db.js';

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

/**
 * Gate kept in PostgreSQL (`alert_throttle`), so the window holds across every worker process. The
 * claim is one conditional upsert: of two processes racing for the same job, one row update wins.
 */
export function createStoreAlertGate(db: Queryable): AlertGate {
  return {
    async tryAcquire(job, windowSeconds) {
      const claimed = await db.query<{ suppressed: number | null }>(
        `WITH prev AS (SELECT suppressed FROM alert_throttle WHERE job = $1)
         INSERT INTO alert_throttle AS t (job, last_sent_at, suppressed) VALUES ($1, now(), 0)
         ON CONFLICT (job) DO UPDATE SET last_sent_at = now(), suppressed = 0
           WHERE t.last_sent_at <= now() - make_interval(secs => $2)
         RETURNING (SELECT suppressed FROM prev) AS suppressed`,
        [job, windowSeconds],
      );
      if (claimed.rows.length > 0) return { send: true, suppressedSince: claimed.rows[0]!.suppressed ?? 0 };
      await db.query('UPDATE alert_throttle SET suppressed = suppressed + 1 WHERE job = $1', [job]);
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
