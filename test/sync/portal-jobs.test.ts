import { randomUUID } from 'node:crypto';
import type { CounterSnapshot, FaultUpdate, MutateResult, RunningSimulator, SimCase } from '@t5g/simulators';
import { caseJiraLinks } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { Queryable } from '../../src/store/db.js';
import { listQuarantined } from '../../src/store/repositories/quarantine.js';
import type { RunProgress } from '../../src/store/repositories/sync-runs.js';
import { getSyncState } from '../../src/store/repositories/sync-state.js';
import type { Store } from '../../src/store/store.js';
import type { JobOutcome, JobParams, JobServices } from '../../src/sync/engine/types.js';
import { LEFT_QUERY_SOURCE } from '../../src/sync/helpers/portal/case-writer.js';
import { casesJob } from '../../src/sync/jobs/cases.js';
import { detailsJob } from '../../src/sync/jobs/details.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

// The Portal-side jobs (cases, details) against the simulator: initial load, a 1% incremental
// change fetched on its own, injected faults, invalid records, READ_ONLY and the daily reconcile.

const TEAM_TAG = 'shift_telco5g';
const SEARCH = 'portal GET /search/cases';
const DETAIL = 'portal GET /v1/cases/:caseNumber';
const JIRAS = 'portal GET /cases/:caseNumber/jiras';

const inQuery = (c: SimCase) => c.tags?.some((t) => t.includes(TEAM_TAG)) ?? false;
const isOpen = (c: SimCase) => c.status !== 'Closed';
/** The details job reads open cases, and once those first stored already closed within 90 days. */
const getsDetails = (c: SimCase) =>
  isOpen(c) || (c.closed !== undefined && c.closed > Date.now() - 90 * 86_400_000);
const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;

async function runJob(
  store: Store,
  config: Config,
  job: typeof casesJob,
  params: JobParams = {},
  services?: JobServices,
): Promise<JobOutcome & { requests: number; progress: RunProgress[] }> {
  const ctx = makeJobContext(store, config, { job: job.name, params, runId: randomUUID(), services });
  const outcome = (await job.handler(ctx)) ?? {};
  return { ...outcome, requests: ctx.counters.upstreamRequests, progress: ctx.progressReports };
}

/** Cases, then details, as the schedule runs them. */
async function syncPortal(store: Store, config: Config, params: JobParams = {}) {
  const cases = await runJob(store, config, casesJob, params);
  const details = await runJob(store, config, detailsJob, params);
  return { cases, details };
}

async function rows<T>(q: Queryable, sql: string): Promise<T[]> {
  return (await q.query<T>(sql)).rows;
}

/** Every stored Portal-side row, without sync bookkeeping (synced_at, raw): comparable across runs. */
async function snapshot(store: Store) {
  const q = store.db;
  return {
    cases: await rows(
      q,
      `SELECT case_number, created_date, owner, severity, severity_label, account, summary, status, last_update,
              description, product, product_version, tags, bug_number, closed_date FROM cases ORDER BY 1, 2`,
    ),
    details: await rows(
      q,
      `SELECT case_number, crit_sit, group_name, notified_users, relief_at, resolved_at, entitlement_sla
       FROM case_details ORDER BY 1`,
    ),
    comments: await rows(
      q,
      `SELECT comment_id, case_number, author, author_type, body, is_public, commented_at, last_modified_at
       FROM comments ORDER BY 1`,
    ),
    bugs: await rows(
      q,
      `SELECT case_number, bug_id, linked_at, portal_status, portal_summary FROM case_bugs ORDER BY 1, 2`,
    ),
    issues: await rows(
      q,
      `SELECT case_number, issue_key, url, title, portal_status, last_modified_at FROM case_issues ORDER BY 1, 2`,
    ),
  };
}

interface StoredCase {
  case_number: string;
  status: string;
  summary: string;
  owner: string | null;
  severity: number;
  last_update: Date;
  closed_date: Date | null;
  product: string | null;
}

/** The stored state equals the simulator's for every case of the query (and its details if open). */
async function expectStoreMatchesSimulator(
  store: Store,
  sim: RunningSimulator,
  opts: { extraCases?: string[] } = {},
) {
  const expected = sim.state.cases.filter(inQuery);
  const stored = new Map(
    (await rows<StoredCase>(store.db, 'SELECT * FROM cases')).map((c) => [c.case_number, c] as const),
  );
  expect(stored.size).toBe(expected.length + (opts.extraCases?.length ?? 0));
  for (const c of expected) {
    const s = stored.get(c.number);
    expect(s, `case ${c.number}`).toBeDefined();
    expect({
      status: s?.status,
      summary: s?.summary,
      owner: s?.owner,
      severity: s?.severity,
      lastUpdate: s?.last_update.getTime(),
      closed: s?.closed_date?.getTime() ?? null,
      product: s?.product,
    }).toEqual({
      status: c.status,
      summary: c.summary,
      owner: c.owner,
      severity: c.severity,
      lastUpdate: seconds(c.lastModified),
      closed: c.closed === undefined ? null : seconds(c.closed),
      product: `${c.product} ${c.version}`,
    });
  }

  // Details, comments and links of every open (or recently closed) case the Portal lets us read.
  const readable = expected.filter((c) => getsDetails(c) && !c.forbidden);
  const perCase = async (sql: string) =>
    new Map(
      (await rows<{ case_number: string; n: number }>(store.db, sql)).map((r) => [
        r.case_number,
        Number(r.n),
      ]),
    );
  const details = await perCase('SELECT case_number, count(*) AS n FROM case_details GROUP BY 1');
  const comments = await perCase('SELECT case_number, count(*) AS n FROM comments GROUP BY 1');
  const bugs = await perCase('SELECT case_number, count(*) AS n FROM case_bugs GROUP BY 1');
  const issues = await perCase('SELECT case_number, count(*) AS n FROM case_issues GROUP BY 1');
  for (const c of readable) {
    const titledLinks = caseJiraLinks(sim.state, c, sim.url).filter((l) => typeof l.title === 'string');
    expect(
      {
        detail: details.get(c.number) ?? 0,
        comments: comments.get(c.number) ?? 0,
        bugs: bugs.get(c.number) ?? 0,
        issues: issues.get(c.number) ?? 0,
      },
      `case ${c.number}`,
    ).toEqual({
      detail: 1,
      comments: sim.state.caseComments(c).length,
      bugs: c.bugzillaNumbers.length,
      issues: titledLinks.length,
    });
  }
  return { expected, readable };
}

const counters = (sim: RunningSimulator) => simControl<CounterSnapshot>(sim, 'counters');
const resetCounters = (sim: RunningSimulator) => simControl(sim, 'counters/reset', { method: 'POST' });
const setFaults = (sim: RunningSimulator, portal: FaultUpdate['portal']) =>
  simControl(sim, 'faults', { method: 'PUT', body: { portal } });
const clearFaults = (sim: RunningSimulator) => simControl(sim, 'faults', { method: 'DELETE' });
/** No per-call retries: an injected failure reaches the job as it is. */
const NO_RETRY: JobServices = {
  upstreamRetry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 3000 },
};

describe.each(['pglite', 'postgres'] as const)('Portal jobs on %s', (backend) => {
  let sim: RunningSimulator;
  let main: TestStore;
  let config: Config;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 300, seed: 4242 });
    main = await openTestStore(backend, 'portal_jobs');
    // Small pages so a full load is several pages (several transactions) long.
    config = simulatorConfig(sim, { PORTAL_PAGE_SIZE: '100' });
  });
  afterAll(async () => {
    await main?.close();
    await sim?.close();
  });

  it('initial sync loads every case of the query, and details, comments and links of open cases', async () => {
    await resetCounters(sim);
    const { cases, details } = await syncPortal(main.store, config);
    const { expected, readable } = await expectStoreMatchesSimulator(main.store, sim);

    const c = await counters(sim);
    const open = expected.filter(getsDetails);
    expect(c.requests[SEARCH]).toBe(Math.ceil(expected.length / 100));
    // One detail and one links request per open (or recently closed) case, forbidden ones included
    // (they answer 403).
    expect(c.requests[DETAIL]).toBe(open.length);
    expect(c.requests[JIRAS]).toBe(open.length);
    expect(readable.length).toBeGreaterThan(30);
    // Live progress: phase plus current/total, page by page.
    expect(cases.progress).toContainEqual({
      phase: 'searching all cases',
      current: expected.length,
      total: expected.length,
    });
    expect(details.progress.at(-1)).toMatchObject({ current: open.length, total: open.length });
    console.info(
      `[${backend}] initial: ${expected.length} cases (${open.length} open): cases job ${cases.requests} requests, ` +
        `details job ${details.requests} requests`,
    );

    // Forbidden cases are noted, not retried every run (they are re-read when they change).
    const forbidden = open.filter((x) => x.forbidden).map((x) => x.number);
    const notes = await listQuarantined(main.store.db, { source: 'portal.case_detail' });
    expect(notes.items.map((n) => n.externalId).sort()).toEqual(forbidden.sort());
    const state = await getSyncState(main.store.db, 'details');
    expect(state?.details.retry).toEqual([]);
    const casesState = await getSyncState(main.store.db, 'cases');
    expect(casesState?.cursor?.getTime()).toBe(Math.max(...expected.map((x) => seconds(x.lastModified))));
    expect(casesState?.lastFullAt).toBeInstanceOf(Date);
  });

  it('after 1% of the cases change, the next run fetches only those', async () => {
    const hadDetails = new Set(
      (await rows<{ n: string }>(main.store.db, 'SELECT case_number AS n FROM case_details')).map((r) => r.n),
    );
    const changes = await simControl<MutateResult>(sim, 'mutate', {
      body: { fraction: 0.01, newCases: 3, newComments: 4 },
    });
    await resetCounters(sim);
    const { cases, details } = await syncPortal(main.store, config);

    const touched = new Set([
      ...changes.changedCases,
      ...changes.newCases,
      ...changes.newComments.map((x) => x.caseNumber),
    ]);
    const expectedDetails = [...touched]
      .map((n) => sim.state.caseByNumber.get(n))
      // Closed ones too when their details are stored: those are read again when the case changed.
      .filter((c): c is SimCase => c !== undefined && inQuery(c) && (isOpen(c) || hadDetails.has(c.number)));
    expect(expectedDetails.length).toBeGreaterThan(2);

    const c = await counters(sim);
    expect(c.requests[SEARCH]).toBe(1);
    expect(c.requests[DETAIL] ?? 0).toBe(expectedDetails.length);
    expect(c.requests[JIRAS] ?? 0).toBe(expectedDetails.length);
    console.info(
      `[${backend}] 1% incremental: ${touched.size} touched cases, ${expectedDetails.length} open in the query: ` +
        `cases job ${cases.requests} requests, details job ${details.requests} requests (${c.upstreams.portal.requests} to the Portal)`,
    );
    await expectStoreMatchesSimulator(main.store, sim);
    for (const { caseNumber, id } of changes.newComments) {
      if (!expectedDetails.some((x) => x.number === caseNumber)) continue;
      const r = await main.store.db.query('SELECT 1 FROM comments WHERE comment_id = $1', [id]);
      expect(r.rows, `comment ${id}`).toHaveLength(1);
    }
  });

  it('with 20% of Portal requests failing (5xx, 429, truncated bodies) ends in the same state', async () => {
    const faulty = await openTestStore(backend, 'portal_jobs_faults');
    try {
      await resetCounters(sim);
      await setFaults(sim, { errorRate: 0.1, rateLimitRate: 0.05, truncateRate: 0.05, retryAfterSeconds: 0 });
      await syncPortal(faulty.store, config);
      // A lookup that failed even after its retries is retried by the next run.
      for (let i = 0; i < 3; i++) {
        const state = await getSyncState(faulty.store.db, 'details');
        if ((state?.details.retry as string[] | undefined)?.length === 0) break;
        await runJob(faulty.store, config, detailsJob);
      }
      // The faults were real: well over the fault-free count of one request per page and two per open case.
      const c = await counters(sim);
      const open = sim.state.cases.filter((x) => inQuery(x) && isOpen(x)).length;
      expect(c.upstreams.portal.requests).toBeGreaterThan((3 + 2 * open) * 1.15);
      await clearFaults(sim);
      expect(await snapshot(faulty.store)).toEqual(await snapshot(main.store));
    } finally {
      await clearFaults(sim);
      await faulty.close();
    }
  });

  it('quarantines invalid records with their reason and stores the rest; they are picked up later', async () => {
    const store = await openTestStore(backend, 'portal_jobs_invalid');
    try {
      await setFaults(sim, { invalidRecordRate: 0.05 });
      await syncPortal(store.store, config);
      await clearFaults(sim);

      const expected = sim.state.cases.filter(inQuery);
      const storedCount = async () =>
        Number((await rows<{ n: number }>(store.store.db, 'SELECT count(*) AS n FROM cases'))[0]?.n);
      const before = await storedCount();
      const rejectedCases = await listQuarantined(store.store.db, { source: 'portal.case' });
      expect(rejectedCases.total).toBeGreaterThan(0);
      expect(before).toBeLessThan(expected.length);
      expect(before).toBeGreaterThan(expected.length * 0.85);
      expect(before + rejectedCases.total).toBeGreaterThanOrEqual(expected.length);
      for (const r of rejectedCases.items)
        expect(r.reason).toMatch(/case_number|case_severity|case_createdDate/);
      const badDetails = await listQuarantined(store.store.db, { source: 'portal.case_detail' });
      expect(badDetails.items.some((r) => /rejected/.test(r.reason))).toBe(true);

      // Clean again: the incremental run re-reads the rejected numbers, the documents whose case
      // number was unreadable (the cursor did not pass them) and the failed details.
      await syncPortal(store.store, config);
      await syncPortal(store.store, config, { full: true });
      await expectStoreMatchesSimulator(store.store, sim);
      const stillRejected = await listQuarantined(store.store.db, { source: 'portal.case' });
      expect(stillRejected.items).toEqual([]);
      const details = await listQuarantined(store.store.db, { source: 'portal.case_detail' });
      const forbidden = new Set(sim.state.cases.filter((c) => c.forbidden).map((c) => c.number));
      expect(details.items.every((r) => forbidden.has(r.externalId))).toBe(true);
    } finally {
      await clearFaults(sim);
      await store.close();
    }
  });

  it('READ_ONLY: the jobs make no write on the simulator', async () => {
    await resetCounters(sim);
    const readOnly = simulatorConfig(sim, { PORTAL_PAGE_SIZE: '100', READ_ONLY: 'true' });
    await syncPortal(main.store, readOnly, { full: true });
    const c = await counters(sim);
    expect(c.totals.requests).toBeGreaterThan(100);
    expect(c.totals.writes).toBe(0);
  });

  it('removes links the Portal no longer lists and updates edited comments', async () => {
    const candidates = sim.state.cases.filter((c) => inQuery(c) && isOpen(c) && !c.forbidden);
    const withLinks = candidates.find(
      (c) => caseJiraLinks(sim.state, c, sim.url).filter((l) => typeof l.title === 'string').length > 0,
    )!;
    const withBugs = candidates.find((c) => c.bugzillaNumbers.length > 0)!;
    const withComments = candidates.find((c) => sim.state.caseComments(c).length > 0)!;
    const now = sim.state.now();
    withLinks.linkedIssueKeys = [];
    withBugs.bugzillaNumbers = withBugs.bugzillaNumbers.slice(1);
    const edited = sim.state.caseComments(withComments)[0]!;
    edited.commentBody = 'Edited after the fact: the workaround is in the KCS article.';
    edited.lastModified = now;
    for (const c of [withLinks, withBugs, withComments]) c.lastModified = now;
    sim.state.touch();

    await syncPortal(main.store, config);
    await expectStoreMatchesSimulator(main.store, sim);
    const body = await main.store.db.query<{ body: string }>(
      'SELECT body FROM comments WHERE comment_id = $1',
      [edited.id],
    );
    expect(body.rows[0]?.body).toBe(edited.commentBody);
    const deletes = await rows<{ entity: string }>(
      main.store.db,
      `SELECT entity FROM change_log WHERE op = 'delete' ORDER BY id`,
    );
    expect(deletes.filter((d) => d.entity === 'case_bug')).toHaveLength(1);
    expect(deletes.filter((d) => d.entity === 'case_issue').length).toBeGreaterThan(0);
  });

  it('retries a failed lookup next run, and fails the run only when every lookup failed', async () => {
    await setFaults(sim, { errorRate: 1, only: 'jiras', limit: 3 });
    const partial = await runJob(main.store, config, detailsJob, { full: true }, NO_RETRY);
    expect(partial.summary).toMatch(/3 failed lookups \(3 to retry\)/);
    const retry = (await getSyncState(main.store.db, 'details'))?.details.retry as string[];
    expect(retry).toHaveLength(3);
    const notes = await listQuarantined(main.store.db, { source: 'portal.case_jira_links' });
    expect(notes.items.map((n) => n.externalId).sort()).toEqual([...retry].sort());

    await clearFaults(sim);
    await resetCounters(sim);
    await runJob(main.store, config, detailsJob);
    const c = await counters(sim);
    expect(c.requests[DETAIL]).toBe(3);
    expect(c.requests[JIRAS]).toBe(3);
    expect((await getSyncState(main.store.db, 'details'))?.details.retry).toEqual([]);
    expect((await listQuarantined(main.store.db, { source: 'portal.case_jira_links' })).total).toBe(0);

    // An outage: nothing comes back. The run fails (the engine retries it) and the cursor stays.
    const before = await getSyncState(main.store.db, 'details');
    await setFaults(sim, { errorRate: 1 });
    try {
      await expect(runJob(main.store, config, detailsJob, { full: true }, NO_RETRY)).rejects.toThrow(
        /every case lookup failed/,
      );
    } finally {
      await clearFaults(sim);
    }
    const after = await getSyncState(main.store.db, 'details');
    expect(after?.details.changeLogId).toBe(before?.details.changeLogId);
    expect(after?.lastFullAt).toEqual(before?.lastFullAt);
  });

  it('the daily reconcile catches closures outside the incremental window and cases that left the query', async () => {
    // Cases last modified well before the cursor's overlap window, which re-reads recent ones anyway.
    const dayAgo = sim.state.now() - 86_400_000;
    const openInQuery = sim.state.cases.filter(
      (c) => inQuery(c) && isOpen(c) && !c.forbidden && c.lastModified < dayAgo,
    );
    const [closedQuietly, leftQuery] = [openInQuery[0]!, openInQuery[1]!];
    // Closed without its last-modified time moving (an index that lagged, a clock that jumped):
    // the incremental window never sees it.
    const closedAt = seconds(sim.state.now() - 3_600_000);
    for (const c of [closedQuietly, leftQuery]) {
      c.status = 'Closed';
      c.closed = closedAt;
      c.resolvedAt = closedAt;
    }
    leftQuery.tags = ['cnv'];
    sim.state.touch();

    await syncPortal(main.store, config);
    const statusOf = async (n: string) =>
      (await main.store.db.query<{ status: string }>('SELECT status FROM cases WHERE case_number = $1', [n]))
        .rows[0]?.status;
    expect(await statusOf(closedQuietly.number)).not.toBe('Closed');

    const cases = await runJob(main.store, config, casesJob, { full: true });
    expect(cases.summary).toMatch(/1 left the query/);
    expect(await statusOf(closedQuietly.number)).toBe('Closed');
    expect(await statusOf(leftQuery.number)).toBe('Closed');
    await expectStoreMatchesSimulator(main.store, sim, { extraCases: [leftQuery.number] });

    const notes = await listQuarantined(main.store.db, { source: LEFT_QUERY_SOURCE });
    expect(notes.items.map((n) => n.externalId)).toEqual([leftQuery.number]);
    expect(notes.items[0]?.reason).toMatch(/no longer matches the case query/);

    // The closure is a status change, so the next details run reads the resolution time.
    await runJob(main.store, config, detailsJob);
    const resolved = await main.store.db.query<{ resolved_at: Date }>(
      'SELECT resolved_at FROM case_details WHERE case_number = $1',
      [closedQuietly.number],
    );
    expect(resolved.rows[0]?.resolved_at.getTime()).toBe(seconds(closedAt));
  });

  it('re-reads the details of closed cases whose fields changed upstream', async () => {
    // Closed cases whose details are stored (read while open, or when they closed).
    const withDetails = new Set(
      (await rows<{ n: string }>(main.store.db, 'SELECT case_number AS n FROM case_details')).map((r) => r.n),
    );
    const closed = sim.state.cases
      .filter((c) => inQuery(c) && !isOpen(c) && !c.forbidden && withDetails.has(c.number))
      .slice(0, 4);
    expect(closed).toHaveLength(4);
    for (const c of closed) {
      c.severity = c.severity === 1 ? 2 : 1;
      c.groupName = `Regrouped ${c.number}`;
      c.lastModified = sim.state.now();
    }
    sim.state.touch();
    await resetCounters(sim);
    await syncPortal(main.store, config);

    const c = await counters(sim);
    expect(c.requests[DETAIL] ?? 0).toBe(closed.length);
    const stored = await rows<{ case_number: string; group_name: string }>(
      main.store.db,
      `SELECT case_number, group_name FROM case_details
       WHERE case_number IN (${closed.map((x) => `'${x.number}'`).join(',')}) ORDER BY 1`,
    );
    expect(stored).toEqual(
      closed
        .map((x) => ({ case_number: x.number, group_name: `Regrouped ${x.number}` }))
        .sort((a, b) => a.case_number.localeCompare(b.case_number)),
    );
  });
});
