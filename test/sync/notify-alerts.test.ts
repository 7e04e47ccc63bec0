import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createUpstreams } from '../../src/sources/index.js';
import { createNotifyingAlertSink } from '../../src/sync/engine/notify-alerts.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

interface Mail {
  subject: string;
  text: string;
  headers: Record<string, string>;
}
interface SlackMessage {
  /** Slack answers with the channel id; the simulator keeps the name it was addressed by too. */
  channelName: string;
  text: string;
}

describe('failed-job alerts by e-mail and Slack', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await strictSimulator({ cases: 20, seed: 3, smtpPort: 0 });
  });
  afterAll(async () => sim?.close());

  const alert = {
    job: 'cases',
    runId: '11111111-2222-4333-8444-555555555555',
    error: 'Portal answered 503',
    attempts: 4,
    suppressed: 2,
  };

  it('mails ALERT_EMAIL and posts to the alert channel when writes are allowed', async () => {
    await simControl(sim, 'mail', { method: 'DELETE' });
    const config = simulatorConfig(sim, {
      READ_ONLY: 'false',
      ALERT_EMAIL: 'oncall@example.com',
      SLACK_ALERT_CHANNEL: 't5g-alerts',
    });
    const up = createUpstreams(config, { logger: silentLogger });
    await createNotifyingAlertSink(config, up, silentLogger).send(alert);
    await up.close();

    const mails = await simControl<{ items?: Mail[] } | Mail[]>(sim, 'mail');
    const list = Array.isArray(mails) ? mails : (mails.items ?? []);
    const mail = list.find((m) => m.subject === '[t5g] sync job cases failed');
    expect(mail).toBeDefined();
    expect(mail!.text).toContain('Portal answered 503');
    expect(mail!.text).toContain('2 further failure alert(s)');
    const slack = await simControl<{ items?: SlackMessage[] } | SlackMessage[]>(sim, 'slack');
    const posts = Array.isArray(slack) ? slack : (slack.items ?? []);
    expect(
      posts.some((p) => p.channelName === 't5g-alerts' && p.text.includes('Sync job "cases" failed')),
    ).toBe(true);
  });

  it('only logs under READ_ONLY: no mail, no Slack post', async () => {
    await simControl(sim, 'counters/reset', { method: 'POST' });
    const config = simulatorConfig(sim, { READ_ONLY: 'true', ALERT_EMAIL: 'oncall@example.com' });
    const up = createUpstreams(config, { logger: silentLogger });
    await createNotifyingAlertSink(config, up, silentLogger).send(alert);
    await up.close();
    const counters = await simControl<{ totals: { writes: number } }>(sim, 'counters');
    expect(counters.totals.writes).toBe(0);
  });
});
