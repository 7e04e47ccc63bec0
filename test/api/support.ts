import Fastify, { type FastifyInstance } from 'fastify';
import { registerApiDocs } from '../../src/api/docs.js';
import { legacyRoutes } from '../../src/api/legacy.js';
import { apiV1Routes } from '../../src/api/v1.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { upsertBugs, upsertCaseBugLinks } from '../../src/store/repositories/bugs.js';
import { upsertCards } from '../../src/store/repositories/cards.js';
import { upsertCaseDetails } from '../../src/store/repositories/case-details.js';
import { type CaseRecord, upsertCases } from '../../src/store/repositories/cases.js';
import { upsertComments } from '../../src/store/repositories/comments.js';
import { upsertEscalations } from '../../src/store/repositories/escalations.js';
import { upsertCaseIssueLinks, upsertIssues } from '../../src/store/repositories/issues.js';
import { upsertJiraComments } from '../../src/store/repositories/jira-comments.js';
import { saveStatsSnapshot } from '../../src/store/repositories/stats-snapshots.js';
import type { Store } from '../../src/store/store.js';
import { makeCard, makeCase } from '../support/fixtures.js';

// A small, hand-made dashboard: every row below is there to be asserted on.

export const DAY = 86_400_000;
export const XSS = `<script>alert(1)</script><img src=x onerror=alert(2)> sosreport "quoted", too`;

export function testConfig(): Config {
  const base = loadConfig({ env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://' }, dotEnv: false });
  return {
    ...base,
    jira: {
      ...base.jira,
      url: 'https://jira.example.com',
      escalations: { project: 'RHOCPPRIO', label: 'Telco5g' },
    },
    sla: { days: { Urgent: 14, High: 20, Normal: 90, Low: 180 }, partners: ['Acme Telco'] },
  };
}

export async function buildTestApp(store: Store, config: Config, now?: () => Date): Promise<FastifyInstance> {
  const app = Fastify();
  await registerApiDocs(app);
  await app.register(apiV1Routes, { store, config, now });
  await app.register(legacyRoutes, { store, config, now });
  await app.ready();
  return app;
}

export interface Seeded {
  now: Date;
  cases: Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5' | 'c6', CaseRecord>;
}

/**
 * Cases 1–6 and cards K-1…K-5 plus K-7 (a card whose case is not stored). Case 6 has no card; case 5
 * has a case status the original did not know; K-3 is on a Closed case but not Done and has no
 * comments; K-1 carries the XSS comment, is on the prio-list and crit sit; K-2 is "potentially".
 */
export async function seedDashboard(store: Store): Promise<Seeded> {
  const now = new Date();
  const ago = (days: number) => new Date(now.getTime() - days * DAY);
  const c = (n: number, o: Partial<CaseRecord>) => makeCase(n, { bugNumber: null, ...o });
  const cases = {
    c1: c(1, {
      severity: 1,
      severityLabel: 'Urgent',
      account: 'Acme Telco',
      status: 'Waiting on Red Hat',
      createdDate: ago(30),
      lastUpdate: ago(1),
      summary: 'Cluster upgrade stalls on worker node',
      product: 'OpenShift Container Platform',
    }),
    c2: c(2, {
      severity: 2,
      severityLabel: 'High',
      account: 'Acme Telco',
      status: 'Waiting on Customer',
      createdDate: ago(12),
      lastUpdate: ago(5),
      summary: 'PTP clock drift on far edge',
      product: 'OpenShift Container Platform',
    }),
    c3: c(3, {
      severity: 3,
      severityLabel: 'Normal',
      account: 'Globex',
      status: 'Closed',
      createdDate: ago(100),
      closedDate: ago(40),
      lastUpdate: ago(40),
      summary: 'SR-IOV operator crash loop',
      product: 'OpenShift Container Platform',
    }),
    c4: c(4, {
      severity: 4,
      severityLabel: 'Low',
      account: 'Globex',
      status: 'Closed',
      createdDate: ago(60),
      closedDate: ago(2),
      lastUpdate: ago(2),
      summary: 'Documentation question about MetalLB',
      product: 'Red Hat Enterprise Linux',
    }),
    c5: c(5, {
      severity: 2,
      severityLabel: 'High',
      account: 'Initech',
      status: 'Customer Escalated',
      createdDate: ago(25),
      lastUpdate: ago(3),
      summary: 'DPDK throughput regression',
      product: 'OpenShift Container Platform',
    }),
    c6: c(6, {
      severity: 1,
      severityLabel: 'Urgent',
      account: 'Initech',
      status: 'Waiting on Red Hat',
      createdDate: ago(2),
      lastUpdate: ago(1),
      summary: 'Node not ready after reboot',
      product: null,
    }),
  };
  const { c1, c2, c3, c4, c5 } = cases;
  const card = (k: number, cs: CaseRecord, o: Parameters<typeof makeCard>[1]) =>
    makeCard(cs, { jiraKey: `KNIECO-${k}`, updatedAt: cs.lastUpdate, ...o });
  const cards = [
    card(1, c1, {
      status: 'Debugging',
      assigneeName: 'Alice',
      assignee: { displayName: 'Alice', accountId: 'a1', emailAddress: 'alice@example.com' },
      contributors: [{ displayName: 'Carol' }],
      labels: ['field', 'Trends'],
    }),
    card(2, c2, {
      status: 'Backlog',
      assigneeName: 'Bob',
      assignee: { displayName: 'Bob', accountId: 'b1' },
      labels: ['field', 'PotentialEscalation', 'Daily_Telco_OCP'],
    }),
    card(3, c3, { status: 'Eng Working', assigneeName: null, assignee: null, labels: ['field'] }),
    card(4, c4, {
      status: 'Done',
      assigneeName: 'Alice',
      assignee: { displayName: 'Alice', accountId: 'a1' },
      labels: ['field'],
    }),
    card(5, c5, {
      status: 'Backport',
      assigneeName: 'Bob',
      assignee: { displayName: 'Bob', accountId: 'b1' },
      labels: ['Trends'],
    }),
    {
      ...makeCard(c1, { jiraKey: 'KNIECO-7', status: 'New', assigneeName: null, assignee: null }),
      caseNumber: null,
      caseCreatedDate: null,
      summary: '49999999: card whose case is not stored',
      updatedAt: ago(4),
    },
  ];
  const jc = (key: string, cs: CaseRecord, id: string, daysAgo: number, body: string) => ({
    jiraCommentId: id,
    jiraKey: key,
    caseNumber: cs.caseNumber,
    caseCreatedDate: cs.createdDate,
    author: 'Alice',
    body,
    bodyFormat: 'wiki' as const,
    createdAt: ago(daysAgo),
    lastUpdateDate: ago(daysAgo),
  });
  await store.write(async (tx, ch) => {
    ch.record('case', await upsertCases(tx, Object.values(cases)));
    ch.record(
      'case_detail',
      await upsertCaseDetails(tx, [
        {
          caseNumber: c1.caseNumber,
          caseCreatedDate: c1.createdDate,
          critSit: true,
          groupName: 'Telco Group',
          notifiedUsers: [{ ssoUsername: 'alice', title: 'TAM' }],
          reliefAt: ago(28),
          resolvedAt: null,
          entitlementSla: 'PREMIUM',
          raw: {},
        },
        {
          caseNumber: c4.caseNumber,
          caseCreatedDate: c4.createdDate,
          critSit: false,
          groupName: null,
          notifiedUsers: [],
          reliefAt: ago(58),
          resolvedAt: ago(2),
          entitlementSla: null,
          raw: {},
        },
      ]),
    );
    ch.record('card', await upsertCards(tx, cards));
    ch.record(
      'jira_comment',
      await upsertJiraComments(tx, [
        jc('KNIECO-1', c1, '1001', 2, XSS),
        jc('KNIECO-1', c1, '1002', 20, 'Older note: collected must-gather'),
        jc('KNIECO-2', c2, '2001', 10, 'Waiting for the customer to test the fix'),
        jc('KNIECO-4', c4, '4001', 1, 'Closing: answered in KCS'),
        jc('KNIECO-5', c5, '5001', 3, 'Backport to 4.18 merged'),
      ]),
    );
    ch.record(
      'comment',
      await upsertComments(tx, [
        {
          commentId: 'p-201',
          caseNumber: c2.caseNumber,
          caseCreatedDate: c2.createdDate,
          author: 'Customer',
          authorType: 'Customer',
          body: 'Uploaded the holdover logs from the grandmaster',
          isPublic: true,
          commentedAt: ago(6),
          lastModifiedAt: null,
        },
        {
          commentId: 'p-101',
          caseNumber: c1.caseNumber,
          caseCreatedDate: c1.createdDate,
          author: 'Support',
          authorType: 'Associate',
          body: 'Portal note on the upgrade',
          isPublic: false,
          commentedAt: ago(1.5),
          lastModifiedAt: null,
        },
      ]),
    );
    ch.record(
      'escalation',
      await upsertEscalations(tx, [
        {
          issueKey: 'RHOCPPRIO-1',
          url: 'https://jira.example.com/browse/RHOCPPRIO-1',
          summary: 'Acme upgrade',
          status: 'In Progress',
          caseNumbers: [c1.caseNumber],
          updatedAt: ago(1),
          raw: {},
        },
        {
          issueKey: 'RHOCPPRIO-2',
          url: 'https://jira.example.com/browse/RHOCPPRIO-2',
          summary: 'Old escalation',
          status: 'Closed',
          caseNumbers: [c2.caseNumber],
          updatedAt: ago(30),
          raw: {},
        },
      ]),
    );
    ch.record(
      'issue',
      await upsertIssues(tx, [
        {
          issueKey: 'OCPBUGS-5',
          url: 'https://jira.example.com/browse/OCPBUGS-5',
          title: 'DPDK regression',
          status: 'POST',
          updatedAt: ago(3),
          qaContact: 'qa@example.com',
          severity: 'Low',
          issueType: 'Bug',
          assignee: 'dev@example.com',
          fixVersions: ['4.19'],
          priority: 'Major',
          privateKeywords: ['Telco', 'Telco:Priority-1'],
          raw: {},
        },
      ]),
    );
    ch.record(
      'case_issue',
      await upsertCaseIssueLinks(tx, [
        {
          caseNumber: c1.caseNumber,
          caseCreatedDate: c1.createdDate,
          issueKey: 'RHOCPPRIO-1',
          url: 'https://jira.example.com/browse/RHOCPPRIO-1',
          title: 'Acme upgrade',
          portalStatus: 'In Progress',
          lastModifiedAt: ago(1),
        },
        {
          caseNumber: c5.caseNumber,
          caseCreatedDate: c5.createdDate,
          issueKey: 'OCPBUGS-5',
          url: 'https://jira.example.com/browse/OCPBUGS-5',
          title: 'DPDK regression',
          portalStatus: 'POST',
          lastModifiedAt: ago(3),
        },
      ]),
    );
    ch.record(
      'bug',
      await upsertBugs(tx, [
        {
          bugId: '2000005',
          summary: 'ixgbe drops packets',
          status: 'ASSIGNED',
          severity: 'high',
          priority: 'high',
          component: ['kernel'],
          targetRelease: ['4.18.z'],
          assignee: 'kdev@example.com',
          qaContact: 'kqa@example.com',
          lastChangeTime: ago(4),
          internalWhiteboard: 'Telco',
          keywords: [],
          unavailable: false,
          unavailableReason: null,
          raw: {},
        },
      ]),
    );
    ch.record(
      'case_bug',
      await upsertCaseBugLinks(tx, [
        {
          caseNumber: c5.caseNumber,
          caseCreatedDate: c5.createdDate,
          bugId: '2000005',
          linkedAt: ago(20),
          portalStatus: 'ASSIGNED',
          portalSummary: 'ixgbe drops packets',
        },
      ]),
    );
    const day = (d: number) => ago(d).toISOString().slice(0, 10);
    await saveStatsSnapshot(tx, day(3), { open_cases: 4, escalated: 1 });
    await saveStatsSnapshot(tx, day(1), { open_cases: 5, escalated: 1 });
    ch.add('stats_snapshot', [day(3), day(1)]);
  });
  return { now, cases };
}
