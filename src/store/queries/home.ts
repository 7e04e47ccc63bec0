import type { Queryable } from '../db.js';

// The home page: cases opened in the last N days (any status, closed ones included, as in the
// original), most severe first.

export interface NewCaseRow {
  caseNumber: string;
  createdDate: Date;
  severityLabel: string;
  account: string;
  summary: string;
  status: string;
  jiraKey: string | null;
}

export async function listNewCases(q: Queryable, since: Date, limit: number): Promise<NewCaseRow[]> {
  const r = await q.query<NewCaseRow>(
    `SELECT c.case_number AS "caseNumber", c.created_date AS "createdDate", c.severity_label AS "severityLabel",
            c.account, c.summary, c.status,
            (SELECT k.jira_key FROM cards k
             WHERE k.case_number = c.case_number AND k.case_created_date = c.created_date
             ORDER BY k.updated_at DESC LIMIT 1) AS "jiraKey"
     FROM cases c
     WHERE c.created_date >= $1::timestamptz
     ORDER BY c.severity, c.created_date DESC, c.case_number
     LIMIT $2`,
    [since.toISOString(), limit],
  );
  return r.rows;
}
