// Synthetic dashboard data for the API benchmark: cases with their cards, details, JIRA comments,
// linked bugs and issues, and escalations, in the proportions of a busy team, written through the
// repositories (the store's real write path). Deterministic: the same `n` gives the same rows.

import type { Queryable } from '../src/store/db.js';
import {
  type BugRecord,
  type CaseBugLink,
  upsertBugs,
  upsertCaseBugLinks,
} from '../src/store/repositories/bugs.js';
import { type CardRecord, upsertCards } from '../src/store/repositories/cards.js';
import { type CaseDetailRecord, upsertCaseDetails } from '../src/store/repositories/case-details.js';
import { type CaseRecord, upsertCases } from '../src/store/repositories/cases.js';
import { type EscalationRecord, upsertEscalations } from '../src/store/repositories/escalations.js';
import {
  type CaseIssueLink,
  type IssueRecord,
  upsertCaseIssueLinks,
  upsertIssues,
} from '../src/store/repositories/issues.js';
import { type JiraCommentRecord, upsertJiraComments } from '../src/store/repositories/jira-comments.js';
import { computeCaseStats } from '../src/store/repositories/stats.js';
import { saveStatsSnapshot } from '../src/store/repositories/stats-snapshots.js';
import type { Store } from '../src/store/store.js';

const SEVERITIES = ['Urgent', 'High', 'Normal', 'Low'] as const;
const CASE_STATUSES = ['Waiting on Red Hat', 'Waiting on Customer', 'Closed', 'Closed', 'Closed'];
const CARD_STATUSES = ['Backlog', 'Debugging', 'Eng Working', 'Backport', 'Ready To Close', 'Done', 'New'];
const PRODUCTS = [
  'OpenShift Container Platform 4.16',
  'OpenShift Container Platform 4.18',
  'OpenShift Container Platform 4.19',
  'Red Hat Enterprise Linux 9',
  'OpenShift Virtualization 4.18',
  'Red Hat Advanced Cluster Management 2.12',
];
const ENGINEERS = Array.from({ length: 15 }, (_, i) => `Engineer ${String.fromCharCode(65 + i)}`);
const DAY = 86_400_000;

export interface DashboardData {
  cases: CaseRecord[];
  details: CaseDetailRecord[];
  cards: CardRecord[];
  jiraComments: JiraCommentRecord[];
  bugs: BugRecord[];
  caseBugs: CaseBugLink[];
  issues: IssueRecord[];
  caseIssues: CaseIssueLink[];
  escalations: EscalationRecord[];
}

/** `n` cases ending at `now`: a third open, 95% with a card, ~2 JIRA comments per card. */
export function makeDashboardData(n: number, now = new Date()): DashboardData {
  const d: DashboardData = {
    cases: [],
    details: [],
    cards: [],
    jiraComments: [],
    bugs: [],
    caseBugs: [],
    issues: [],
    caseIssues: [],
    escalations: [],
  };
  const end = now.getTime();
  const accounts = Math.max(10, Math.round(n / 100));
  for (let i = 0; i < n; i++) {
    const caseNumber = String(4_000_0000 + i);
    // Spread over three years, newest last; a few a day land in the last week.
    const createdDate = new Date(end - Math.round(((n - i) / n) * 3 * 365 * DAY) - (i % 24) * 3_600_000);
    const sev = ((i * 7) % 4) + 1;
    const status = CASE_STATUSES[i % CASE_STATUSES.length]!;
    const closed = status === 'Closed';
    const lastUpdate = new Date(Math.min(end - (i % 30) * DAY, createdDate.getTime() + ((i % 90) + 1) * DAY));
    const c: CaseRecord = {
      caseNumber,
      createdDate,
      owner: `Owner ${i % 50}`,
      severity: sev as 1 | 2 | 3 | 4,
      severityLabel: SEVERITIES[sev - 1]!,
      account: `Account ${(i * 31) % accounts}`,
      summary: `Cluster ${i % 97} upgrade stalls on worker node ${i % 13} (${PRODUCTS[i % PRODUCTS.length]})`,
      status,
      lastUpdate: lastUpdate < createdDate ? createdDate : lastUpdate,
      description: `The customer reports that the upgrade of cluster ${i} stalls. ${'Logs attached. '.repeat(6)}`,
      product: PRODUCTS[i % PRODUCTS.length]!,
      productVersion: '4.18',
      tags: ['shift_telco5g'],
      bugNumber: i % 5 === 0 ? String(2_200_000 + i) : null,
      closedDate: closed ? new Date(Math.min(end, createdDate.getTime() + ((i % 60) + 1) * DAY)) : null,
      raw: { case_number: caseNumber },
    };
    d.cases.push(c);
    const ref = { caseNumber, caseCreatedDate: createdDate };
    d.details.push({
      ...ref,
      critSit: i % 97 === 0,
      groupName: `Group ${i % 8}`,
      notifiedUsers: [{ ssoUsername: `user${i % 20}`, title: 'Engineer' }],
      reliefAt: i % 2 ? new Date(createdDate.getTime() + ((i % 10) + 1) * DAY) : null,
      resolvedAt: closed ? c.closedDate : null,
      entitlementSla: 'PREMIUM',
      raw: {},
    });
    if (i % 20 !== 19) {
      const jiraKey = `KNIECO-${i + 1}`;
      const labels = ['field'];
      if (i % 11 === 0) labels.push('Trends');
      if (i % 13 === 0) labels.push('PotentialEscalation');
      if (i % 17 === 0) labels.push('Daily_Telco_OCP');
      const engineer = i % 25 === 0 ? null : ENGINEERS[i % ENGINEERS.length]!;
      d.cards.push({
        jiraKey,
        ...ref,
        summary: `${caseNumber}: ${c.summary}`,
        statusRaw: 'In Progress',
        status: closed && i % 4 !== 0 ? 'Done' : CARD_STATUSES[i % CARD_STATUSES.length]!,
        priority: 'Major',
        assigneeName: engineer,
        assignee: engineer ? { displayName: engineer, accountId: `acc-${i % 15}` } : null,
        contributors: i % 3 === 0 ? [{ displayName: ENGINEERS[(i + 1) % ENGINEERS.length]! }] : [],
        labels,
        sprint: 'T5GFE Sprint 1',
        createdAt: createdDate,
        updatedAt: c.lastUpdate,
        raw: {},
      });
      for (let j = 0; j < i % 5; j++) {
        const at = new Date(Math.min(end - 60_000, createdDate.getTime() + (j + 1) * 5 * DAY));
        d.jiraComments.push({
          jiraCommentId: `${jiraKey}-c${j}`,
          jiraKey,
          ...ref,
          author: ENGINEERS[(i + j) % ENGINEERS.length]!,
          body: `Update ${j}: collected must-gather for case ${caseNumber}; waiting on engineering.`,
          bodyFormat: 'wiki',
          createdAt: at,
          lastUpdateDate: at,
        });
      }
    }
    if (i % 5 === 0) {
      const bugId = String(2_200_000 + i);
      d.bugs.push({
        bugId,
        summary: `Bug for case ${caseNumber}`,
        status: 'ASSIGNED',
        severity: 'high',
        priority: 'high',
        component: ['Networking'],
        targetRelease: [i % 10 === 0 ? '---' : '4.18.z'],
        assignee: 'dev@example.com',
        qaContact: 'qa@example.com',
        lastChangeTime: c.lastUpdate,
        internalWhiteboard: 'Telco',
        keywords: [],
        unavailable: false,
        unavailableReason: null,
        raw: {},
      });
      d.caseBugs.push({
        ...ref,
        bugId,
        linkedAt: createdDate,
        portalStatus: 'ASSIGNED',
        portalSummary: null,
      });
    }
    if (i % 7 === 0) {
      const issueKey = `OCPBUGS-${i + 1}`;
      d.issues.push({
        issueKey,
        url: `https://issues.example.com/browse/${issueKey}`,
        title: `Issue for case ${caseNumber}`,
        status: 'New',
        updatedAt: c.lastUpdate,
        qaContact: 'qa@example.com',
        severity: ['Critical', 'Important', 'Moderate', 'Low'][i % 4]!,
        issueType: 'Bug',
        assignee: 'dev@example.com',
        fixVersions: ['4.19'],
        priority: 'Major',
        privateKeywords: [`Telco:Priority-${(i % 4) + 1}`],
        raw: {},
      });
      d.caseIssues.push({
        ...ref,
        issueKey,
        url: `https://issues.example.com/browse/${issueKey}`,
        title: `Issue for case ${caseNumber}`,
        portalStatus: 'New',
        lastModifiedAt: c.lastUpdate,
      });
    }
    if (!closed && i % 200 === 1) {
      const issueKey = `RHOCPPRIO-${i}`;
      d.escalations.push({
        issueKey,
        url: `https://issues.example.com/browse/${issueKey}`,
        summary: `Escalation of ${caseNumber}`,
        status: 'In Progress',
        caseNumbers: [caseNumber],
        updatedAt: c.lastUpdate,
        raw: {},
      });
      d.caseIssues.push({
        ...ref,
        issueKey,
        url: `https://issues.example.com/browse/${issueKey}`,
        title: `Escalation of ${caseNumber}`,
        portalStatus: 'In Progress',
        lastModifiedAt: c.lastUpdate,
      });
    }
  }
  return d;
}

/** Writes everything through the repositories in batches of `batch` rows, parents first. */
export async function seedDashboardData(store: Store, d: DashboardData, batch = 5000): Promise<void> {
  const write = async <T>(
    entity: string,
    rows: readonly T[],
    upsert: (q: Queryable, rows: readonly T[]) => Promise<unknown>,
  ) => {
    for (let i = 0; i < rows.length; i += batch) {
      await store.write(async (tx, changes) => {
        await upsert(tx, rows.slice(i, i + batch));
        changes.add(entity, ['*']);
      });
    }
  };
  await write('case', d.cases, upsertCases);
  await write('case_detail', d.details, upsertCaseDetails);
  await write('card', d.cards, upsertCards);
  await write('jira_comment', d.jiraComments, upsertJiraComments);
  await write('bug', d.bugs, upsertBugs);
  await write('case_bug', d.caseBugs, upsertCaseBugLinks);
  await write('issue', d.issues, upsertIssues);
  await write('case_issue', d.caseIssues, upsertCaseIssueLinks);
  await write('escalation', d.escalations, upsertEscalations);
}

/**
 * `days` daily stats snapshots ending today (the history chart's data): today's live stats, the
 * counts scaled a little per day, so each snapshot has the shape and size the stats job writes.
 */
export async function seedStatsHistory(store: Store, days: number, now = new Date()): Promise<void> {
  const stats = (await computeCaseStats(store.db, { now })) as unknown as Record<string, unknown>;
  const scale = (v: unknown, f: number): unknown =>
    typeof v === 'number'
      ? Math.round(v * f)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scale(x, f)]))
        : v;
  await store.write(async (tx, changes) => {
    for (let d = days - 1; d >= 0; d--) {
      const day = new Date(now.getTime() - d * DAY).toISOString().slice(0, 10);
      await saveStatsSnapshot(
        tx,
        day,
        scale(stats, 0.8 + (0.2 * ((d * 37) % 100)) / 100) as Record<string, unknown>,
      );
    }
    changes.add('stats_snapshot', ['*']);
  });
}
