import type { Queryable } from '../db.js';
import type { CaseRef } from './case-parents.js';

// Which stored cases the Portal jobs should look at upstream. "Open" is the Portal's own notion:
// every status but `Closed`.

const REF_COLUMNS = `case_number AS "caseNumber", created_date AS "caseCreatedDate"`;

/** Every open case. */
export async function listOpenCaseRefs(q: Queryable): Promise<CaseRef[]> {
  const r = await q.query<CaseRef>(
    `SELECT ${REF_COLUMNS} FROM cases WHERE status <> 'Closed' ORDER BY case_number, created_date`,
  );
  return r.rows;
}

/** The stored cases with these numbers (the newest one when a number was reused). */
export async function findCaseRefs(q: Queryable, caseNumbers: readonly string[]): Promise<CaseRef[]> {
  if (caseNumbers.length === 0) return [];
  const r = await q.query<CaseRef>(
    `SELECT DISTINCT ON (case_number) ${REF_COLUMNS}
     FROM cases WHERE case_number = ANY($1::text[])
     ORDER BY case_number, created_date DESC`,
    [caseNumbers],
  );
  return r.rows;
}

/**
 * Open cases whose number is not in `seen`: after a full pass over the case query, these are the
 * cases the query no longer returns (closed outside it, re-tagged, moved to another team...).
 */
export async function listOpenCasesNotIn(q: Queryable, seen: readonly string[]): Promise<string[]> {
  const r = await q.query<{ case_number: string }>(
    `SELECT DISTINCT case_number FROM cases
     WHERE status <> 'Closed' AND NOT (case_number = ANY($1::text[]))
     ORDER BY case_number`,
    [seen],
  );
  return r.rows.map((x) => x.case_number);
}

/** The newest `change_log` id of an entity (0 when there is none): a position in the change history. */
export async function latestChangeId(q: Queryable, entity: string): Promise<number> {
  const r = await q.query<{ id: string | number | null }>(
    `SELECT max(id) AS id FROM change_log WHERE entity = $1`,
    [entity],
  );
  return Number(r.rows[0]?.id ?? 0);
}

/** A case first stored already closed gets its details once when it closed this recently. */
const FIRST_SEEN_CLOSED_DAYS = 90;

/**
 * Cases whose stored row changed between two `change_log` positions (`afterId` excluded, `uptoId`
 * included) that are open; or whose change was the status itself (a case that has just closed gets
 * its final details: resolution time, last comments); or closed with details stored (its fields
 * changed upstream, so its stored details, SLA or group, may be stale too); or first stored already
 * closed within FIRST_SEEN_CLOSED_DAYS (so the relief/resolution distributions have a history from
 * the first sync without reading years of closed cases). A re-read that changed nothing writes no
 * change_log row, so the Portal search's overlap window costs nothing here.
 */
export async function listChangedCaseRefs(q: Queryable, afterId: number, uptoId: number): Promise<CaseRef[]> {
  const r = await q.query<CaseRef>(
    `SELECT DISTINCT c.case_number AS "caseNumber", c.created_date AS "caseCreatedDate"
     FROM change_log l
     JOIN cases c ON c.case_number = l.entity_key
     WHERE l.entity = 'case' AND l.id > $1 AND l.id <= $2
       AND (c.status <> 'Closed' OR l.changes ? 'status'
            OR EXISTS (SELECT 1 FROM case_details d
                       WHERE d.case_number = c.case_number AND d.case_created_date = c.created_date)
            OR (l.op = 'insert' AND c.closed_date > now() - interval '${FIRST_SEEN_CLOSED_DAYS} days'))
     ORDER BY 1, 2`,
    [afterId, uptoId],
  );
  return r.rows;
}
