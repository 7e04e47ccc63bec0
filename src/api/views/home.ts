import { jiraBrowseUrl, portalCaseUrl, severityOrder } from '../../shared/rules.js';
import { listNewCases } from '../../store/queries/home.js';
import { countCardsByStatus } from '../../store/repositories/cards.js';
import type { CsvColumn } from '../csv.js';
import { presentContext, type ViewDeps } from './deps.js';

// Home: the cases opened in the last days, and the cards per internal status chart.

/** The internal statuses in workflow order; any other status found follows, alphabetically. */
export const STATUS_ORDER = [
  'New',
  'Backlog',
  'Debugging',
  'Eng Working',
  'Backport',
  'Ready To Close',
  'Done',
  'Blocked',
];

export async function cardStatusCounts(deps: ViewDeps) {
  const counts = await deps.store.read(['card'], 'cards:status-counts', (q) => countCardsByStatus(q));
  const rank = (s: string) => {
    const i = STATUS_ORDER.indexOf(s);
    return i < 0 ? STATUS_ORDER.length : i;
  };
  const list = Object.entries(counts)
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
  return { total: list.reduce((n, x) => n + x.count, 0), counts: list };
}

const DAY_MS = 86_400_000;

export async function newCases(deps: ViewDeps, days: number, limit: number) {
  const { now } = presentContext(deps);
  const rows = await listNewCases(deps.store.db, new Date(now.getTime() - days * DAY_MS), limit);
  return {
    days,
    items: rows.map((r) => ({
      caseNumber: r.caseNumber,
      caseUrl: portalCaseUrl(r.caseNumber),
      createdDate: r.createdDate,
      severity: r.severityLabel,
      severityOrder: severityOrder(r.severityLabel),
      account: r.account,
      summary: r.summary,
      status: r.status,
      jiraKey: r.jiraKey,
      jiraUrl: r.jiraKey ? jiraBrowseUrl(deps.config.jira.url, r.jiraKey) : null,
    })),
  };
}

export const NEW_CASES_CSV: CsvColumn<Awaited<ReturnType<typeof newCases>>['items'][number]>[] = [
  { header: 'Case', value: (c) => c.caseNumber },
  { header: 'Case URL', value: (c) => c.caseUrl },
  { header: 'Created', value: (c) => c.createdDate },
  { header: 'Account', value: (c) => c.account },
  { header: 'Severity', value: (c) => c.severity },
  { header: 'Summary', value: (c) => c.summary },
  { header: 'Status', value: (c) => c.status },
  { header: 'JIRA', value: (c) => c.jiraKey },
];
