import type { Served } from '../../shared/api/common.js';
import type { newCaseSchema, newCasesSchema, statusCountsSchema } from '../../shared/api/home.js';
import { jiraBrowseUrl, portalCaseUrl, severityOrder } from '../../shared/rules.js';
import { INTERNAL_STATUSES } from '../../shared/vocabulary.js';
import { listNewCases } from '../../store/queries/home.js';
import { countCardsByStatus } from '../../store/repositories/cards.js';
import type { CsvColumn } from '../csv.js';
import { presentContext, type ViewDeps } from './deps.js';

// Home: the cases opened in the last days, and the cards per internal status chart.

export async function cardStatusCounts(deps: ViewDeps): Promise<Served<typeof statusCountsSchema>> {
  const counts = await deps.store.read(['card'], 'cards:status-counts', (q) => countCardsByStatus(q));
  const rank = (s: string) => {
    const i = (INTERNAL_STATUSES as readonly string[]).indexOf(s);
    return i < 0 ? INTERNAL_STATUSES.length : i;
  };
  const list = Object.entries(counts)
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
  return { total: list.reduce((n, x) => n + x.count, 0), counts: list };
}

const DAY_MS = 86_400_000;

export async function newCases(
  deps: ViewDeps,
  days: number,
  limit: number,
): Promise<Served<typeof newCasesSchema>> {
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

export const NEW_CASES_CSV: CsvColumn<Served<typeof newCaseSchema>>[] = [
  { header: 'Case', value: (c) => c.caseNumber },
  { header: 'Case URL', value: (c) => c.caseUrl },
  { header: 'Created', value: (c) => c.createdDate },
  { header: 'Account', value: (c) => c.account },
  { header: 'Severity', value: (c) => c.severity },
  { header: 'Summary', value: (c) => c.summary },
  { header: 'Status', value: (c) => c.status },
  { header: 'JIRA', value: (c) => c.jiraKey },
];
