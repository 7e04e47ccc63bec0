import { randomUUID } from 'node:crypto';
import type { CounterSnapshot, MutateResult, RunningSimulator, SimIssue } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { Queryable } from '../../src/store/db.js';
import { upsertCaseIssueLinks } from '../../src/store/repositories/issues.js';
import { getSyncState } from '../../src/store/repositories/sync-state.js';
import type { Store } from '../../src/store/store.js';
import { createJobRegistry } from '../../src/sync/engine/registry.js';
import { planSchedules } from '../../src/sync/engine/schedules.js';
import type { JobDefinition, JobOutcome, JobParams, JobServices } from '../../src/sync/engine/types.js';
import { bugsJob } from '../../src/sync/jobs/bugs.js';
import { CARDS_SOURCE, cardsJob } from '../../src/sync/jobs/cards.js';
import { escalationsJob } from '../../src/sync/jobs/escalations.js';
import { issuesJob } from '../../src/sync/jobs/issues.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator, simIssueLinks } from './fixtures/sim-seed.js';
import { syncConfig } from './support.js';

// The JIRA and Bugzilla job handlers against the simulator, called directly (no pg-boss): what an
// initial sync stores, that an incremental one asks only for what changed, that nothing is dropped
// (unknown status, case not stored, card gone upstream), batching, escalations turning off, 20%
// faults converging on the fault-free state, and zero upstream writes.

const CASES = 300;
const BATCH = 20;
const STATUS_MAP_MISS = 'POST'; // a real workflow status the default status map does not know

describe.each(['pglite', 'postgres'] as const)('JIRA and Bugzilla jobs on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  /** A card whose case is left out of the store: it must be kept, unlinked. */
  let orphan: SimIssue;

  const db = (): Queryable => ts.store.db;
  const rows = async <T>(sql: string, params: unknown[] = []) => (await db().query<T>(sql, params)).rows;
  const count = async (sql: string, params: unknown[] = []) =>
    (await rows<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params))[0]?.n ?? 0;

  const counters = () => simControl<CounterSnapshot>(sim, 'counters');
  const resetCounters = () => simControl(sim, 'counters/reset', { method: 'POST' });
  /** Requests per endpoint whose name contains `part`. */
  const requests = (snap: CounterSnapshot, part: string) =>
    Object.entries(snap.requests)
      .filter(([name]) => name.includes(part))
      .reduce((n, [, v]) => n + v, 0);

  /** Runs a handler the way the engine would, retrying a failed attempt (as pg-boss does). */
  async function run(
    job: JobDefinition,
    params: JobParams = {},
    opts: { config?: Config; attempts?: number; services?: JobServices } = {},
  ) {
    const attempts = opts.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      const ctx = makeJobContext(ts.store, opts.config ?? config, {
        job: job.name,
        params,
        runId: randomUUID(),
        ...(opts.services ? { services: opts.services } : {}),
      });
      try {
        const outcome = (await job.handler(ctx)) as JobOutcome;
        return { ctx, outcome };
      } catch (err) {
        if (attempt >= attempts) throw err;
      }
    }
  }

  const teamCards = () =>
    sim.state.cards().filter((c) => c.projectKey === 'KNIECO' && c.labels.includes('field'));
  const changedKeys = async (runId: string, entity: string) =>
    (
      await rows<{ entity_key: string }>(
        'SELECT DISTINCT entity_key FROM change_log WHERE run_id = $1 AND entity = $2 ORDER BY 1',
        [runId, entity],
      )
    ).map((r) => r.entity_key);

  beforeAll(async () => {
    sim = await strictSimulator({ cases: CASES, seed: 11 });
    ts = await openTestStore(backend, 'jira-jobs');
    config = simulatorConfig(sim, { BUGZILLA_BATCH_SIZE: String(BATCH) });
    const withCase = teamCards().filter((c) => c.caseNumber && sim.state.issueCommentCount(c) > 0);
    orphan = withCase[withCase.length - 1] as SimIssue;
    await seedFromSimulator(ts.store, sim.state, { skip: new Set([orphan.caseNumber as string]) });
  });

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('initial cards sync stores every team card with all of its comments', async () => {
    await resetCounters();
    const { ctx } = await run(cardsJob);
    const cards = teamCards();
    expect(await count('SELECT 1 FROM cards')).toBe(cards.length);

    // Sample fields of every card: status (raw and mapped), priority, labels, case link.
    const stored = new Map(
      (
        await rows<{
          jira_key: string;
          status_raw: string;
          status: string;
          priority: string;
          labels: string[];
        }>('SELECT jira_key, status_raw, status, priority, labels FROM cards')
      ).map((r) => [r.jira_key, r]),
    );
    for (const card of cards) {
      const row = stored.get(card.key);
      expect(row?.status_raw).toBe(card.status);
      expect(row?.status).toBe(config.jira.statusMap[card.status] ?? 'Unknown');
      expect(row?.priority).toBe(card.priority);
      expect([...(row?.labels ?? [])].sort()).toEqual([...card.labels].sort());
    }
    const sample = cards.find((c) => c.assignee && c.contributors.length > 0) as SimIssue;
    const [row] = await rows<{
      case_number: string;
      assignee_name: string;
      contributors: { displayName: string }[];
    }>('SELECT case_number, assignee_name, contributors FROM cards WHERE jira_key = $1', [sample.key]);
    expect(row?.case_number).toBe(sample.caseNumber);
    expect(row?.assignee_name).toBe(sample.assignee?.displayName);
    expect(row?.contributors.map((u) => u.displayName)).toEqual(
      sample.contributors.map((u) => u.displayName),
    );

    // Every comment, also past the 20 the search result embeds.
    const busy = cards.filter((c) => sim.state.issueCommentCount(c) > 20);
    expect(busy.length).toBeGreaterThan(0);
    for (const card of busy) {
      expect(await count('SELECT 1 FROM jira_comments WHERE jira_key = $1', [card.key])).toBe(
        sim.state.issueCommentCount(card),
      );
    }
    // Every card's comments, also those of the card whose case is not stored.
    expect(await count('SELECT 1 FROM jira_comments')).toBe(
      cards.reduce((n, c) => n + sim.state.issueCommentCount(c), 0),
    );
    // One comment-list request per card with more comments than the search embeds, none for the rest.
    const snap = await counters();
    expect(requests(snap, '/comment')).toBe(busy.length);
    expect(snap.totals.writes).toBe(0);
    expect(ctx.counters.upstreamRequests).toBe(snap.upstreams.jira.requests);
    console.log(`[${backend}] initial cards sync: ${JSON.stringify(snap.requests)}`);
  });

  it('keeps a card whose case is not stored with its case number, comments and stated case fields', async () => {
    const [row] = await rows<Record<string, unknown>>(
      `SELECT case_number, case_created_date, stated_severity, stated_account, stated_case_status
       FROM cards WHERE jira_key = $1`,
      [orphan.key],
    );
    const simCase = sim.state.caseByNumber.get(orphan.caseNumber as string)!;
    expect(row).toEqual({
      case_number: orphan.caseNumber,
      case_created_date: null,
      stated_severity: ['Urgent', 'High', 'Normal', 'Low'][simCase.severity - 1],
      stated_account: simCase.account.name,
      stated_case_status: simCase.status,
    });
    expect(
      await count('SELECT 1 FROM jira_comments WHERE jira_key = $1 AND case_number IS NULL', [orphan.key]),
    ).toBe(sim.state.issueCommentCount(orphan));
    expect(await count(`SELECT 1 FROM quarantine WHERE source = 'jira.comment'`)).toBe(0);
  });

  it('after 1% of records change, fetches only the changed cards and matches the simulator', async () => {
    const cursor = (await getSyncState(db(), CARDS_SOURCE))?.cursor as Date;
    await resetCounters();
    const mutation = await simControl<MutateResult>(sim, 'mutate', { body: { fraction: 0.01 } });
    expect(mutation.changedCards.length).toBeGreaterThan(0);
    const { ctx } = await run(cardsJob);

    // The search re-reads the cursor's last couple of minutes (minute precision) in the same one
    // request; cards among those that JIRA has not updated since they were stored are dropped
    // before any comment is paged, so comment requests go to changed cards only.
    const since = Math.floor((cursor.getTime() - 2 * 60_000) / 60_000) * 60_000;
    const read = teamCards().filter((c) => c.updated >= since);
    expect(read.map((c) => c.key)).toEqual(expect.arrayContaining(mutation.changedCards));
    const changed = mutation.changedCards.map((key) => sim.state.findIssue(key) as SimIssue);
    const snap = await counters();
    expect(requests(snap, 'search')).toBe(1);
    expect(requests(snap, '/comment')).toBe(
      changed.filter((c) => sim.state.issueCommentCount(c) > 20).length,
    );
    expect(snap.upstreams.jira.requests).toBeLessThanOrEqual(2 + changed.length);
    expect(ctx.counters.fetched).toBe(
      read.length + changed.reduce((n, c) => n + sim.state.issueCommentCount(c), 0),
    );
    console.log(
      `[${backend}] 1% incremental cards sync: ${changed.length} changed of ${teamCards().length} cards, ` +
        `${read.length} read (overlap), requests ${JSON.stringify(snap.requests)}`,
    );

    // Exactly the changed cards were written, and the store now says what the simulator says.
    expect(await changedKeys(ctx.runId, 'card')).toEqual([...mutation.changedCards].sort());
    const stored = await rows<{
      jira_key: string;
      status_raw: string;
      priority: string;
      labels: string[];
      n: number;
    }>(
      `SELECT k.jira_key, k.status_raw, k.priority, k.labels,
              (SELECT count(*)::int FROM jira_comments j WHERE j.jira_key = k.jira_key) AS n
       FROM cards k WHERE k.jira_key = ANY($1::text[])`,
      [mutation.changedCards],
    );
    for (const row of stored) {
      const card = sim.state.findIssue(row.jira_key) as SimIssue;
      expect(row.status_raw).toBe(card.status);
      expect(row.priority).toBe(card.priority);
      expect([...row.labels].sort()).toEqual([...card.labels].sort());
      expect(row.n).toBe(sim.state.issueCommentCount(card));
    }
  });

  it('keeps a card with an unknown status as "Unknown" and quarantines a note, then resolves it', async () => {
    const card = teamCards().find((c) => c.key !== orphan.key && c.status === 'In Progress') as SimIssue;
    await simControl(sim, 'mutate', { body: { setCardStatus: { key: card.key, status: STATUS_MAP_MISS } } });
    await run(cardsJob);
    const status = () =>
      rows<{ status: string; status_raw: string }>(
        'SELECT status, status_raw FROM cards WHERE jira_key = $1',
        [card.key],
      );
    expect(await status()).toEqual([{ status: 'Unknown', status_raw: STATUS_MAP_MISS }]);
    const notes = () =>
      rows<{ reason: string; resolved: boolean }>(
        `SELECT reason, resolved_at IS NOT NULL AS resolved FROM quarantine
         WHERE source = 'jira.card' AND external_id = $1`,
        [card.key],
      );
    expect(await notes()).toEqual([{ reason: `unknown JIRA status ${STATUS_MAP_MISS}`, resolved: false }]);

    await simControl(sim, 'mutate', { body: { setCardStatus: { key: card.key, status: 'In Progress' } } });
    await run(cardsJob);
    expect(await status()).toEqual([{ status: 'Eng Working', status_raw: 'In Progress' }]);
    expect((await notes())[0]?.resolved).toBe(true);
  });

  it('a full pass reads every team card, changes nothing, and reports cards gone upstream without dropping them', async () => {
    const card = teamCards().find((c) => c.key !== orphan.key) as SimIssue;
    card.labels = card.labels.filter((l) => l !== 'field'); // no longer a team card
    sim.state.touch();
    try {
      const { ctx } = await run(cardsJob, { full: true });
      // Only the card gone upstream is in change_log: recorded as gone, its row kept.
      expect(await changedKeys(ctx.runId, 'card')).toEqual([card.key]);
      expect(
        await count("SELECT 1 FROM change_log WHERE run_id = $1 AND entity_key = $2 AND op = 'gone'", [
          ctx.runId,
          card.key,
        ]),
      ).toBe(1);
      expect(await count('SELECT 1 FROM cards WHERE jira_key = $1', [card.key])).toBe(1);
      const details = (await getSyncState(db(), CARDS_SOURCE))?.details as {
        lastFullPass: { missingUpstream: number; missingKeys: string[] };
      };
      expect(details.lastFullPass).toMatchObject({ missingUpstream: 1, missingKeys: [card.key] });
    } finally {
      card.labels.push('field');
      sim.state.touch();
    }
  });

  it('linked issues: every key of open cases first, then only what changed', async () => {
    await resetCounters();
    await run(issuesJob);
    const keys = await rows<{ issue_key: string }>(
      `SELECT DISTINCT ci.issue_key FROM case_issues ci
       JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
       WHERE c.status <> 'Closed'`,
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(await count('SELECT 1 FROM issues')).toBe(keys.length);
    expect(requests(await counters(), 'GET /rest/api/3/issue/')).toBe(keys.length);
    const issue = sim.state.findIssue(keys[0]?.issue_key as string) as SimIssue;
    const [row] = await rows<{ status: string; title: string; priority: string }>(
      'SELECT status, title, priority FROM issues WHERE issue_key = $1',
      [issue.key],
    );
    expect(row).toEqual({ status: issue.status, title: issue.summary, priority: issue.priority });

    // Nothing changed: the change searches (`key in (…) AND updated >= …`) find nothing to read.
    await resetCounters();
    await run(issuesJob);
    const quiet = await counters();
    expect(requests(quiet, 'GET /rest/api/3/search/jql')).toBeGreaterThan(0);
    expect(requests(quiet, 'GET /rest/api/3/issue/')).toBe(0);

    // The issue changes, and the details job re-reads its case's links: exactly that issue is fetched.
    issue.status = issue.status === 'Verified' ? 'ON_QA' : 'Verified';
    issue.updated = sim.state.now();
    sim.state.touch();
    const c = sim.state.cases.find((x) => x.linkedIssueKeys.includes(issue.key));
    await ts.store.write((tx) =>
      upsertCaseIssueLinks(tx, simIssueLinks(sim.state, c as NonNullable<typeof c>)),
    );
    await resetCounters();
    await run(issuesJob);
    expect(requests(await counters(), 'GET /rest/api/3/issue/')).toBe(1);
    expect((await rows('SELECT status FROM issues WHERE issue_key = $1', [issue.key]))[0]).toEqual({
      status: issue.status,
    });
  });

  it('bugs: fetched in batches, restricted bugs stored as unavailable, nothing refetched when unchanged', async () => {
    await resetCounters();
    await run(bugsJob);
    const ids = await rows<{ bug_id: string }>('SELECT DISTINCT bug_id FROM case_bugs');
    expect(await count('SELECT 1 FROM bugs')).toBe(ids.length);
    expect(requests(await counters(), 'bugzilla GET /rest/bug')).toBe(Math.ceil(ids.length / BATCH));

    const linked = new Set(ids.map((r) => Number(r.bug_id)));
    const restricted = [...sim.state.bugs.values()].filter(
      (b) => b.visibility === 'private' && linked.has(b.id),
    );
    expect(restricted.length).toBeGreaterThan(0);
    const unavailable = await rows<{ bug_id: string; unavailable_reason: string }>(
      'SELECT bug_id, unavailable_reason FROM bugs WHERE unavailable ORDER BY bug_id',
    );
    expect(unavailable.map((r) => Number(r.bug_id)).sort()).toEqual(restricted.map((b) => b.id).sort());
    expect(unavailable.every((r) => r.unavailable_reason.length > 0)).toBe(true);
    const readable = [...sim.state.bugs.values()].find((b) => b.visibility !== 'private' && linked.has(b.id));
    const [bug] = await rows('SELECT status, summary FROM bugs WHERE bug_id = $1', [String(readable?.id)]);
    expect(bug).toEqual({ status: readable?.status, summary: readable?.summary });

    // Nothing changed: one `last_change_time` search per batch of readable bugs, nothing fetched.
    await resetCounters();
    const { ctx } = await run(bugsJob);
    const readableIds = await count('SELECT 1 FROM bugs WHERE NOT unavailable');
    expect((await counters()).upstreams.bugzilla.requests).toBe(Math.ceil(readableIds / BATCH));
    expect(ctx.counters.fetched).toBe(0);
  });

  it('escalations mark the cases they name; a closed escalation turns off', async () => {
    await run(escalationsJob);
    const escalated = async () =>
      (
        await rows<{ n: string }>(
          `SELECT DISTINCT unnest(case_numbers) AS n FROM escalations WHERE status <> 'Closed' ORDER BY 1`,
        )
      ).map((r) => r.n);
    const open = sim.state.issues.filter((i) => sim.state.isOpenEscalation(i));
    expect(open.length).toBeGreaterThan(1);
    expect(await escalated()).toEqual([...new Set(open.flatMap((i) => i.sfdcCaseLinks))].sort());

    const closing = open[0] as SimIssue;
    closing.status = 'Closed';
    sim.state.touch();
    await run(escalationsJob);
    expect(
      await rows('SELECT status, case_numbers FROM escalations WHERE issue_key = $1', [closing.key]),
    ).toEqual([{ status: 'Closed', case_numbers: closing.sfdcCaseLinks }]);
    const still = open.slice(1).flatMap((i) => i.sfdcCaseLinks);
    expect(await escalated()).toEqual([...new Set(still)].sort());
  });

  it('20% injected faults on JIRA and Bugzilla end in the same state as a fault-free sync', async () => {
    const jobs = [cardsJob, issuesJob, bugsJob, escalationsJob];
    const syncAll = async (services?: JobServices) => {
      await resetCounters();
      // Up to 4 attempts per job, as the engine's retry policy would allow.
      for (const job of jobs)
        await run(job, { full: true }, { attempts: 4, ...(services ? { services } : {}) });
      return (await counters()).totals.requests;
    };
    const cleanRequests = await syncAll();
    const clean = await snapshot();

    await ts.store.write((tx) =>
      tx.query('TRUNCATE cards, jira_comments, issues, bugs, escalations, sync_state, quarantine CASCADE'),
    );
    // 20% of requests fail one way or another: 5xx, 429, truncated bodies, timeouts.
    const faults = {
      errorRate: 0.08,
      rateLimitRate: 0.06,
      retryAfterSeconds: 0,
      truncateRate: 0.04,
      timeoutRate: 0.02,
    };
    await simControl(sim, 'faults', { method: 'PUT', body: { seed: 5, jira: faults, bugzilla: faults } });
    let faultedRequests: number;
    try {
      faultedRequests = await syncAll({ upstreamRetry: { baseDelayMs: 5, maxDelayMs: 50, timeoutMs: 400 } });
    } finally {
      await simControl(sim, 'faults', { method: 'DELETE' });
    }
    expect(faultedRequests).toBeGreaterThan(cleanRequests);
    expect(await snapshot()).toEqual(clean);
    console.log(
      `[${backend}] full sync of the 4 jobs: ${cleanRequests} requests clean, ${faultedRequests} with 20% faults`,
    );
  });

  it('READ_ONLY: a sync of every job makes zero upstream writes', async () => {
    await resetCounters();
    const readOnly = simulatorConfig(sim, { READ_ONLY: 'true', BUGZILLA_BATCH_SIZE: String(BATCH) });
    for (const job of [cardsJob, issuesJob, bugsJob, escalationsJob])
      await run(job, { full: true }, { config: readOnly });
    const snap = await counters();
    expect(snap.upstreams.jira.requests).toBeGreaterThan(0);
    expect(snap.totals.writes).toBe(0);
  });

  /** The synced tables, without sync bookkeeping columns, in a stable order. */
  async function snapshot() {
    return {
      cards: await rows(
        `SELECT jira_key, case_number, summary, status_raw, status, priority, assignee_name, assignee,
                contributors, labels, sprint, created_at, updated_at, raw FROM cards ORDER BY jira_key`,
      ),
      comments: await rows(
        `SELECT jira_comment_id, jira_key, author, body, created_at, last_update_date
         FROM jira_comments ORDER BY jira_comment_id`,
      ),
      issues: await rows('SELECT * FROM issues ORDER BY issue_key').then((r) => r.map(withoutSyncedAt)),
      bugs: await rows('SELECT * FROM bugs ORDER BY bug_id').then((r) => r.map(withoutSyncedAt)),
      escalations: await rows(
        // A fresh store never saw the escalation closed earlier; compare the open ones.
        `SELECT issue_key, status, case_numbers, url FROM escalations WHERE status <> 'Closed' ORDER BY issue_key`,
      ),
      quarantine: await rows(
        'SELECT source, external_id, reason FROM quarantine WHERE resolved_at IS NULL ORDER BY 1, 2',
      ),
    };
  }
});

function withoutSyncedAt(row: unknown): unknown {
  const { synced_at: _synced, ...rest } = row as Record<string, unknown>;
  return rest;
}

describe('JIRA and Bugzilla jobs: registration and schedules', () => {
  const jobs = ['cards', 'issues', 'bugs', 'escalations'];
  const plan = (env: Record<string, string>) =>
    planSchedules(syncConfig(undefined, env), createJobRegistry());
  const mine = <T extends { job: string }>(entries: T[]) => entries.filter((e) => jobs.includes(e.job));

  it('registers all four, refreshable with the rest', () => {
    const registry = createJobRegistry();
    for (const name of jobs) expect(registry.get(name)?.refresh).toBe('all');
  });

  it('schedules cards hourly plus a daily full pass; bugs and escalations only when configured', () => {
    const bare = plan({});
    expect(mine(bare.active)).toEqual([
      { job: 'cards', key: 'incremental', cron: '21 * * * *', params: {} },
      { job: 'cards', key: 'full', cron: '51 2 * * *', params: { full: true } },
      { job: 'issues', key: 'default', cron: expect.any(String), params: {} },
    ]);
    expect(mine(bare.inactive).map((e) => e.job)).toEqual(['bugs', 'escalations']);

    const configured = plan({
      BUGZILLA_API_KEY: 'key',
      JIRA_ESCALATIONS_PROJECT: 'RHOCPPRIO',
      JIRA_ESCALATIONS_LABEL: 'Telco5g',
    });
    expect(mine(configured.active).map((e) => `${e.job}/${e.key}`)).toEqual([
      'cards/incremental',
      'cards/full',
      'issues/default',
      'bugs/default',
      'escalations/default',
    ]);
  });

  it('a job whose upstream is not configured succeeds without doing anything', async () => {
    const config = syncConfig(undefined, {});
    for (const job of [cardsJob, issuesJob, bugsJob, escalationsJob]) {
      // No store access happens before the configuration check, so no store is needed.
      const ctx = makeJobContext(undefined as unknown as Store, config, { job: job.name });
      const outcome = (await job.handler(ctx)) as JobOutcome;
      expect(outcome.summary).toMatch(/^skipped: /);
      expect(ctx.counters.upstreamRequests).toBe(0);
    }
  });
});
