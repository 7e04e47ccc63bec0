import type { Config } from '../../config/config.js';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Upstreams } from '../../sources/index.js';
import { slackText } from '../../sources/slack.js';
import type { AlertSink, JobAlert } from './alerts.js';

/**
 * Alerts by e-mail (ALERT_EMAIL) and Slack (SLACK_ALERT_CHANNEL, else the low-severity channel),
 * always logged too. Both go through the READ_ONLY-guarded clients, so in read-only mode the alert
 * is logged and the would-be sends are recorded as blocked. A failing channel never hides the alert.
 */
export function createNotifyingAlertSink(config: Config, upstreams: Upstreams, logger: Logger): AlertSink {
  const channel = config.slack.alertChannel ?? config.slack.lowSeverityChannel;
  return {
    async send(alert) {
      const text = describe(alert);
      logger.error({ alert }, text.split('\n')[0]);
      const sends: Promise<unknown>[] = [];
      if (config.email.alertTo.length > 0) {
        sends.push(
          upstreams.email.send({
            to: config.email.alertTo,
            subject: `[t5g] sync job ${alert.job} failed`,
            text,
          }),
        );
      }
      if (upstreams.slack.enabled && channel) {
        sends.push(upstreams.slack.postMessage({ channel, text: `:warning: ${slackText(text)}` }));
      }
      for (const result of await Promise.allSettled(sends)) {
        if (result.status === 'rejected') {
          logger.warn({ err: errorMessage(result.reason), job: alert.job }, 'could not deliver a sync alert');
        }
      }
    },
  };
}

function describe(alert: JobAlert): string {
  return [
    `Sync job "${alert.job}" failed after ${alert.attempts} attempt(s).`,
    `Error: ${alert.error}`,
    `Run: ${alert.runId}`,
    alert.suppressed
      ? `${alert.suppressed} further failure alert(s) for this job were held back since the last one.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}
