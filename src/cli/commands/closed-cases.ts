import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../lib/logger.js';
import type { Queryable } from '../../store/db.js';
import { openStore } from '../../store/store.js';

// `t5g closed-cases`: cards still open (internal status not Done) whose case is closed, from the
// store, so the team can close them. Read-only; no upstream call.

export interface OpenCardOfClosedCase {
  jiraKey: string;
  caseNumber: string;
  cardStatus: string;
  assignee: string | null;
  closedDate: Date | null;
}

export async function listOpenCardsOfClosedCases(q: Queryable): Promise<OpenCardOfClosedCase[]> {
  const r = await q.query<OpenCardOfClosedCase>(
    `SELECT k.jira_key AS "jiraKey", c.case_number AS "caseNumber", k.status_raw AS "cardStatus",
            k.assignee_name AS assignee, c.closed_date AS "closedDate"
     FROM cards k JOIN cases c ON c.case_number = k.case_number AND c.created_date = k.case_created_date
     WHERE c.status = 'Closed' AND k.status <> 'Done'
     ORDER BY k.assignee_name NULLS LAST, k.jira_key`,
  );
  return r.rows;
}

export function formatOpenCardsOfClosedCases(
  rows: readonly OpenCardOfClosedCase[],
  jiraUrl?: string,
): string {
  if (rows.length === 0) return 'No open cards for closed cases.';
  return rows
    .map(
      (r) =>
        `${jiraUrl ? `${jiraUrl}/browse/${r.jiraKey}` : r.jiraKey}  case ${r.caseNumber}  ${r.cardStatus}` +
        `  ${r.assignee ?? 'unassigned'}${r.closedDate ? `  closed ${new Date(r.closedDate).toISOString().slice(0, 10)}` : ''}`,
    )
    .join('\n');
}

export async function closedCasesCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.server.logLevel).child({ component: 'closed-cases' });
  const store = await openStore(config.storage, { logger });
  try {
    console.log(formatOpenCardsOfClosedCases(await listOpenCardsOfClosedCases(store.db), config.jira.url));
  } finally {
    await store.close();
  }
}
