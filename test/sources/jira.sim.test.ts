import { SIM_DEFAULTS } from '@t5g/simulators';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { TransitionUnavailableError } from '../../src/sources/errors.js';
import { createJiraClient } from '../../src/sources/jira/client.js';
import { createPromUpstreamMetrics } from '../../src/sources/metrics.js';
import type { SourceDeps } from '../../src/sources/types.js';
import { control, FAST_RETRY, metricValue, type Sim, simEnv, startSim, testConfig } from './support.js';

describe.each(['cloud', 'dc'] as const)('JIRA %s', (flavor) => {
  let sim: Sim;
  const sim$ = () => control(sim);
  const searchKey = flavor === 'cloud' ? 'jira GET /rest/api/3/search/jql' : 'jira GET /rest/api/2/search';

  beforeAll(async () => {
    sim = await startSim({ cases: 150, seed: 7 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim$().clearFaults();
    await sim$().resetCounters();
  });

  const jiraFor = (env: Record<string, string> = {}, deps: Partial<SourceDeps> = {}) =>
    createJiraClient(testConfig({ ...simEnv(sim, flavor), JIRA_PAGE_SIZE: '7', ...env }), {
      logger: silentLogger,
      retry: FAST_RETRY,
      ...deps,
    });
  const teamCards = () =>
    sim.state.issues.filter(
      (i) => i.projectKey === SIM_DEFAULTS.jiraProject && i.labels.includes(SIM_DEFAULTS.cardLabel),
    );

  it('pages through every card, and completes truncated comment lists', async () => {
    const result = await jiraFor().searchCards();
    const expected = teamCards();
    expect(result.rejected).toEqual([]);
    expect(result.items.map((c) => c.key).sort()).toEqual(expected.map((i) => i.key).sort());
    const counters = await sim$().counters();
    expect(counters.requests[searchKey]).toBe(Math.ceil(expected.length / 7));

    const chatty = expected.find(
      (i) => sim.state.issueComments(i).length > SIM_DEFAULTS.jiraEmbeddedComments,
    );
    expect(chatty).toBeDefined();
    const card = result.items.find((c) => c.key === chatty?.key);
    expect(card?.comments).toHaveLength(sim.state.issueComments(chatty as never).length);
    expect(result.items.every((c) => c.commentsComplete)).toBe(true);
    expect(result.items.every((c) => typeof c.description === 'string')).toBe(true);
    const assigned = result.items.find((c) => c.assignee);
    const simAssignee = expected.find((i) => i.key === assigned?.key)?.assignee;
    expect(assigned?.assignee?.id).toBe(flavor === 'cloud' ? simAssignee?.accountId : simAssignee?.name);
  });

  it('keeps a card with an unknown status as Unknown and notes it', async () => {
    const card = teamCards()[0];
    await sim$().mutate({ setCardStatus: { key: card?.key, status: 'ON_QA' } });
    const result = await jiraFor().searchCards();
    const kept = result.items.find((c) => c.key === card?.key);
    expect(kept).toMatchObject({ status: 'ON_QA', internalStatus: 'Unknown' });
    expect(result.notes).toContainEqual(
      expect.objectContaining({
        source: 'jira.card',
        externalId: card?.key,
        reason: 'unknown JIRA status ON_QA',
      }),
    );
    await sim$().mutate({ setCardStatus: { key: card?.key, status: 'To Do' } });
  });

  it('searches incrementally with an updated >= cursor', async () => {
    const cursor = new Date(sim.state.now());
    const changed = (await sim$().mutate({ newCardComments: 3 })) as { newCardComments: { key: string }[] };
    const result = await jiraFor().searchCards({ updatedSince: cursor });
    const keys = result.items.map((c) => c.key);
    for (const { key } of changed.newCardComments) expect(keys).toContain(key);
    expect(keys.length).toBeLessThan(teamCards().length);
  });

  it('rejects invalid issues with reasons while the rest of the page arrives', async () => {
    await sim$().faults({ jira: { invalidRecordRate: 0.15, only: 'search' } });
    const result = await jiraFor().searchCards({ comments: 'embedded' });
    expect(result.rejected.length).toBeGreaterThan(0);
    for (const r of result.rejected) expect(r.reason).toMatch(/summary|created|id/);
    expect(result.items.length + result.rejected.length).toBe(teamCards().length);
  });

  it('reads linked issues, escalations, the board and its active sprint', async () => {
    const jira = jiraFor();
    const linked = sim.state.issues.filter((i) => i.role === 'linked').slice(0, 5);
    const issues = await jira.getIssues([...linked.map((i) => i.key), 'NOPE-1']);
    expect(issues.items.map((i) => i.key).sort()).toEqual(linked.map((i) => i.key).sort());
    expect(issues.failed.map((f) => f.key)).toEqual(['NOPE-1']);
    const withKeywords = issues.items.find((i) => i.privateKeywords?.length);
    if (withKeywords) expect(withKeywords.privateKeywords?.every((k) => !k.includes('<'))).toBe(true);

    const escalations = await jira.searchEscalations();
    const open = sim.state.issues.filter(
      (i) =>
        i.projectKey === SIM_DEFAULTS.escalationsProject &&
        i.labels.includes(SIM_DEFAULTS.escalationsLabel) &&
        i.status !== 'Closed',
    );
    expect(escalations.items.map((e) => e.key).sort()).toEqual(open.map((i) => i.key).sort());
    const sample = open.find((i) => i.sfdcCaseLinks.length > 0);
    expect(escalations.items.find((e) => e.key === sample?.key)?.caseNumbers).toEqual(sample?.sfdcCaseLinks);

    const board = await jira.findBoard();
    expect(board?.id).toBe(SIM_DEFAULTS.boardId);
    const sprint = await jira.findActiveSprint(board?.id ?? 0);
    expect(sprint?.state).toBe('active');
    expect(sprint?.name.startsWith(SIM_DEFAULTS.sprintNamePrefix)).toBe(true);
  });

  it('creates a card and works it: transition by name, sprint, links, comments, fields', async () => {
    const jira = jiraFor();
    const member = sim.team[0];
    const assignee = flavor === 'cloud' ? member?.jira_account_id : member?.jira_user;
    const created = await jira.createIssue({
      summary: '04099999: PTP sync lost after upgrade',
      description: 'First paragraph.\n\nSecond paragraph with a link https://example.com',
      severity: 'High',
      ...(assignee ? { assignee } : {}),
    });
    if (created.blocked) throw new Error('blocked');
    const key = created.value.key;
    expect(key).toMatch(/^KNIECO-\d+$/);

    expect((await jira.transitionIssue(key, 'to do')).blocked).toBe(false);
    const sprint = await jira.findActiveSprint(SIM_DEFAULTS.boardId);
    expect((await jira.addToSprint(sprint?.id ?? 0, [key])).blocked).toBe(false);
    const link = { url: 'https://access.redhat.com/support/cases/04099999', title: 'Support Case' };
    await jira.addRemoteLink(key, link);
    await jira.addRemoteLink(key, link); // same globalId: updated, not duplicated
    expect(await jira.listRemoteLinks(key)).toEqual([expect.objectContaining(link)]);
    await jira.addComment(key, 'Case 04099999 seems to have been reopened.');
    expect((await jira.listComments(key)).items.map((c) => c.body)).toContain(
      'Case 04099999 seems to have been reopened.',
    );
    await jira.setPriority(key, 'Urgent');
    await jira.updateCustomFields(key, { releaseNote: 'TRACK' });

    const cards = await jira.searchCards({ extraJql: `key = ${key}` });
    expect(cards.items).toHaveLength(1);
    expect(cards.items[0]).toMatchObject({
      key,
      caseNumber: '04099999',
      status: 'To Do',
      internalStatus: 'Backlog',
      priority: 'Critical',
      labels: [SIM_DEFAULTS.cardLabel],
    });
    expect(cards.items[0]?.description).toContain('Second paragraph with a link https://example.com');
    expect(cards.items[0]?.sprints.map((s) => s.id)).toContain(sprint?.id);
    await expect(jira.transitionIssue(key, 'Teleport')).rejects.toThrow(
      new RegExp(`${key} is in status "To Do", and its workflow has no transition from there to "Teleport"`),
    );
  });
});

describe('JIRA DC rate limiting', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ cases: 60, seed: 3 });
  });
  afterAll(() => sim.close());

  it('rides out a 429 storm with HTML bodies, honouring Retry-After', async () => {
    const registry = new Registry();
    const jira = createJiraClient(testConfig({ ...simEnv(sim, 'dc'), JIRA_PAGE_SIZE: '5' }), {
      logger: silentLogger,
      retry: FAST_RETRY,
      metrics: createPromUpstreamMetrics(registry),
    });
    await control(sim).faults({
      jira: { rateLimitRate: 0.5, retryAfterSeconds: 1, limit: 2, only: 'search' },
    });
    const started = Date.now();
    const result = await jira.searchCards({ comments: 'embedded' });
    const cards = sim.state.issues.filter(
      (i) => i.projectKey === SIM_DEFAULTS.jiraProject && i.labels.includes(SIM_DEFAULTS.cardLabel),
    );
    expect(result.items).toHaveLength(cards.length);
    expect(
      await metricValue(registry, 't5g_upstream_requests_total', { upstream: 'jira', outcome: '429' }),
    ).toBe(2);
    expect(
      await metricValue(registry, 't5g_upstream_rate_limit_wait_seconds_total', { upstream: 'jira' }),
    ).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });
});

describe.each(['Asia/Kolkata', 'America/Los_Angeles'] as const)(
  'JIRA updated >= cursor for a bot account in %s',
  (zone) => {
    let sim: Sim;
    beforeAll(async () => {
      sim = await startSim({ cases: 60, seed: 9, jiraBotTimeZone: zone });
    });
    afterAll(() => sim.close());

    it('sends the cursor in the account zone, so a change is found just after it and not before', async () => {
      const jira = createJiraClient(testConfig(simEnv(sim, 'cloud')), {
        logger: silentLogger,
        retry: FAST_RETRY,
      });
      const card = sim.state.issues.find(
        (i) => i.projectKey === SIM_DEFAULTS.jiraProject && i.labels.includes(SIM_DEFAULTS.cardLabel),
      );
      if (!card) throw new Error('fixture');
      // Every other card is older than a day; this one changes now.
      const now = sim.state.now();
      for (const i of sim.state.issues) i.updated = Math.min(i.updated, now - 86_400_000);
      card.updated = now;
      sim.state.touch();
      const keys = async (since: number) =>
        (await jira.searchCards({ updatedSince: new Date(since), comments: 'embedded' })).items.map(
          (c) => c.key,
        );
      // Read in UTC, the clause would be 5.5 h early (Kolkata) or 8 h late (Los Angeles): wrong either way.
      expect(await keys(now - 60_000)).toEqual([card.key]);
      expect(await keys(now + 5 * 60_000)).toEqual([]);
    });
  },
);

describe.each(['cloud', 'dc'] as const)('JIRA %s on a restricted workflow', (flavor) => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ cases: 60, seed: 5, workflow: 'restricted' });
  });
  afterAll(() => sim.close());
  const jira = () =>
    createJiraClient(testConfig(simEnv(sim, flavor)), { logger: silentLogger, retry: FAST_RETRY });
  const cardIn = (status: string) => {
    const card = sim.state.issues.find(
      (i) => i.projectKey === SIM_DEFAULTS.jiraProject && i.status === status,
    );
    if (!card) throw new Error(`no card in ${status}`);
    return card;
  };

  it('moves by target status, sending the resolution the Done screen requires', async () => {
    const card = cardIn('In Progress');
    const moved = await jira().transitionIssue(card.key, 'Done');
    expect(moved.blocked).toBe(false);
    expect(card.status).toBe('Done');
    expect(card.resolution).toBe('Done');
    const other = cardIn('In Progress');
    await jira().transitionIssue(other.key, 'Done', { resolution: "Won't Do" });
    expect(other.resolution).toBe("Won't Do");
  });

  it('names the card, its status and the wanted one when its workflow has no way there', async () => {
    const card = cardIn('To Do');
    card.status = 'New';
    const err = await jira()
      .transitionIssue(card.key, 'QE Review')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransitionUnavailableError);
    expect(err).toMatchObject({ key: card.key, currentStatus: 'New', wanted: 'QE Review' });
    expect((err as Error).message).toContain(
      `${card.key} is in status "New", and its workflow has no transition from there to "QE Review" (available: `,
    );
    expect(card.status).toBe('New');
  });
});
