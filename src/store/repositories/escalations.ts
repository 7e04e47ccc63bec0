import { bulkUpserter } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';

/** An issue in the escalations ("prio-list") project naming the cases it escalates. */
export interface EscalationRecord {
  issueKey: string;
  url: string | null;
  summary: string | null;
  status: string;
  caseNumbers: string[];
  updatedAt: Date | null;
  raw: unknown;
}

export const upsertEscalations = bulkUpserter({
  table: 'escalations',
  entity: 'escalation',
  key: ['issue_key'],
  columns: [
    { name: 'issue_key', field: 'issueKey', type: 'text' },
    { name: 'url', type: 'text' },
    { name: 'summary', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'case_numbers', field: 'caseNumbers', type: 'text[]' },
    { name: 'updated_at', field: 'updatedAt', type: 'timestamptz' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

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
