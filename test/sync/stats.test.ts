import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BugRecord, upsertBugs, upsertCaseBugLinks } from '../../src/store/repositories/bugs.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCaseDetails } from '../../src/store/repositories/case-details.js';
import { type CaseRecord, upsertCases } from '../../src/store/repositories/cases.js';
import { upsertEscalations } from '../../src/store/repositories/escalations.js';
import { type IssueRecord, upsertCaseIssueLinks, upsertIssues } from '../../src/store/repositories/issues.js';
import {
  type CaseStats,
  computeCaseStats,
  computeReliefResolutionStats,
} from '../../src/store/repositories/stats.js';
import { listStatsSnapshots } from '../../src/store/repositories/stats-snapshots.js';
import { statsSnapshotJob } from '../../src/sync/jobs/stats-snapshot.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeCard, makeCase } from '../support/fixtures.js';
import { makeJobContext } from '../support/job-context.js';
import { syncConfig } from './support.js';

// Every stats metric against hand-built data with known answers, including the original's bugs that
// the rewrite fixes (no_updates inverted, "daily" = two days, opened counting only open cases,
// relief and resolution merged).

const NOW = new Date('2026-03-10T12:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

const open = 'Waiting on Red Hat';
// A: open High, opened 2 h ago, escalated, bug B1 (no target) + unavailable B4, issue I1 (targeted).
const A = makeCase(1, {
  severity: 2,
  severityLabel: 'High',
  account: 'Acme',
  status: open,
  createdDate: ago(2 * H),
  lastUpdate: ago(H),
});
// B: open Urgent, 3 days old, no update for 8 days, crit sit, nothing linked.
const B = makeCase(2, {
  severity: 1,
  severityLabel: 'Urgent',
  account: 'Acme',
  status: open,
  createdDate: ago(3 * D),
  lastUpdate: ago(8 * D),
});
// C: open Normal, last update 7 days and a minute ago, only in a CLOSED escalation, bugs B1 + B2, issue I2 (no target).
const C = makeCase(3, {
  severity: 3,
  severityLabel: 'Normal',
  account: 'Globex',
  status: open,
  createdDate: ago(30 * D),
  lastUpdate: ago(7 * D + 60_000),
});
// D: open Low, opened 25 h ago (weekly, not daily), updated 6 days ago, nothing linked but a bug number.
const D_ = makeCase(4, {
  severity: 4,
  severityLabel: 'Low',
  account: 'Globex',
  status: 'Waiting on Customer',
  createdDate: ago(25 * H),
  lastUpdate: ago(6 * D),
  bugNumber: '123456',
});
// E: closed 1 h ago (High), in the open escalation and linked to B3: closed cases count for nothing open.
const E = makeCase(5, {
  severity: 2,
  severityLabel: 'High',
  account: 'Acme',
  status: 'Closed',
  createdDate: ago(10 * D),
  lastUpdate: ago(H),
  closedDate: ago(H),
});
// F: opened 20 h ago and already closed 10 h ago: counts as opened AND closed today.
const F = makeCase(6, {
  severity: 3,
  severityLabel: 'Normal',
  account: 'Initech',
  status: 'Closed',
  createdDate: ago(20 * H),
  lastUpdate: ago(10 * H),
  closedDate: ago(10 * H),
});
// G: closed 8 days ago: outside the week.
const G = makeCase(7, {
  severity: 4,
  severityLabel: 'Low',
  account: 'Acme',
  status: 'Closed',
  createdDate: ago(60 * D),
  lastUpdate: ago(8 * D),
  closedDate: ago(8 * D),
});
// H: closed exactly 24 h ago: weekly but not daily (the window is the last 24 hours, end-exclusive at the start).
const H_ = makeCase(8, {
  severity: 4,
  severityLabel: 'Low',
  account: 'Acme',
  status: 'Closed',
  createdDate: ago(40 * D),
  lastUpdate: ago(D),
  closedDate: ago(D),
});
const CASES: CaseRecord[] = [A, B, C, D_, E, F, G, H_];

const after = (c: CaseRecord, days: number) => new Date(c.createdDate.getTime() + days * D);
const detail = (c: CaseRecord, o: { critSit?: boolean; relief?: Date | null; resolved?: Date | null }) => ({
  caseNumber: c.caseNumber,
  caseCreatedDate: c.createdDate,
  critSit: o.critSit ?? false,
  groupName: null,
  notifiedUsers: [],
  reliefAt: o.relief ?? null,
  resolvedAt: o.resolved ?? null,
  entitlementSla: null,
  raw: {},
});
const link = (c: CaseRecord, bugId: string) => ({
  caseNumber: c.caseNumber,
  caseCreatedDate: c.createdDate,
  bugId,
  linkedAt: null,
  portalStatus: null,
  portalSummary: null,
});
const issueLink = (c: CaseRecord, issueKey: string) => ({
  caseNumber: c.caseNumber,
  caseCreatedDate: c.createdDate,
  issueKey,
  url: null,
  title: null,
  portalStatus: null,
  lastModifiedAt: null,
});
const bug = (bugId: string, targetRelease: string[] | null, unavailable = false): BugRecord => ({
  bugId,
  summary: null,
  status: 'NEW',
  severity: null,
  priority: null,
  component: null,
  targetRelease,
  assignee: null,
  qaContact: null,
  lastChangeTime: null,
  internalWhiteboard: null,
  keywords: null,
  unavailable,
  unavailableReason: unavailable ? 'restricted' : null,
  raw: {},
});
const issue = (issueKey: string, fixVersions: string[] | null): IssueRecord => ({
  issueKey,
  url: null,
  title: null,
  status: 'New',
  updatedAt: null,
  qaContact: null,
  severity: null,
  issueType: 'Bug',
  assignee: null,
  fixVersions,
  priority: null,
  privateKeywords: null,
  raw: {},
});

async function loadFixtures(t: TestStore) {
  await t.store.write(async (tx) => {
    await upsertCases(tx, CASES);
    await upsertCards(tx, [
      makeCard(A, { assigneeName: 'Alice' }),
      makeCard(B, { assigneeName: 'Bob' }),
      makeCard(C, { assigneeName: 'Alice' }),
      makeCard(E, { assigneeName: 'Alice' }),
    ]);
    await upsertEscalations(tx, [
      {
        issueKey: 'PRIO-1',
        url: null,
        summary: null,
        status: 'In Progress',
        caseNumbers: [A.caseNumber, E.caseNumber],
        updatedAt: null,
        raw: {},
      },
      {
        issueKey: 'PRIO-2',
        url: null,
        summary: null,
        status: 'Closed',
        caseNumbers: [C.caseNumber],
        updatedAt: null,
        raw: {},
      },
    ]);
    await upsertCaseDetails(tx, [
      detail(B, { critSit: true, relief: after(B, 1) }),
      detail(C, { relief: after(C, 2), resolved: after(C, 10) }),
      detail(E, { relief: after(E, 0.25), resolved: after(E, 3) }),
      detail(G, { relief: after(G, 1.5), resolved: after(G, 40) }),
      detail(H_, { relief: after(H_, 0.5), resolved: after(H_, 20) }),
      detail(D_, { relief: after(D_, -1) }), // before creation: bad data, left out
    ]);
    await upsertBugs(tx, [
      bug('B1', ['---']),
      bug('B2', ['4.19']),
      bug('B3', ['---']),
      bug('B4', null, true),
    ]);
    await upsertCaseBugLinks(tx, [link(A, 'B1'), link(A, 'B4'), link(C, 'B1'), link(C, 'B2'), link(E, 'B3')]);
    await upsertIssues(tx, [issue('OCPBUGS-1', ['4.18.z']), issue('OCPBUGS-2', null)]);
    await upsertCaseIssueLinks(tx, [issueLink(A, 'OCPBUGS-1'), issueLink(C, 'OCPBUGS-2')]);
  });
}

describe.each(['pglite', 'postgres'] as const)('stats on %s', (backend) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(backend, 'sync_stats');
    await loadFixtures(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('computes every metric over all cases', async () => {
    expect(await computeCaseStats(t.store.db, { now: NOW })).toEqual({
      open_cases: 4, // A B C D
      escalated: 1, // A (C's escalation is closed; E is closed)
      crit_sit: 1, // B
      total_escalations: 2, // A or B
      high_prio: 2, // A High, B Urgent
      daily_opened_cases: 2, // A (2 h), F (20 h; closed since, still opened today); not D (25 h)
      weekly_opened_cases: 4, // A B D F
      daily_closed_cases: 2, // E (1 h), F (10 h); not H (exactly 24 h)
      weekly_closed_cases: 3, // E F H; not G (8 days)
      no_updates: 2, // B (8 days), C (7 days 1 min); not D (6 days), not A
      no_bzs: 1, // B; D has a bug number
      bugs_unique: 5, // B1 B2 B4 + OCPBUGS-1 OCPBUGS-2; not B3 (closed case only)
      bugs_no_target: 2, // B1 '---', OCPBUGS-2 no fix version; not B4 (restricted), B2, OCPBUGS-1
      by_customer: { Acme: 2, Globex: 2 },
      by_engineer: { Alice: 2, Bob: 1 },
      by_severity: { Urgent: 1, High: 1, Normal: 1, Low: 1 },
      by_status: { 'Waiting on Red Hat': 3, 'Waiting on Customer': 1, Closed: 4 }, // Closed: E F G H
    } satisfies CaseStats);
  });

  it('filters by account', async () => {
    expect(await computeCaseStats(t.store.db, { now: NOW, account: 'Acme' })).toMatchObject({
      open_cases: 2,
      escalated: 1,
      crit_sit: 1,
      high_prio: 2,
      daily_opened_cases: 1, // A
      weekly_opened_cases: 2, // A B
      daily_closed_cases: 1, // E
      weekly_closed_cases: 2, // E H
      no_updates: 1, // B
      no_bzs: 1, // B
      bugs_unique: 3, // B1 B4 OCPBUGS-1
      bugs_no_target: 1, // B1
      by_customer: { Acme: 2 },
      by_engineer: { Alice: 1, Bob: 1 },
    });
  });

  it('filters by engineer: cases with a card assigned to them', async () => {
    expect(await computeCaseStats(t.store.db, { now: NOW, engineer: 'Alice' })).toMatchObject({
      open_cases: 2, // A C
      escalated: 1,
      crit_sit: 0,
      daily_closed_cases: 1, // E
      no_updates: 1, // C
      no_bzs: 0,
      bugs_unique: 5, // A and C hold every open link: B1 B2 B4 OCPBUGS-1 OCPBUGS-2
      by_engineer: { Alice: 2 },
      by_customer: { Acme: 1, Globex: 1 },
    });
  });

  it('gives relief and resolution times as separate distributions per severity', async () => {
    const r = await computeReliefResolutionStats(t.store.db);
    expect(r.relief.Urgent).toMatchObject({ count: 1, mean: 1, median: 1 });
    expect(r.relief.High).toMatchObject({ count: 1, mean: 0.25, median: 0.25 });
    expect(r.relief.Normal).toMatchObject({ count: 1, mean: 2, median: 2 });
    expect(r.relief.Low).toMatchObject({ count: 2, mean: 1, median: 1 }); // G 1.5, H 0.5; D before creation
    expect(r.resolution.Urgent).toMatchObject({ count: 0, mean: null, median: null });
    expect(r.resolution.High).toMatchObject({ count: 1, mean: 3 });
    expect(r.resolution.Normal).toMatchObject({ count: 1, mean: 10 });
    expect(r.resolution.Low).toMatchObject({ count: 2, mean: 30, median: 30 }); // G 40, H 20

    const counts = (b: { fromDays: number; count: number }[]) =>
      Object.fromEntries(b.filter((x) => x.count > 0).map((x) => [x.fromDays, x.count]));
    expect(counts(r.relief.Low!.buckets)).toEqual({ 0: 1, 1: 1 });
    expect(counts(r.resolution.Low!.buckets)).toEqual({ 14: 1, 30: 1 });
    expect(counts(r.resolution.Normal!.buckets)).toEqual({ 7: 1 });
    expect(r.relief.Low!.buckets.at(-1)).toEqual({ fromDays: 365, toDays: null, count: 0 });

    const acme = await computeReliefResolutionStats(t.store.db, { account: 'Acme', bucketEdges: [0, 10] });
    expect(acme.resolution.Low).toMatchObject({
      count: 2,
      buckets: [
        { fromDays: 0, toDays: 10, count: 0 },
        { fromDays: 10, toDays: null, count: 2 },
      ],
    });
    expect(acme.relief.Normal!.count).toBe(0); // C is Globex
  });

  it('writes the snapshot row for the UTC day, replacing it when taken again', async () => {
    const ctx = makeJobContext(t.store, syncConfig(undefined), { job: 'stats' });
    await statsSnapshotJob.handler(ctx);
    await statsSnapshotJob.handler(ctx);
    expect(ctx.progressReports.at(-1)).toEqual({ current: 1, total: 1, phase: 'saved' });
    const today = new Date().toISOString().slice(0, 10);
    const snaps = await listStatsSnapshots(t.store.db, { from: today, to: today });
    expect(snaps).toHaveLength(1);
    // Computed at the real "now", so only the time-independent metrics are checked here.
    expect(snaps[0]!.metrics).toMatchObject({
      open_cases: 4,
      escalated: 1,
      bugs_unique: 5,
      by_engineer: { Alice: 2, Bob: 1 },
    });
  });
});
