import { bulkPatcher, bulkUpserter } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import type { SeverityLabel } from './cases.js';

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
  /**
   * What the card itself says about its case (the description card creation wrote, or the mirrored
   * card's fields): shown where the case is not stored. Absent means unknown.
   */
  statedSeverity?: SeverityLabel | null;
  statedAccount?: string | null;
  statedCaseStatus?: string | null;
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
    { name: 'stated_severity', field: 'statedSeverity', type: 'text' },
    { name: 'stated_account', field: 'statedAccount', type: 'text' },
    { name: 'stated_case_status', field: 'statedCaseStatus', type: 'text' },
    { name: 'created_at', field: 'createdAt', type: 'timestamptz' },
    { name: 'updated_at', field: 'updatedAt', type: 'timestamptz' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

/** Internal status → number of cards, for the home chart. */
export async function countCardsByStatus(q: Queryable): Promise<Record<string, number>> {
  const r = await q.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM cards GROUP BY status ORDER BY status',
  );
  return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
}

/**
 * A card's priority after JIRA took the new one (priority sync), through the same change detection
 * and `change_log` as the cards sync, so the dashboard shows it before the next sync.
 */
export const patchCardPriority = bulkPatcher({
  table: 'cards',
  entity: 'card',
  key: ['jira_key'],
  columns: [
    { name: 'jira_key', field: 'jiraKey', type: 'text' },
    { name: 'priority', type: 'text' },
  ],
});

/** A reopened card's status, and its sprint when it was put into one (a null sprint keeps the stored one). */
export const patchCardStatus = bulkPatcher({
  table: 'cards',
  entity: 'card',
  key: ['jira_key'],
  columns: [
    { name: 'jira_key', field: 'jiraKey', type: 'text' },
    { name: 'status_raw', field: 'statusRaw', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'sprint', type: 'text', keepWhenNull: true },
  ],
});

/** Every stored card key, for telling which cards a full pass no longer sees upstream. */
export async function listCardKeys(q: Queryable): Promise<string[]> {
  const r = await q.query<{ jira_key: string }>('SELECT jira_key FROM cards ORDER BY jira_key');
  return r.rows.map((row) => row.jira_key);
}

/** When JIRA last updated each of these cards, as stored (epoch ms by key; absent = not stored). */
export async function storedUpdateTimes(
  q: Queryable,
  jiraKeys: readonly string[],
): Promise<Map<string, number>> {
  if (jiraKeys.length === 0) return new Map();
  const r = await q.query<{ jira_key: string; updated_at: Date }>(
    'SELECT jira_key, updated_at FROM cards WHERE jira_key = ANY($1::text[])',
    [jiraKeys],
  );
  return new Map(r.rows.map((row) => [row.jira_key, new Date(row.updated_at).getTime()]));
}

/** A card not Done with its case's severity: what priority sync compares with the priority map. */
export interface OpenCardSeverity {
  jiraKey: string;
  priority: string | null;
  severityLabel: SeverityLabel;
}

export async function listOpenCardSeverities(q: Queryable): Promise<OpenCardSeverity[]> {
  const r = await q.query<OpenCardSeverity>(
    `SELECT k.jira_key AS "jiraKey", k.priority, c.severity_label AS "severityLabel"
     FROM cards k JOIN cases c ON c.case_number = k.case_number AND c.created_date = k.case_created_date
     WHERE k.status <> 'Done'
     ORDER BY k.jira_key`,
  );
  return r.rows;
}

/** A card still open (internal status not Done) whose case is closed: `t5g closed-cases` lists them. */
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

/**
 * Records in `change_log` (op `gone`, `{gone_upstream: [false, true], reason}`) that JIRA no longer
 * has these stored cards — deleted, or moved out of the team's project or label — and returns the
 * keys newly recorded. The rows themselves are kept as they are: nothing disappears from the
 * dashboard silently, and the audit trail says when and why the card left JIRA. A card is recorded
 * once until it changes again (its newest change_log row is then no longer `gone`).
 */
export async function recordCardsGoneUpstream(
  q: Queryable,
  jiraKeys: readonly string[],
  reason: string,
  runId?: string | null,
): Promise<string[]> {
  if (jiraKeys.length === 0) return [];
  const r = await q.query<{ entity_key: string }>(
    `INSERT INTO change_log (entity, entity_key, op, changes, run_id)
     SELECT 'card', c.jira_key, 'gone',
            jsonb_build_object('gone_upstream', jsonb_build_array(false, true), 'reason', $2::text), $3::uuid
     FROM cards c
     WHERE c.jira_key = ANY($1::text[])
       AND COALESCE((SELECT l.op FROM change_log l
                     WHERE l.entity = 'card' AND l.entity_key = c.jira_key
                     ORDER BY l.id DESC LIMIT 1), '') <> 'gone'
     RETURNING entity_key`,
    [jiraKeys, reason, runId ?? null],
  );
  return r.rows.map((x) => x.entity_key);
}
