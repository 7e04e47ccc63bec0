import type { CounterSnapshot, MutateResult, RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { JQL_KEY_LIST_MAX_CHARS } from '../../src/sources/jira/client.js';
import { jqlString } from '../../src/sources/jira/jql.js';
import type { JobOutcome } from '../../src/sync/engine/types.js';
import { issuesJob } from '../../src/sync/jobs/issues.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator } from './fixtures/sim-seed.js';

// JIRA refuses a whole `key in (…)` search when one listed key no longer exists (deleted, moved).
// The linked-issue change search survives it: on Data Center it asks with `validateQuery=warn` (one
// search, the gone key named in a warning); on Cloud, which has no such flag, it halves the refused
// batch down to the gone key. Either way the other issues' changes arrive and the gone issue is
// quarantined with what JIRA says of it (404), on both database backends.

describe.each([
  ['pglite', 'cloud'],
  ['postgres', 'dc'],
  ['pglite', 'dc'],
  ['postgres', 'cloud'],
] as const)('linked issues gone upstream on %s, JIRA %s', (backend, flavor) => {
  let sim: RunningSimulator;
  let t: TestStore;
  let config: Config;
  const api = flavor === 'cloud' ? '/rest/api/3' : '/rest/api/2';
  const searchPath = flavor === 'cloud' ? `${api}/search/jql` : `${api}/search`;

  const counters = () => simControl<CounterSnapshot>(sim, 'counters');
  const requests = (snap: CounterSnapshot, part: string) =>
    Object.entries(snap.requests)
      .filter(([name]) => name.startsWith(part))
      .reduce((n, [, v]) => n + v, 0);
  const rows = async <T>(sql: string, params: unknown[] = []) =>
    (await t.store.db.query<T>(sql, params)).rows;
  const runIssues = async () => {
    const ctx = makeJobContext(t.store, config, { job: 'issues' });
    return { ctx, outcome: (await issuesJob.handler(ctx)) as JobOutcome };
  };

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 43 });
    t = await openTestStore(backend, `linked_gone_${flavor}`);
    const base = simulatorConfig(sim);
    config = { ...base, jira: { ...base.jira, flavor } };
    await seedFromSimulator(t.store, sim.state);
    await runIssues(); // the first pass is a full one and leaves a cursor
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('a deleted issue is quarantined as gone; the edited one beside it still arrives', async () => {
    const tracked = await rows<{ issue_key: string }>(
      `SELECT DISTINCT i.issue_key FROM issues i JOIN case_issues ci ON ci.issue_key = i.issue_key
       JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
       WHERE c.status <> 'Closed' ORDER BY 1`,
    );
    const [gone, edited] = tracked.map((r) => r.issue_key);
    if (!gone || !edited) throw new Error('need two tracked issues');
    expect(sim.state.removeIssue(gone)).toBe(true);
    const title = `Edited while ${gone} was deleted`;
    const changed = await simControl<MutateResult>(sim, 'mutate', {
      body: { editIssue: { key: edited, summary: title } },
    });
    expect(changed.changedIssues).toEqual([edited]);

    await simControl(sim, 'counters/reset', { method: 'POST' });
    const { ctx, outcome } = await runIssues();
    const snap = await counters();
    expect(outcome.summary).toMatch(/1 gone or hidden/);
    expect(await rows('SELECT title FROM issues WHERE issue_key = $1', [edited])).toEqual([{ title }]);
    const quarantined = await rows<{ reason: string }>(
      `SELECT reason FROM quarantine WHERE source = 'jira.issue' AND external_id = $1 AND resolved_at IS NULL`,
      [gone],
    );
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]?.reason).toMatch(/HTTP 404.*does not exist/);
    // Read: the edited issue and the gone one (whose 404 is the reason above), nothing else.
    expect(requests(snap, `jira GET ${api}/issue/`)).toBe(2);
    expect(ctx.counters.fetched).toBe(1);
    const searches = requests(snap, `jira GET ${searchPath}`);
    // As many `key in (…)` lists as the JQL length limit needs for the tracked keys (the gone one too).
    const listed = tracked.reduce((n, r) => n + jqlString(r.issue_key).length + 2, 0);
    const batches = Math.ceil(listed / JQL_KEY_LIST_MAX_CHARS);
    if (flavor === 'dc') expect(searches).toBe(batches);
    else expect(searches).toBeGreaterThan(batches);
  }, 60_000);
});
