import type { Queryable } from '../db.js';
import type { SeverityLabel } from '../repositories/cases.js';

// What card creation reads from the store. The "has a card" test looks at EVERY stored team card
// (the cards job keeps all sprints), matched by the linked case number or by the summary's
// "<case#>:" prefix (a card whose case was not stored when the card was synced has no link), and
// at the claims table, so a case whose card is being created right now is not picked twice. The
// original looked only at the active sprint and so gave a second card to any case whose card sat
// in an older sprint.

export interface CaseForCard {
  caseNumber: string;
  createdDate: Date;
  severity: 1 | 2 | 3 | 4;
  severityLabel: SeverityLabel;
  account: string;
  summary: string;
  status: string;
  description: string;
  bugNumber: string | null;
}

const CASE_COLUMNS = `c.case_number AS "caseNumber", c.created_date AS "createdDate", c.severity,
  c.severity_label AS "severityLabel", c.account, c.summary, c.status, c.description, c.bug_number AS "bugNumber"`;

/** The current row of each case number (numbers have been reused with a new creation date). */
const LATEST_CASES = `SELECT DISTINCT ON (case_number) * FROM cases ORDER BY case_number, created_date DESC`;

/** Case numbers any stored card names, by link or by summary prefix. */
const CARDED = `SELECT case_number AS n FROM cards WHERE case_number IS NOT NULL
  UNION SELECT split_part(summary, ':', 1) FROM cards`;

/** Open cases that have no card and were never claimed, oldest first. */
export async function listCasesWithoutCard(q: Queryable): Promise<CaseForCard[]> {
  const r = await q.query<CaseForCard>(
    `WITH latest AS (${LATEST_CASES}), carded AS (${CARDED})
     SELECT ${CASE_COLUMNS} FROM latest c
     WHERE c.status <> 'Closed'
       AND NOT EXISTS (SELECT 1 FROM carded WHERE carded.n = c.case_number)
       AND NOT EXISTS (SELECT 1 FROM card_creations cc WHERE cc.case_number = c.case_number)
     ORDER BY c.created_date, c.case_number`,
  );
  return r.rows;
}

/** The current rows of these case numbers (for resuming claims). */
export async function getCasesForCards(q: Queryable, caseNumbers: readonly string[]): Promise<CaseForCard[]> {
  if (caseNumbers.length === 0) return [];
  const r = await q.query<CaseForCard>(
    `WITH latest AS (${LATEST_CASES})
     SELECT ${CASE_COLUMNS} FROM latest c WHERE c.case_number = ANY($1::text[])`,
    [[...caseNumbers]],
  );
  return r.rows;
}

export interface ReopenCandidate extends CaseForCard {
  jiraKey: string;
  /** The change_log row that recorded the case going from Closed back to open. */
  logId: number;
}

/**
 * Open cases created more than `olderThanDays` ago whose newest card is finished (internal status
 * Done) and that the cases sync saw go from Closed back to open since the last reopen handled.
 * The evidence is the status change in change_log, so a card that was simply finished before its
 * case closed is not reopened every hour.
 */
export async function listReopenCandidates(q: Queryable, olderThanDays: number): Promise<ReopenCandidate[]> {
  const r = await q.query<ReopenCandidate>(
    `WITH latest AS (${LATEST_CASES}),
     reopened AS (
       SELECT entity_key AS case_number, max(id) AS log_id FROM change_log
       WHERE entity = 'case' AND changes->'status'->>0 = 'Closed' AND changes->'status'->>1 <> 'Closed'
       GROUP BY entity_key
     )
     SELECT ${CASE_COLUMNS}, k.jira_key AS "jiraKey", r.log_id::float8 AS "logId"
     FROM latest c
     JOIN reopened r ON r.case_number = c.case_number
     JOIN LATERAL (
       SELECT jira_key, status FROM cards
       WHERE case_number = c.case_number OR split_part(summary, ':', 1) = c.case_number
       ORDER BY created_at DESC, jira_key DESC LIMIT 1
     ) k ON true
     LEFT JOIN card_creations cc ON cc.case_number = c.case_number
     WHERE c.status <> 'Closed'
       AND c.created_date < now() - make_interval(days => $1)
       AND k.status = 'Done'
       AND (cc.case_number IS NULL OR (cc.step = 'done' AND coalesce(cc.reopen_log_id, 0) < r.log_id))
     ORDER BY c.case_number`,
    [olderThanDays],
  );
  return r.rows.map((row) => ({ ...row, logId: Number(row.logId) }));
}

export interface AssigneeLoad {
  accountId: string | null;
  userName: string | null;
  email: string | null;
  displayName: string | null;
  open: number;
}

/** Open (not Done) cards per JIRA assignee: the load the fair rotation balances. */
export async function listOpenCardLoad(q: Queryable): Promise<AssigneeLoad[]> {
  const r = await q.query<AssigneeLoad>(
    `SELECT assignee->>'accountId' AS "accountId", assignee->>'name' AS "userName",
            assignee->>'emailAddress' AS email, assignee_name AS "displayName", count(*)::int AS open
     FROM cards WHERE status <> 'Done' AND assignee_name IS NOT NULL
     GROUP BY 1, 2, 3, 4`,
  );
  return r.rows;
}
