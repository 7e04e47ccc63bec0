import { randomUUID } from 'node:crypto';
import type { CounterSnapshot, RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { ChangeEvent } from '../../src/store/change-feed.js';
import { upsertCaseBugLinks } from '../../src/store/repositories/bugs.js';
import { upsertCaseIssueLinks, upsertIssues } from '../../src/store/repositories/issues.js';
import type { JobDefinition, JobOutcome } from '../../src/sync/engine/types.js';
import { bugsJob } from '../../src/sync/jobs/bugs.js';
import { bugTaggingJob } from '../../src/sync/upstream-writes/bug-tagging/job.js';
import { TAGGING_SUBJECT } from '../../src/sync/upstream-writes/bug-tagging/tags.js';
import { listPriorityMismatches, prioritySyncJob } from '../../src/sync/upstream-writes/priority-sync.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { changeLogOf } from '../support/store-reads.js';
import { seedCasesAndCards } from './fixtures/card-creation-seed.js';

// Priority sync and bug keyword tagging against the simulator, on both backends: with READ_ONLY on
// they write nothing anywhere (upstream or store); with it off they write exactly what differs, keep
// the store in step, and a second run writes nothing upstream.

const seconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

describe.each(['pglite', 'postgres'] as const)('priority sync and bug tagging on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  let readOnly: Config;

  const counters = () => simControl<CounterSnapshot>(sim, 'counters');
  const resetCounters = () => simControl(sim, 'counters/reset', { method: 'POST' });
  const run = async (job: JobDefinition, cfg: Config) =>
    (await job.handler(makeJobContext(ts.store, cfg, { job: job.name, runId: randomUUID() }))) as JobOutcome;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 5, smtpPort: 0 });
    ts = await openTestStore(backend, 'upstream-writes');
    config = simulatorConfig(sim, { READ_ONLY: 'false', BUG_EMAIL: 'bugs@example.com' });
    readOnly = simulatorConfig(sim, { READ_ONLY: 'true', BUG_EMAIL: 'bugs@example.com' });
    await seedCasesAndCards(ts.store, sim.state, config);
    const open = sim.state.cases.filter((c) => c.status !== 'Closed');
    await ts.store.write(async (tx) => {
      await upsertCaseBugLinks(
        tx,
        open.flatMap((c) =>
          c.bugzillaNumbers.map((bugId) => ({
            caseNumber: c.number,
            caseCreatedDate: seconds(c.created),
            bugId,
            linkedAt: null,
            portalStatus: null,
            portalSummary: null,
          })),
        ),
      );
      const links = open.flatMap((c) => c.linkedIssueKeys.map((key) => ({ c, key })));
      await upsertIssues(
        tx,
        [...new Set(links.map((l) => l.key))].flatMap((key) => {
          const i = sim.state.issueByKey.get(key);
          if (!i) return [];
          return [
            {
              issueKey: key,
              url: null,
              title: i.summary,
              status: i.status,
              updatedAt: null,
              qaContact: null,
              severity: null,
              issueType: i.issueType,
              assignee: null,
              fixVersions: null,
              priority: i.priority,
              privateKeywords: i.privateKeywords ? i.privateKeywords.split(',') : null,
              raw: {},
            },
          ];
        }),
      );
      await upsertCaseIssueLinks(
        tx,
        links
          .filter((l) => sim.state.issueByKey.has(l.key))
          .map(({ c, key }) => ({
            caseNumber: c.number,
            caseCreatedDate: seconds(c.created),
            issueKey: key,
            url: null,
            title: null,
            portalStatus: null,
            lastModifiedAt: null,
          })),
      );
    });
  }, 60_000);

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('priority sync: READ_ONLY writes nothing; otherwise sets exactly the mismatched priorities and the store', async () => {
    // Make sure there is work: two open cards get a wrong priority upstream and in the store.
    const open = (
      await ts.store.db.query<{ jira_key: string }>(
        `SELECT jira_key FROM cards WHERE status <> 'Done' AND case_number IS NOT NULL ORDER BY jira_key LIMIT 2`,
      )
    ).rows.map((r) => r.jira_key);
    for (const key of open) {
      const issue = sim.state.issueByKey.get(key);
      if (issue) issue.priority = 'Undefined';
      await ts.store.db.query(`UPDATE cards SET priority = 'Undefined' WHERE jira_key = $1`, [key]);
    }
    const before = await listPriorityMismatches(ts.store.db, config.jira.priorityMap);
    expect(before.length).toBeGreaterThanOrEqual(2);

    await resetCounters();
    const dry = await run(prioritySyncJob, readOnly);
    expect((await counters()).totals.writes).toBe(0);
    expect(await listPriorityMismatches(ts.store.db, config.jira.priorityMap)).toHaveLength(before.length);
    // The run's stored outcome: what it would have set, card by card.
    expect(dry.outcome?.result).toBe('read-only');
    expect(dry.outcome?.did).toEqual([]);
    expect(dry.outcome?.wouldHave.map((a) => a.target).sort()).toEqual(before.map((m) => m.jiraKey).sort());

    await resetCounters();
    const outcome = await run(prioritySyncJob, config);
    expect(outcome.changed).toBe(before.length);
    expect(outcome.outcome?.result).toBe('wrote');
    expect(outcome.outcome?.did).toEqual(
      expect.arrayContaining(
        before.map((m) => ({
          action: 'set priority',
          target: m.jiraKey,
          detail: `${m.priority ?? '(none)'} → ${m.wanted}`,
        })),
      ),
    );
    expect((await counters()).upstreams.jira.writes).toBe(before.length);
    for (const m of before) expect(sim.state.issueByKey.get(m.jiraKey)?.priority).toBe(m.wanted);
    expect(await listPriorityMismatches(ts.store.db, config.jira.priorityMap)).toHaveLength(0);

    await resetCounters();
    await run(prioritySyncJob, config);
    expect((await counters()).totals.writes).toBe(0);
  }, 30_000);

  it('bug tagging: READ_ONLY writes nothing; otherwise tags bugs and Bug issues, mails the summary, once', async () => {
    await resetCounters();
    await run(bugTaggingJob, readOnly);
    expect((await counters()).totals.writes).toBe(0);

    const mailBefore = sim.state.mail.length;
    await resetCounters();
    const outcome = await run(bugTaggingJob, config);
    expect(outcome.changed).toBeGreaterThan(0);
    const snap = await counters();
    expect(snap.upstreams.bugzilla.writes + snap.upstreams.jira.writes).toBe(outcome.changed);

    const bugIds = (await ts.store.db.query<{ bug_id: string }>('SELECT DISTINCT bug_id FROM case_bugs'))
      .rows;
    for (const { bug_id } of bugIds) {
      const bug = sim.state.bugs.get(Number(bug_id));
      if (!bug || bug.visibility === 'private') continue;
      const words = bug.internalWhiteboard.split(/\s+/);
      expect(words, bug_id).toContain('Telco');
      expect(words, bug_id).toContain('Telco:Case');
    }
    const bugIssues = (
      await ts.store.db.query<{ issue_key: string }>(
        `SELECT DISTINCT i.issue_key FROM issues i JOIN case_issues ci USING (issue_key) WHERE i.issue_type = 'Bug'`,
      )
    ).rows.map((r) => sim.state.issueByKey.get(r.issue_key));
    expect(bugIssues.length).toBeGreaterThan(0);
    let checked = 0;
    for (const issue of bugIssues) {
      // An issue whose project has neither field is only listed in the mail, as the original did.
      const fields: readonly string[] = issue ? (sim.state.projects.get(issue.projectKey)?.fields ?? []) : [];
      if (!issue || !(fields.includes('privateKeywords') || fields.includes('internalWhiteboard'))) continue;
      const tagged = `${issue.privateKeywords ?? ''},${issue.internalWhiteboard ?? ''}`;
      expect(tagged, issue.key).toContain('Telco:Case');
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    const mails = sim.state.mail.slice(mailBefore);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(TAGGING_SUBJECT);
    expect(mails[0]?.envelope.to).toEqual(['bugs@example.com']);
    expect(mails[0]?.text).toContain('Script Tagged Private Keywords');
    expect(mails[0]?.text).toContain('Non-Bug Cards Linked to Cases, Not Tagged');

    await resetCounters();
    await run(bugTaggingJob, config);
    const again = await counters();
    expect(again.upstreams.bugzilla.writes + again.upstreams.jira.writes).toBe(0);
  }, 30_000);

  it('writes what it changed upstream through the store: change_log rows of the run, announced on the feed', async () => {
    const events: ChangeEvent[] = [];
    const off = ts.store.feed.subscribe((e) => events.push(e));
    try {
      // One card with a wrong priority, one bug and one Bug issue that lost their tags, upstream and stored.
      const [card] = (
        await ts.store.db.query<{ jira_key: string }>(
          `SELECT jira_key FROM cards WHERE status <> 'Done' AND case_number IS NOT NULL ORDER BY jira_key LIMIT 1`,
        )
      ).rows;
      const cardIssue = sim.state.issueByKey.get(card!.jira_key)!;
      cardIssue.priority = 'Undefined';
      await ts.store.db.query(`UPDATE cards SET priority = 'Undefined' WHERE jira_key = $1`, [
        card!.jira_key,
      ]);
      const [{ wanted } = { wanted: '' }] = await listPriorityMismatches(
        ts.store.db,
        config.jira.priorityMap,
      );

      const bugId = (
        await ts.store.db.query<{ bug_id: string }>('SELECT DISTINCT bug_id FROM case_bugs ORDER BY bug_id')
      ).rows
        .map((r) => r.bug_id)
        .find((id) => {
          const b = sim.state.bugs.get(Number(id));
          return b && b.visibility !== 'private';
        })!;
      sim.state.bugs.get(Number(bugId))!.internalWhiteboard = 'triaged';
      // Stored as the bugs sync stores it.
      await bugsJob.handler(makeJobContext(ts.store, config, { job: bugsJob.name, params: { full: true } }));

      const issueKey = (
        await ts.store.db.query<{ issue_key: string }>(
          `SELECT DISTINCT i.issue_key FROM issues i JOIN case_issues ci USING (issue_key)
           WHERE i.issue_type = 'Bug' ORDER BY 1`,
        )
      ).rows
        .map((r) => r.issue_key)
        .find((key) => {
          const i = sim.state.issueByKey.get(key);
          return i && sim.state.projects.get(i.projectKey)?.fields.includes('privateKeywords');
        })!;
      sim.state.issueByKey.get(issueKey)!.privateKeywords = 'Other';
      await ts.store.db.query(`UPDATE issues SET private_keywords = '{Other}' WHERE issue_key = $1`, [
        issueKey,
      ]);

      const prioRun = randomUUID();
      await prioritySyncJob.handler(
        makeJobContext(ts.store, config, { job: prioritySyncJob.name, runId: prioRun }),
      );
      expect(await changeLogOf(ts.store.db, { runId: prioRun })).toMatchObject([
        {
          entity: 'card',
          entityKey: card!.jira_key,
          op: 'update',
          changes: { priority: ['Undefined', wanted] },
        },
      ]);

      const tagRun = randomUUID();
      await bugTaggingJob.handler(
        makeJobContext(ts.store, config, { job: bugTaggingJob.name, runId: tagRun }),
      );
      const tagged = await changeLogOf(ts.store.db, { runId: tagRun });
      expect(tagged.find((e) => e.entity === 'bug' && e.entityKey === bugId)).toMatchObject({
        op: 'update',
        changes: { internal_whiteboard: ['triaged', 'Telco Telco:Case triaged'] },
      });
      expect(tagged.find((e) => e.entity === 'issue' && e.entityKey === issueKey)).toMatchObject({
        op: 'update',
        changes: { private_keywords: [['Other'], ['Other', 'Telco', 'Telco:Case']] },
      });

      const announced = (entity: string, key: string) =>
        events.some((e) => e.entity === entity && e.keys?.includes(key));
      await expect
        .poll(
          () => announced('card', card!.jira_key) && announced('bug', bugId) && announced('issue', issueKey),
        )
        .toBe(true);
    } finally {
      off();
    }
  }, 30_000);
});
