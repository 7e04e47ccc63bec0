import type { Queryable } from '../db.js';
import type { CaseRef } from './case-parents.js';

// Replace-the-set semantics for the Portal's case → bug and case → JIRA issue links. Upserts add and
// update links; this removes the links of a case that the Portal no longer lists, so an unlinked bug
// or issue stops showing on the case. Only cases whose link list was actually fetched may be passed:
// a case whose lookup failed keeps its links until a lookup succeeds.

/** The complete, current link list of one case as the Portal returned it. */
export interface CaseLinkSet extends CaseRef {
  /** Bug ids or issue keys; an empty list removes every link of the case. */
  linked: readonly string[];
}

// Table and column names are fixed here, never taken from input.
const LINK_TABLES = {
  case_bug: { table: 'case_bugs', column: 'bug_id' },
  case_issue: { table: 'case_issues', column: 'issue_key' },
} as const;

export type LinkEntity = keyof typeof LINK_TABLES;

/**
 * Deletes the links of `sets`' cases that are not in their `linked` list, records each removal in
 * `change_log` (op `delete`, so the audit trail shows when a link went away) and returns the
 * removed links as `case_number:linked_id`.
 */
export async function removeVanishedLinks(
  q: Queryable,
  entity: LinkEntity,
  sets: readonly CaseLinkSet[],
  runId?: string | null,
): Promise<string[]> {
  if (sets.length === 0) return [];
  const { table, column } = LINK_TABLES[entity];
  const keep = sets.flatMap((s) => s.linked.map((id) => ({ s, id })));
  const r = await q.query<{ key: string }>(
    `WITH scope AS (
       SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS s(case_number, case_created_date)
     ),
     keep AS (
       SELECT * FROM unnest($3::text[], $4::timestamptz[], $5::text[]) AS k(case_number, case_created_date, linked)
     ),
     removed AS (
       DELETE FROM ${table} l USING scope s
       WHERE l.case_number = s.case_number AND l.case_created_date = s.case_created_date
         AND NOT EXISTS (SELECT 1 FROM keep k
                         WHERE k.case_number = l.case_number AND k.case_created_date = l.case_created_date
                           AND k.linked = l.${column})
       RETURNING l.case_number || ':' || l.${column} AS key, to_jsonb(l) AS row
     ),
     logged AS (
       INSERT INTO change_log (entity, entity_key, op, changes, run_id)
       SELECT $6::text, key, 'delete', jsonb_build_object('removed', row), $7::uuid FROM removed
       RETURNING entity_key
     )
     SELECT entity_key AS key FROM logged`,
    [
      sets.map((s) => s.caseNumber),
      sets.map((s) => s.caseCreatedDate.toISOString()),
      keep.map((k) => k.s.caseNumber),
      keep.map((k) => k.s.caseCreatedDate.toISOString()),
      keep.map((k) => k.id),
      entity,
      runId ?? null,
    ],
  );
  return r.rows.map((x) => x.key);
}
