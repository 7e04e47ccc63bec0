import type { CounterSnapshot, MutateResult, RunningSimulator } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { bugIdsToFetch, issueKeysToFetch } from '../../src/store/repositories/link-selection.js';
import { getSyncState } from '../../src/store/repositories/sync-state.js';
import { createSyncEngine, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { BUGS_SOURCE, bugsJob } from '../../src/sync/jobs/bugs.js';
import { ISSUES_SOURCE, issuesJob } from '../../src/sync/jobs/issues.js';
import '../../src/sync/helpers/upstreams.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator } from './fixtures/sim-seed.js';
import { FAST_TUNING, finished, routesApp } from './support.js';

// Linked JIRA issues and Bugzilla bugs edited upstream between full passes: the next pass of their
// source, scheduled or by hand (`POST /api/v1/refresh/issues`, `/refresh/bugs`), asks the upstream
// what changed since its cursor (JIRA `key in (…) AND updated >= …`, Bugzilla `id=…&last_change_time=…`)
// and reads only those records, as the simulator's request counters show.

const BATCH = 25;

describe.each(['pglite', 'postgres'] as const)(
  'linked issues and bugs between full passes on %s',
  (backend) => {
    let sim: RunningSimulator;
    let t: TestStore;
    let engine: SyncEngine;
    let app: FastifyInstance;
    let config: Config;

    const counters = () => simControl<CounterSnapshot>(sim, 'counters');
    const resetCounters = () => simControl(sim, 'counters/reset', { method: 'POST' });
    const mutate = (body: Record<string, unknown>) => simControl<MutateResult>(sim, 'mutate', { body });
    const requests = (snap: CounterSnapshot, part: string) =>
      Object.entries(snap.requests)
        .filter(([name]) => name.includes(part))
        .reduce((n, [, v]) => n + v, 0);
    const rows = async <T>(sql: string, params: unknown[] = []) =>
      (await t.store.db.query<T>(sql, params)).rows;

    async function refresh(job: 'issues' | 'bugs') {
      const res = await app.inject({ method: 'POST', url: `/api/v1/refresh/${job}` });
      expect(res.statusCode).toBe(202);
      const run = await finished(t.store, (res.json() as { id: string }).id, 30_000);
      expect(run.status).toBe('succeeded');
      return run;
    }

    /** A stored issue linked to an open case, and a stored readable bug, to edit upstream. */
    async function tracked() {
      const [issue] = await rows<{ issue_key: string }>(
        `SELECT i.issue_key FROM issues i JOIN case_issues ci ON ci.issue_key = i.issue_key
       JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
       WHERE c.status <> 'Closed' ORDER BY 1 LIMIT 1`,
      );
      const [bug] = await rows<{ bug_id: string }>(
        'SELECT bug_id FROM bugs WHERE NOT unavailable ORDER BY bug_id::int LIMIT 1',
      );
      return { key: issue?.issue_key as string, bugId: Number(bug?.bug_id) };
    }

    const trackedCounts = async () => {
      const [n] = await rows<{ issues: number; bugs: number }>(
        `SELECT (SELECT count(DISTINCT i.issue_key)::int FROM issues i JOIN case_issues ci ON ci.issue_key = i.issue_key
               JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
               WHERE c.status <> 'Closed') AS issues,
              (SELECT count(DISTINCT cb.bug_id)::int FROM case_bugs cb JOIN bugs b ON b.bug_id = cb.bug_id
               WHERE NOT b.unavailable) AS bugs`,
      );
      return n as { issues: number; bugs: number };
    };

    beforeAll(async () => {
      sim = await strictSimulator({ cases: 200, seed: 31 });
      t = await openTestStore(backend, 'linked_freshness');
      config = simulatorConfig(sim, {
        BUGZILLA_BATCH_SIZE: String(BATCH),
        ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
      });
      await seedFromSimulator(t.store, sim.state);
      engine = createSyncEngine({
        store: t.store,
        config,
        logger: silentLogger,
        role: { work: true, schedule: false },
        registry: new JobRegistry([issuesJob, bugsJob]),
        tuning: FAST_TUNING,
      });
      await engine.start();
      app = await routesApp(t.store, engine);
      // The first pass of each is a full one and leaves a cursor.
      await refresh('issues');
      await refresh('bugs');
      expect((await getSyncState(t.store.db, ISSUES_SOURCE))?.cursor).toBeInstanceOf(Date);
      expect((await getSyncState(t.store.db, BUGS_SOURCE))?.cursor).toBeInstanceOf(Date);
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await engine?.stop();
      await t?.close();
      await sim?.close();
    });

    it('a manual refresh of issues shows an issue edited upstream, fetching only that issue', async () => {
      const { key } = await tracked();
      const title = `Edited upstream ${backend}`;
      const changed = await mutate({ editIssue: { key, summary: title, status: 'MODIFIED' } });
      expect(changed.changedIssues).toEqual([key]);

      await resetCounters();
      const run = await refresh('issues');
      const snap = await counters();
      const { issues } = await trackedCounts();
      // The change searches (a few, each under the JQL length limit) and one GET: the edited issue.
      expect(requests(snap, 'jira GET /rest/api/3/search/jql')).toBeGreaterThanOrEqual(1);
      expect(requests(snap, 'jira GET /rest/api/3/search/jql')).toBeLessThan(issues);
      expect(requests(snap, 'jira GET /rest/api/3/issue/')).toBe(1);
      expect(run).toMatchObject({ fetched: 1, changed: 1 });
      expect(await rows('SELECT title, status FROM issues WHERE issue_key = $1', [key])).toEqual([
        { title, status: 'MODIFIED' },
      ]);

      // Nothing changed since: the searches find nothing, and no issue is read.
      await resetCounters();
      const quiet = await refresh('issues');
      expect(requests(await counters(), 'jira GET /rest/api/3/issue/')).toBe(0);
      expect(quiet).toMatchObject({ fetched: 0, changed: 0 });
    });

    it('a manual refresh of bugs shows a bug edited upstream, fetching only that bug', async () => {
      const { bugId } = await tracked();
      const summary = `Bug edited upstream ${backend}`;
      const changed = await mutate({ editBug: { id: bugId, summary, status: 'POST' } });
      expect(changed.changedBugs).toEqual([bugId]);

      await resetCounters();
      const run = await refresh('bugs');
      const { bugs } = await trackedCounts();
      // One batched change search per BATCH tracked ids; only the edited bug comes back.
      expect(requests(await counters(), 'bugzilla GET /rest/bug')).toBe(Math.ceil(bugs / BATCH));
      expect(run).toMatchObject({ fetched: 1, changed: 1 });
      expect(await rows('SELECT summary, status FROM bugs WHERE bug_id = $1', [String(bugId)])).toEqual([
        { summary, status: 'POST' },
      ]);
    });

    it('the next scheduled pass shows several issues and bugs edited upstream', async () => {
      const changed = await mutate({ changeIssues: 3, changeBugs: 2 });
      expect(changed.changedIssues).toHaveLength(3);
      // Only stored, readable, tracked records are fetched; the simulator may have edited others.
      const trackedKeys = new Set(
        (
          await rows<{ issue_key: string }>(
            `SELECT i.issue_key FROM issues i JOIN case_issues ci ON ci.issue_key = i.issue_key
           JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
           WHERE c.status <> 'Closed'`,
          )
        ).map((r) => r.issue_key),
      );
      const trackedBugs = new Set(
        (await rows<{ bug_id: string }>('SELECT bug_id FROM bugs WHERE NOT unavailable')).map((r) =>
          Number(r.bug_id),
        ),
      );
      const wantIssues = changed.changedIssues.filter((k) => trackedKeys.has(k));
      const wantBugs = changed.changedBugs.filter((id) => trackedBugs.has(id));
      // Plus what the Portal's copy of a link says differs from the stored record (the bug edited in
      // the test before: these seeded links still carry its old status).
      const named = {
        issues: await issueKeysToFetch(t.store.db, { full: false }),
        bugs: (await bugIdsToFetch(t.store.db, { full: false })).filter(
          (id) => !wantBugs.includes(Number(id)),
        ),
      };

      await resetCounters();
      // The handlers as a scheduled run calls them (same handler, no parameters).
      const issueRun = makeJobContext(t.store, config, { job: 'issues' });
      await issuesJob.handler(issueRun);
      const bugRun = makeJobContext(t.store, config, { job: 'bugs' });
      await bugsJob.handler(bugRun);
      expect(named.issues).toEqual([]);
      expect(requests(await counters(), 'jira GET /rest/api/3/issue/')).toBe(wantIssues.length);
      expect(issueRun.counters.fetched).toBe(wantIssues.length);
      expect(bugRun.counters.fetched).toBe(wantBugs.length + named.bugs.length);
      for (const key of wantIssues) {
        const issue = sim.state.findIssue(key);
        expect(await rows('SELECT title, status FROM issues WHERE issue_key = $1', [key])).toEqual([
          { title: issue?.summary, status: issue?.status },
        ]);
      }
      for (const id of wantBugs) {
        const bug = sim.state.bugs.get(id);
        expect(await rows('SELECT summary, status FROM bugs WHERE bug_id = $1', [String(id)])).toEqual([
          { summary: bug?.summary, status: bug?.status },
        ]);
      }
    });
  },
);
