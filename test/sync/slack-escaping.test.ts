import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, TeamMember } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createUpstreams, type Upstreams } from '../../src/sources/index.js';
import { noopUpstreamMetrics } from '../../src/sources/metrics.js';
import { slackText, slackTextWithin } from '../../src/sources/slack.js';
import type { CaseForCard } from '../../src/store/queries/card-creation.js';
import { claimNewCase } from '../../src/store/repositories/card-creations.js';
import { createNotifyingAlertSink } from '../../src/sync/engine/notify-alerts.js';
import { SLACK_TEXT_LIMIT } from '../../src/sync/upstream-writes/card-creation/content.js';
import { notifyFailure, notifyNewCards } from '../../src/sync/upstream-writes/card-creation/notify.js';
import { claimHolder } from '../../src/sync/upstream-writes/card-creation/steps.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simulatorConfig, strictSimulator } from '../support/sim-config.js';

// Customer-written text reaches Slack as text: `<!channel>` does not notify the channel and
// `<https://evil|label>` does not become a disguised link. Asserted on what the Slack simulator
// received through the real Slack client, for every Slack message t5g sends.

const HOSTILE = '<!channel> look <https://evil.example|Red Hat KB> & <@U0ADMIN> <#C0GENERAL>';
const ESCAPED =
  '&lt;!channel&gt; look &lt;https://evil.example|Red Hat KB&gt; &amp; &lt;@U0ADMIN&gt; &lt;#C0GENERAL&gt;';

describe('slackText', () => {
  it('escapes exactly & < > and nothing else', () => {
    expect(slackText(HOSTILE)).toBe(ESCAPED);
    expect(slackText('plain *bold* _it_ "q" \'s\'')).toBe('plain *bold* _it_ "q" \'s\'');
  });

  it('cuts long text without splitting an entity', () => {
    expect(slackTextWithin('ab<cd', 4)).toBe('ab…');
    expect(slackTextWithin('ab<cd', 6)).toBe('ab&lt;…');
    expect(slackTextWithin('ab', 6)).toBe('ab');
  });
});

describe('Slack messages carry upstream text escaped', () => {
  let sim: RunningSimulator;
  let t: TestStore;
  let config: Config;
  let up: Upstreams;
  let member: TeamMember;

  const posted = () => sim.state.slackMessages.map((m) => m.text);

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 10, seed: 3, smtpPort: 0 });
    t = await openTestStore('pglite', 'slack_escaping');
    config = simulatorConfig(sim, { READ_ONLY: 'false' });
    member = config.team.find((m) => m.slack_user) ?? { ...config.team[0]!, slack_user: 'U0TEAM1' };
    up = createUpstreams(config, { logger: silentLogger, metrics: noopUpstreamMetrics });
  }, 60_000);

  afterAll(async () => {
    up?.close();
    await t?.close();
    await sim?.close();
  });

  /** Notifications go out only for cards whose creation claim the run holds, as card creation's do. */
  const holdClaim = async (ctx: ReturnType<typeof makeJobContext>, caseNumber: string) => {
    const claim = await claimNewCase(t.store.db, { caseNumber, runId: claimHolder(ctx), assignee: null });
    expect(claim).toBeDefined();
  };

  const hostileCase: CaseForCard = {
    caseNumber: '04000001',
    createdDate: new Date('2026-01-02T10:00:00Z'),
    severity: 1,
    severityLabel: 'Urgent',
    account: `Evil & Co <!here>`,
    summary: HOSTILE,
    status: 'Waiting on Red Hat',
    description: `Steps: ${HOSTILE}`,
    bugNumber: null,
  };

  it('the new-card post and its thread reply', async () => {
    sim.state.slackMessages.length = 0;
    const ctx = makeJobContext(t.store, config);
    await holdClaim(ctx, hostileCase.caseNumber);
    const result = await notifyNewCards(ctx, up, [
      {
        case: hostileCase,
        key: 'KNIECO-9',
        url: 'https://jira.example.com/browse/KNIECO-9',
        assignee: member,
      },
    ]);
    expect(result.slack.posted).toBe(1);
    const [post, reply] = posted();
    expect(post).toContain(`Summary: ${ESCAPED}`);
    expect(post).toContain('Account: Evil &amp; Co &lt;!here&gt;');
    // t5g's own markup stays markup: the assignee is mentioned.
    expect(post).toContain(`tracked by <@${member.slack_user}>`);
    expect(reply).toBe(`Steps: ${ESCAPED}`);
    for (const text of posted()) {
      expect(text).not.toContain('<!channel>');
      expect(text).not.toContain('<!here>');
      expect(text).not.toContain('<https://evil');
    }
  });

  it('a long description is escaped, then cut to Slack’s limit', async () => {
    sim.state.slackMessages.length = 0;
    const ctx = makeJobContext(t.store, config);
    const long = { ...hostileCase, caseNumber: '04000002', description: '<'.repeat(SLACK_TEXT_LIMIT) };
    await holdClaim(ctx, long.caseNumber);
    await notifyNewCards(ctx, up, [
      { case: long, key: 'KNIECO-10', url: 'https://j/browse/KNIECO-10', assignee: undefined },
    ]);
    const reply = posted()[1]!;
    expect(reply.length).toBeLessThanOrEqual(SLACK_TEXT_LIMIT + 1);
    expect(reply).toMatch(/^(&lt;)+…$/);
  });

  it('the card-creation failure post', async () => {
    sim.state.slackMessages.length = 0;
    await notifyFailure(makeJobContext(t.store, config), up, '04000001', `JIRA said: ${HOSTILE}`);
    expect(posted()).toEqual([
      `:warning: Failed to create JIRA card for case 04000001\nError: ${slackText(`JIRA said: ${HOSTILE}`.slice(0, 200))}`,
    ]);
  });

  it('the sync failure alert', async () => {
    sim.state.slackMessages.length = 0;
    await createNotifyingAlertSink(
      { ...config, email: { ...config.email, alertTo: [] } },
      up,
      silentLogger,
    ).send({
      job: 'cases',
      runId: 'r1',
      error: `upstream answered ${HOSTILE}`,
      attempts: 3,
    });
    const [alert] = posted();
    expect(alert).toContain(`Error: upstream answered ${ESCAPED}`);
    expect(alert).not.toContain('<!channel>');
  });
});
