import { SIM_DEFAULTS } from '@t5g/simulators';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUpstreams, type Upstreams, type WriteOutcome } from '../../src/sources/index.js';
import { createPromUpstreamMetrics } from '../../src/sources/metrics.js';
import {
  control,
  FAST_RETRY,
  memoryLogger,
  metricValue,
  type Sim,
  simEnv,
  startSim,
  testConfig,
} from './support.js';

describe('writes', () => {
  let sim: Sim;
  const sim$ = () => control(sim);
  beforeAll(async () => {
    sim = await startSim({ cases: 120, seed: 11, smtpPort: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim$().clearFaults();
    await sim$().resetCounters();
    await sim$().clearMail();
    await sim$().clearSlack();
  });

  function upstreamsFor(readOnly: boolean, registry = new Registry()) {
    const { logger, lines } = memoryLogger();
    const config = testConfig({ ...simEnv(sim), READ_ONLY: String(readOnly) });
    const upstreams = createUpstreams(config, {
      logger,
      metrics: createPromUpstreamMetrics(registry),
      retry: FAST_RETRY,
    });
    return { upstreams, lines, registry };
  }

  /** Calls every write the connectors offer once; returns the outcomes in order. */
  async function everyWrite(u: Upstreams): Promise<WriteOutcome<unknown>[]> {
    const jira = u.jira;
    if (!jira) throw new Error('jira not configured');
    const openCase = sim.state.cases.find((c) => !c.forbidden && c.status !== 'Closed');
    const card = sim.state.issues.find(
      (i) => i.projectKey === SIM_DEFAULTS.jiraProject && i.labels.includes(SIM_DEFAULTS.cardLabel),
    );
    const bug = [...sim.state.bugs.values()].find((b) => b.visibility === 'public');
    const sprint = sim.state.sprints.find((s) => s.state === 'active');
    const caseNumber = openCase?.number as string;
    const key = card?.key as string;
    const bugId = bug?.id as number;
    const created = await jira.createIssue({
      summary: `${caseNumber}: test card`,
      description: 'd',
      severity: 'Low',
    });
    // Later JIRA writes act on the new card, or on an existing one when the create was blocked.
    const target = created.blocked ? key : created.value.key;
    return [
      created,
      await jira.transitionIssue(target, 'To Do'),
      await jira.addToSprint(sprint?.id as number, [target]),
      await jira.addRemoteLink(target, {
        url: `https://access.redhat.com/support/cases/${caseNumber}`,
        title: 'Support Case',
      }),
      await jira.addComment(target, 'Automated comment'),
      await jira.updateIssue(target, { labels: [SIM_DEFAULTS.cardLabel, 'Trends'] }),
      await jira.setPriority(target, 'Urgent'),
      await jira.updateCustomFields(target, { releaseNote: 'TRACK' }),
      await u.portal.addNotifiedUser(caseNumber, 'sim-watcher'),
      await u.portal.removeNotifiedUser(caseNumber, 'sim-watcher'),
      await u.bugzilla.updateBug(bugId, { whiteboard: 'Telco' }),
      await u.bugzilla.updateInternalWhiteboard(bugId, 'Telco Telco:Case'),
      await u.bugzilla.addKeywords(bugId, ['Triaged']),
      await u.slack.postMessage({ channel: SIM_DEFAULTS.slack.lowSeverityChannel, text: 'hello' }),
      await u.slack.postWithReply({
        channel: SIM_DEFAULTS.slack.highSeverityChannel,
        text: 'summary',
        reply: 'desc',
      }),
      await u.email.send({ subject: 'New card', text: 'A JIRA issue has been created.' }),
    ];
  }

  it('READ_ONLY blocks every write: nothing reaches any upstream, each is logged and counted', async () => {
    const { upstreams, lines, registry } = upstreamsFor(true);
    const outcomes = await everyWrite(upstreams);
    upstreams.close();

    expect(outcomes.every((o) => o.blocked)).toBe(true);
    const counters = await sim$().counters();
    expect(counters.totals.writes).toBe(0);
    // Not even a request: the guard stops before any HTTP (SMTP included).
    expect(Object.keys(counters.requests).filter((k) => !k.includes(' GET '))).toEqual([]);
    expect(await sim$().mail()).toEqual([]);
    expect(await sim$().slack()).toEqual([]);

    const blocked = await metricValue(registry, 't5g_read_only_blocked_total');
    expect(blocked).toBe(outcomes.length);
    expect(
      await metricValue(registry, 't5g_read_only_blocked_total', { upstream: 'jira', action: 'createIssue' }),
    ).toBe(1);
    const logged = lines.filter((l) => l.includes('READ_ONLY: write not sent'));
    expect(logged).toHaveLength(outcomes.length);
    expect(logged[0]).toContain('"level":30');
    expect(outcomes[0]).toMatchObject({ blocked: true, upstream: 'jira', action: 'createIssue' });
  });

  it('with READ_ONLY off the same calls write to every upstream', async () => {
    const { upstreams } = upstreamsFor(false);
    const outcomes = await everyWrite(upstreams);
    upstreams.close();

    expect(outcomes.every((o) => !o.blocked)).toBe(true);
    const { writes } = await sim$().counters();
    expect(writes).toMatchObject({
      'jira POST /rest/api/3/issue': 1,
      'jira POST /rest/api/3/issue/:key/transitions': 1,
      'jira POST /rest/agile/1.0/sprint/:sprintId/issue': 1,
      'jira POST /rest/api/3/issue/:key/remotelink': 1,
      'jira POST /rest/api/3/issue/:key/comment': 1,
      'jira PUT /rest/api/3/issue/:key': 3,
      'portal POST /v1/cases/:caseNumber/notifiedusers': 1,
      'portal DELETE /v1/cases/:caseNumber/notifiedusers/:ssoUsername': 1,
      'bugzilla PUT /rest/bug/:id': 3,
      'smtp DATA': 1,
    });
    expect(
      Object.entries(writes)
        .filter(([k]) => k.startsWith('slack '))
        .reduce((n, [, v]) => n + v, 0),
    ).toBe(3);
  });

  it('posts to Slack with a threaded reply on the severity channel', async () => {
    const { upstreams } = upstreamsFor(false);
    const channel = upstreams.slack.channelForSeverity('High') as string;
    expect(channel).toBe(SIM_DEFAULTS.slack.highSeverityChannel);
    expect(upstreams.slack.channelForSeverity(4)).toBe(SIM_DEFAULTS.slack.lowSeverityChannel);
    const outcome = await upstreams.slack.postWithReply({
      channel,
      text: 'New card KNIECO-1',
      reply: 'Description',
    });
    if (outcome.blocked) throw new Error('blocked');
    const posted = await sim$().slack();
    expect(posted).toHaveLength(2);
    expect(posted[0]).toMatchObject({
      channelName: channel,
      text: 'New card KNIECO-1',
      ts: outcome.value.message.ts,
    });
    expect(posted[1]).toMatchObject({
      channelName: channel,
      text: 'Description',
      threadTs: outcome.value.message.ts,
    });
  });

  it('waits out a Slack rate limit instead of dropping or duplicating the post', async () => {
    await sim$().faults({ slack: { rateLimitRate: 1, retryAfterSeconds: 1, limit: 1 } });
    const { upstreams } = upstreamsFor(false);
    const started = Date.now();
    const outcome = await upstreams.slack.postMessage({
      channel: SIM_DEFAULTS.slack.alertsChannel,
      text: 'once',
    });
    expect(outcome.blocked).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await sim$().slack()).map((m) => m.text)).toEqual(['once']);
  });

  it('sends plain-text mail marked Auto-Submitted to the SMTP sink', async () => {
    const { upstreams } = upstreamsFor(false);
    const outcome = await upstreams.email.send({
      subject: 'New Card(s): 04012345',
      text: 'Case #: 04012345',
    });
    upstreams.close();
    expect(outcome).toMatchObject({ blocked: false, value: { accepted: ['team@example.com'] } });
    const mail = await sim$().mail();
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('New Card(s): 04012345');
    expect(mail[0]?.text.trim()).toBe('Case #: 04012345');
    expect(mail[0]?.headers['auto-submitted']).toBe('auto-generated');
    expect(mail[0]?.headers['content-type']).toMatch(/^text\/plain/);
  });
});
