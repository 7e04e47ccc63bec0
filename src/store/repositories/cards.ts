import { bulkUpserter } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';

export interface JiraUser {
  displayName: string;
  accountId?: string;
  name?: string;
  emailAddress?: string;
}

/** A team card: the JIRA issue tracking one case. */
export interface CardRecord {
  jiraKey: string;
  /** Null when the card's summary names no stored case; the card is kept regardless. */
  caseNumber: string | null;
  caseCreatedDate: Date | null;
  summary: string;
  statusRaw: string;
  /** Internal status from the configured status map, or "Unknown". */
  status: string;
  priority: string | null;
  assigneeName: string | null;
  assignee: JiraUser | null;
  contributors: JiraUser[];
  labels: string[];
  sprint: string | null;
  createdAt: Date;
  updatedAt: Date;
  raw: unknown;
}

export const upsertCards = bulkUpserter({
  table: 'cards',
  entity: 'card',
  key: ['jira_key'],
  columns: [
    { name: 'jira_key', field: 'jiraKey', type: 'text' },
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'case_created_date', field: 'caseCreatedDate', type: 'timestamptz' },
    { name: 'summary', type: 'text' },
    { name: 'status_raw', field: 'statusRaw', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'priority', type: 'text' },
    { name: 'assignee_name', field: 'assigneeName', type: 'text' },
    { name: 'assignee', type: 'jsonb' },
    { name: 'contributors', type: 'jsonb' },
    { name: 'labels', type: 'text[]' },
    { name: 'sprint', type: 'text' },
    { name: 'created_at', field: 'createdAt', type: 'timestamptz' },
    { name: 'updated_at', field: 'updatedAt', type: 'timestamptz' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

export interface StoredCard extends CardRecord {
  isTrends: boolean;
  isPotentialEscalation: boolean;
  isDailyTelco: boolean;
}

export async function getCard(q: Queryable, jiraKey: string): Promise<StoredCard | undefined> {
  const r = await q.query<StoredCard>(
    `SELECT jira_key AS "jiraKey", case_number AS "caseNumber", case_created_date AS "caseCreatedDate", summary,
            status_raw AS "statusRaw", status, priority, assignee_name AS "assigneeName", assignee, contributors,
            labels, sprint, created_at AS "createdAt", updated_at AS "updatedAt", raw, is_trends AS "isTrends",
            is_potential_escalation AS "isPotentialEscalation", is_daily_telco AS "isDailyTelco"
     FROM cards WHERE jira_key = $1`,
    [jiraKey],
  );
  return r.rows[0];
}

/** Internal status → number of cards, for the home chart. */
export async function countCardsByStatus(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM cards GROUP BY status ORDER BY status',
  );
  return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
}
