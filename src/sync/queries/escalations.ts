import type { Queryable } from '../../store/db.js';
import type { EscalationRecord } from '../../store/repositories/escalations.js';

/**
 * Stored escalations not closed yet that the latest search did not return: they were closed, lost
 * the label or left the project, and either way no longer put their cases on the prio-list.
 */
export async function listVanishedEscalations(
  q: Queryable,
  returnedKeys: readonly string[],
): Promise<EscalationRecord[]> {
  const r = await q.query<EscalationRecord>(
    `SELECT issue_key AS "issueKey", url, summary, status, case_numbers AS "caseNumbers",
            updated_at AS "updatedAt", raw
     FROM escalations
     WHERE status <> 'Closed' AND NOT (issue_key = ANY($1::text[]))
     ORDER BY issue_key`,
    [returnedKeys],
  );
  return r.rows;
}
