import { loadConfig } from '../../config/config.js';
import { createLogger } from '../../lib/logger.js';
import { jiraBrowseUrl } from '../../shared/rules.js';
import { listOpenCardsOfClosedCases, type OpenCardOfClosedCase } from '../../store/repositories/cards.js';
import { openStore } from '../../store/store.js';

// `t5g closed-cases`: cards still open (internal status not Done) whose case is closed, from the
// store, so the team can close them. Read-only; no upstream call.

export function formatOpenCardsOfClosedCases(
  rows: readonly OpenCardOfClosedCase[],
  jiraUrl?: string,
): string {
  if (rows.length === 0) return 'No open cards for closed cases.';
  return rows
    .map(
      (r) =>
        `${jiraBrowseUrl(jiraUrl, r.jiraKey) ?? r.jiraKey}  case ${r.caseNumber}  ${r.cardStatus}` +
        `  ${r.assignee ?? 'unassigned'}${r.closedDate ? `  closed ${new Date(r.closedDate).toISOString().slice(0, 10)}` : ''}`,
    )
    .join('\n');
}

export async function closedCasesCommand(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, format: config.server.logFormat }).child({
    component: 'closed-cases',
  });
  const store = await openStore(config.storage, { logger });
  try {
    console.log(formatOpenCardsOfClosedCases(await listOpenCardsOfClosedCases(store.db), config.jira.url));
  } finally {
    await store.close();
  }
}
