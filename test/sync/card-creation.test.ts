import { randomUUID } from 'node:crypto';
import type { CounterSnapshot, RunningSimulator, SimCase, SimIssue } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createJiraClient, expectWritten } from '../../src/sources/index.js';
import { noopUpstreamMetrics } from '../../src/sources/metrics.js';
import { upsertCases } from '../../src/store/repositories/cases.js';
import type { JobOutcome } from '../../src/sync/engine/types.js';
import {
  CARD_CREATION_SOURCE,
  type CardCreationReport,
  cardCreationJob,
} from '../../src/sync/upstream-writes/card-creation/job.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import {
  caseRecord,
  casesWithoutCard,
  longDescription,
  seedCasesAndCards,
  teamCards,
} from './fixtures/card-creation-seed.js';

// Portal → JIRA card creation against the simulator, on both database backends: exactly the open
// cases without a card get one (with sprint, To Do, both links, watcher, full description, mail,
// Slack), never a second one (re-run, two concurrent runs, a run after a crash on either side of
// the create), READ_ONLY writes nothing, the mass-creation guard, and the reopen flow.

const DAY = 86_400_000;
const SEARCH_LAG_MS = 1_500;
/** Card creation's wait for the search to see an earlier create: longer than the lag. */
const SEARCH_SETTLE_S = 3;

describe.each(['pglite', 'postgres'] as const)('card creation on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  let expected: SimCase[];

  const counters = () => simControl<CounterSnapshot>(sim, 'counters');
  const resetCounters = () => simControl(sim, 'counters/reset', { method: 'POST' });
  const rows = async <T>(sql: string, params: unknown[] = []) =>
    (await ts.store.db.query<T>(sql, params)).rows;
  const cardsOf = (n: string): SimIssue[] => teamCards(sim.state).filter((i) => i.caseNumber === n);

  async function run(cfg: Config = config, runId = randomUUID()) {
    const ctx = makeJobContext(ts.store, cfg, { job: cardCreationJob.name, runId });
    const outcome = (await cardCreationJob.handler(ctx)) as JobOutcome;
    const state = await rows<{ details: { lastRun: CardCreationReport } }>(
      'SELECT details FROM sync_state WHERE source = $1',
      [CARD_CREATION_SOURCE],
    );
    return { outcome, report: state[0]?.details.lastRun as CardCreationReport };
  }

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 150, seed: 11, smtpPort: 0 });
    ts = await openTestStore(backend, 'card-creation');
    config = simulatorConfig(sim, {
      READ_ONLY: 'false',
      MAX_CARDS_PER_RUN: '50',
      ALERT_EMAIL: 'alerts@example.com',
      JIRA_SEARCH_SETTLE_SECONDS: String(SEARCH_SETTLE_S),
    });
    await seedCasesAndCards(ts.store, sim.state, config);
    expected = casesWithoutCard(sim.state);
    // JIRA Cloud's search is eventually consistent: an issue created less than this long ago is
    // missing from search results, as it may be upstream.
    await simControl(sim, 'faults', { method: 'PUT', body: { jira: { consistencyLagMs: SEARCH_LAG_MS } } });
  }, 60_000);

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('the simulator has open cases without a card', () => {
    expect(expected.length).toBeGreaterThanOrEqual(2);
  });

  it('READ_ONLY: no write on any upstream, nothing claimed or stored, the would-be cards listed', async () => {
    await resetCounters();
    const ro = simulatorConfig(sim, { READ_ONLY: 'true', MAX_CARDS_PER_RUN: '50' });
    const { report } = await run(ro);
    expect((await counters()).totals.writes).toBe(0);
    expect(await rows('SELECT 1 FROM card_creations')).toHaveLength(0);
    expect(report.created).toHaveLength(0);
    expect(report.wouldHave.map((w) => w.case).sort()).toEqual(expected.map((c) => c.number).sort());
  });

  it('mass-creation guard: more new cases than MAX_CARDS_PER_RUN creates none and sends one alert', async () => {
    await resetCounters();
    const mailBefore = sim.state.mail.length;
    const guarded = simulatorConfig(sim, {
      READ_ONLY: 'false',
      MAX_CARDS_PER_RUN: '1',
      ALERT_EMAIL: 'alerts@example.com',
    });
    const { report } = await run(guarded);
    const snap = await counters();
    expect(snap.upstreams.jira.writes).toBe(0);
    expect(snap.upstreams.portal.writes).toBe(0);
    const mails = sim.state.mail.slice(mailBefore);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('High New Case Count Detected');
    expect(mails[0]?.envelope.to).toEqual(['alerts@example.com']);
    expect(mails[0]?.text).toContain(
      `more than 1 cases (${expected.length}) will be created, so refusing to proceed`,
    );
    expect(report.refused).toMatchObject({ newCases: expected.length, max: 1, alert: 'sent' });
    expect(await rows('SELECT 1 FROM card_creations')).toHaveLength(0);
  });

  it('two concurrent runs, after crashes before and after the create, give each case exactly one card', async () => {
    const [adopted, orphanClaim] = expected;
    if (!adopted || !orphanClaim) throw new Error('need two cases');
    // A run that died after JIRA created the card but before it recorded the key (it had marked the
    // claim `creating` just before sending): the card is not in JIRA's search yet (SEARCH_LAG_MS) …
    await ts.store.db.query(
      `INSERT INTO card_creations (case_number, run_id, claimed_at, step) VALUES ($1, 'dead-run', now() - interval '1 hour', 'creating')`,
      [adopted.number],
    );
    const jira = createJiraClient(config, { logger: silentLogger, metrics: noopUpstreamMetrics });
    const early = expectWritten(
      await jira.createIssue({
        summary: `${adopted.number}: ${adopted.summary}`,
        description: 'x',
        severity: 'High',
      }),
    );
    // … and one that died right after claiming.
    await ts.store.db.query(
      `INSERT INTO card_creations (case_number, run_id, claimed_at) VALUES ($1, 'dead-run', now() - interval '1 hour')`,
      [orphanClaim.number],
    );
    await resetCounters();
    const mailBefore = sim.state.mail.length;
    const slackBefore = sim.state.slackMessages.length;

    const [a, b] = await Promise.all([run(), run()]);
    expect(a.outcome.changed ?? 0).toBeGreaterThanOrEqual(0);
    expect((a.outcome.changed ?? 0) + (b.outcome.changed ?? 0)).toBe(expected.length);

    const sprint = sim.state.sprints.find((s) => s.state === 'active' && s.name.startsWith('T5GFE Sprint'));
    for (const c of expected) {
      const cards = cardsOf(c.number);
      expect(cards, c.number).toHaveLength(1);
      const card = cards[0] as SimIssue;
      if (c === adopted) expect(card.key).toBe(early.key);
      else expect(card.description).toContain(longDescription(c.number));
      expect(card.status).toBe('To Do');
      expect(card.labels).toContain('field');
      if (sprint) expect(card.sprintIds).toContain(sprint.id);
      const titles = card.remoteLinks.map((l) => l.title);
      expect(titles).toContain('Support Case');
      if (c.bugzillaNumbers[0]) expect(titles).toContain(`BZ ${c.bugzillaNumbers[0]}`);
      const assignee = sim.team.find((m) => m.jira_account_id === card.assignee?.accountId);
      if (c !== adopted) expect(assignee, `${c.number} assigned`).toBeDefined();
      if (assignee?.notifieduser)
        expect(sim.state.caseByNumber.get(c.number)?.notifiedUsers.map((u) => u.ssoUsername)).toContain(
          assignee.jira_user,
        );
      const stored = await rows<{ jira_key: string }>('SELECT jira_key FROM cards WHERE case_number = $1', [
        c.number,
      ]);
      expect(stored.map((r) => r.jira_key)).toEqual([card.key]);
      const fe = await rows<{ fe_jira_card: string }>(
        'SELECT fe_jira_card FROM cases WHERE case_number = $1',
        [c.number],
      );
      expect(fe[0]?.fe_jira_card).toBe(card.key);
    }
    const claims = await rows<{ step: string }>('SELECT step FROM card_creations');
    expect(claims.every((r) => r.step === 'done')).toBe(true);
    expect(claims).toHaveLength(expected.length);

    // Notifications: one team mail per run that created cards, naming its cases; a Slack post + thread reply each.
    const mails = sim.state.mail.slice(mailBefore);
    const named = mails.flatMap((m) => m.subject.replace(/^[^:]*: /, '').split(', '));
    expect(named.sort()).toEqual(expected.map((c) => c.number).sort());
    expect(mails[0]?.text).toContain('has been created for a new case:');
    expect(mails[0]?.text).toContain('===========================================');
    const posts = sim.state.slackMessages.slice(slackBefore);
    expect(posts.filter((p) => !p.threadTs)).toHaveLength(expected.length);
    expect(posts.filter((p) => p.threadTs)).toHaveLength(expected.length);
    const mentioned = posts.find((p) => !p.threadTs && p.text.includes('<@'));
    expect(mentioned).toBeDefined();
  }, 60_000);

  it('stores every card and case link through the store: each is in change_log', async () => {
    const linked = await rows<{ case_number: string; fe_jira_card: string }>(
      'SELECT case_number, fe_jira_card FROM cases WHERE fe_jira_card IS NOT NULL ORDER BY case_number',
    );
    expect(linked.length).toBeGreaterThanOrEqual(expected.length);
    const caseLog = await rows<{ entity_key: string; op: string; changes: unknown }>(
      `SELECT entity_key, op, changes FROM change_log
       WHERE entity = 'case' AND changes ? 'fe_jira_card' ORDER BY entity_key`,
    );
    expect(caseLog).toEqual(
      linked.map((c) => ({
        entity_key: c.case_number,
        op: 'update',
        changes: { fe_jira_card: [null, c.fe_jira_card] },
      })),
    );
    const cardLog = await rows<{ entity_key: string }>(
      `SELECT entity_key FROM change_log
       WHERE entity = 'card' AND op = 'insert' AND run_id IS NOT NULL AND entity_key = ANY($1::text[])`,
      [linked.map((c) => c.fe_jira_card)],
    );
    expect(cardLog.map((r) => r.entity_key).sort()).toEqual(linked.map((c) => c.fe_jira_card).sort());
  });

  it('running again creates nothing and writes nothing', async () => {
    await resetCounters();
    const { report } = await run();
    expect(report.created).toHaveLength(0);
    expect((await counters()).totals.writes).toBe(0);
  });

  it('a reopened older case gets its finished card reopened, not a new card', async () => {
    const old = sim.state.cases.find(
      (c) =>
        c.status === 'Closed' && sim.state.now() - c.created > 30 * DAY && cardsOf(c.number).length === 1,
    );
    if (!old) throw new Error('no old closed case with a card');
    const card = cardsOf(old.number)[0] as SimIssue;
    card.status = 'Done';
    await ts.store.db.query(`UPDATE cards SET status = 'Done', status_raw = 'Done' WHERE jira_key = $1`, [
      card.key,
    ]);
    // The cases sync sees it open again: change_log records Closed → Waiting on Red Hat.
    await ts.store.write((tx) =>
      upsertCases(tx, [{ ...caseRecord(old), status: 'Waiting on Red Hat', closedDate: null }]),
    );
    await resetCounters();
    const reopenRun = randomUUID();
    const { report } = await run(config, reopenRun);
    expect(report.reopened).toEqual([{ case: old.number, key: card.key }]);
    expect(report.created).toHaveLength(0);
    expect(cardsOf(old.number)).toHaveLength(1);
    expect(card.status).toBe('To Do');
    expect(card.extraComments.at(-1)?.body).toContain(`Case ${old.number} seems to have been reopened`);
    const stored = await rows<{ status_raw: string }>('SELECT status_raw FROM cards WHERE jira_key = $1', [
      card.key,
    ]);
    expect(stored[0]?.status_raw).toBe('To Do');
    // Through the store's write path: the status change is in change_log under the reopening run.
    const logged = await rows<{ changes: Record<string, unknown> }>(
      `SELECT changes FROM change_log WHERE entity = 'card' AND entity_key = $1 AND run_id = $2`,
      [card.key, reopenRun],
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]?.changes).toMatchObject({ status_raw: ['Done', 'To Do'] });
    // Handled once: the next run leaves it alone.
    await resetCounters();
    const again = await run();
    expect(again.report.reopened).toHaveLength(0);
    expect((await counters()).totals.writes).toBe(0);
  }, 30_000);

  it('restricted workflow: a card with no transition back to To Do fails clearly on the run; the other is reopened', async () => {
    const olds = sim.state.cases.filter(
      (c) =>
        c.status === 'Closed' &&
        sim.state.now() - c.created > 30 * DAY &&
        cardsOf(c.number).length === 1 &&
        cardsOf(c.number)[0]?.status !== 'To Do',
    );
    const [stuck, fine] = olds;
    if (!stuck || !fine) throw new Error('need two old closed cases with a card');
    const stuckCard = cardsOf(stuck.number)[0] as SimIssue;
    const fineCard = cardsOf(fine.number)[0] as SimIssue;
    // "Won't Fix / Obsolete" is terminal in the restricted workflow: no transition leads out of it.
    stuckCard.status = "Won't Fix / Obsolete";
    fineCard.status = 'Closed';
    for (const [card, raw] of [
      [stuckCard, "Won't Fix / Obsolete"],
      [fineCard, 'Closed'],
    ] as const)
      await ts.store.db.query(`UPDATE cards SET status = 'Done', status_raw = $2 WHERE jira_key = $1`, [
        card.key,
        raw,
      ]);
    await ts.store.write((tx) =>
      upsertCases(
        tx,
        [stuck, fine].map((c) => ({ ...caseRecord(c), status: 'Waiting on Red Hat', closedDate: null })),
      ),
    );
    const { outcome, report } = await run();
    const message = `jira: ${stuckCard.key} is in status "Won't Fix / Obsolete", and its workflow has no transition from there to "To Do" (available: none)`;
    expect(report.failed).toEqual([{ case: stuck.number, error: message }]);
    expect(outcome.outcome?.failed).toEqual([{ action: 'card', target: stuck.number, detail: message }]);
    expect(outcome.summary).toContain('1 failed');
    expect(report.reopened).toEqual([{ case: fine.number, key: fineCard.key }]);
    expect(fineCard.status).toBe('To Do');
    expect(stuckCard.status).toBe("Won't Fix / Obsolete");
    expect(stuckCard.extraComments.some((c) => c.body.includes('seems to have been reopened'))).toBe(false);
    // Recorded once, not retried every run: the next run leaves it alone.
    await resetCounters();
    const again = await run();
    expect(again.report.failed).toHaveLength(0);
    expect((await counters()).totals.writes).toBe(0);
    const claim = await rows<{ step: string; last_error: string }>(
      'SELECT step, last_error FROM card_creations WHERE case_number = $1',
      [stuck.number],
    );
    expect(claim).toEqual([{ step: 'done', last_error: message }]);
  }, 30_000);
});
