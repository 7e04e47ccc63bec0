import type { Served } from '../../shared/api/common.js';
import type { accountSummarySchema, engineerSummarySchema, linkSchema } from '../../shared/api/people.js';
import type { Queryable } from '../db.js';
import { flushCardIndex, OPEN_ESCALATION } from '../read-model/card-index.js';

// Account and engineer pages: per-account / per-engineer counts, the pie charts (open cards by
// severity, cards by case status) and the account's bugs and JIRA issues table.

export type AccountSummary = Served<typeof accountSummarySchema>;

const ACCOUNTS_SQL = `
WITH open_escalated AS MATERIALIZED (
  SELECT DISTINCT unnest(e.case_numbers) AS case_number FROM escalations e WHERE ${OPEN_ESCALATION}),
per_case AS (
  SELECT c.account AS name, count(*)::int AS cases,
         count(*) FILTER (WHERE c.status <> 'Closed')::int AS "openCases",
         count(*) FILTER (WHERE c.status <> 'Closed' AND c.severity IN (1, 2))::int AS "highPriority",
         count(*) FILTER (WHERE c.status <> 'Closed' AND x.case_number IS NOT NULL)::int AS escalated,
         count(*) FILTER (WHERE c.status <> 'Closed' AND coalesce(d.crit_sit, false))::int AS "critSit",
         max(c.last_update) AS "lastUpdate"
  FROM cases c
  LEFT JOIN case_details d ON d.case_number = c.case_number AND d.case_created_date = c.created_date
  LEFT JOIN open_escalated x ON x.case_number = c.case_number
  WHERE $1::text IS NULL OR c.account = $1::text
  GROUP BY c.account),
per_card AS (
  SELECT account AS name, count(*)::int AS cards FROM card_index
  WHERE account IS NOT NULL AND ($1::text IS NULL OR account = $1::text) GROUP BY account)
SELECT coalesce(pc.name, k.name) AS name, coalesce(pc.cases, 0) AS cases, coalesce(pc."openCases", 0) AS "openCases",
       coalesce(pc."highPriority", 0) AS "highPriority", coalesce(pc.escalated, 0) AS escalated,
       coalesce(pc."critSit", 0) AS "critSit", coalesce(k.cards, 0) AS cards, pc."lastUpdate"
FROM per_case pc FULL JOIN per_card k ON k.name = pc.name
ORDER BY 3 DESC, 1`;

/** Every account (or one), open cases first. */
export async function listAccounts(q: Queryable, account: string | null = null): Promise<AccountSummary[]> {
  await flushCardIndex(q);
  const r = await q.query<AccountSummary>(ACCOUNTS_SQL, [account]);
  return r.rows;
}

export type EngineerSummary = Served<typeof engineerSummarySchema>;

/** Card assignees (or one), most open cards first. */
export async function listEngineers(
  q: Queryable,
  engineer: string | null = null,
): Promise<EngineerSummary[]> {
  await flushCardIndex(q);
  const r = await q.query<EngineerSummary>(
    `SELECT assignee_name AS name, count(*)::int AS cards,
            count(*) FILTER (WHERE case_status IS DISTINCT FROM 'Closed')::int AS "openCards",
            count(*) FILTER (WHERE case_status IS DISTINCT FROM 'Closed' AND severity IN (1, 2))::int AS "highPriority",
            count(*) FILTER (WHERE case_status IS DISTINCT FROM 'Closed' AND escalated)::int AS escalated,
            count(*) FILTER (WHERE case_status IS DISTINCT FROM 'Closed' AND crit_sit)::int AS "critSit",
            max(last_comment_at) AS "lastCommentAt"
     FROM card_index
     WHERE assignee_name IS NOT NULL AND ($1::text IS NULL OR assignee_name = $1::text)
     GROUP BY assignee_name ORDER BY 3 DESC, 1`,
    [engineer],
  );
  return r.rows;
}

export interface CardBreakdowns {
  /** Cards of open cases per severity (the "Cards By Severity" pie). */
  bySeverity: Record<string, number>;
  /** Cards per case status, closed included (the "Cards by Status" pie). */
  byCaseStatus: Record<string, number>;
}

/** The two pie charts for one account or one engineer; `by` is a fixed column name, never input. */
export async function cardBreakdowns(
  q: Queryable,
  by: 'account' | 'assignee_name',
  value: string,
): Promise<CardBreakdowns> {
  await flushCardIndex(q);
  const r = await q.query<{ kind: string; key: string | null; n: number }>(
    `SELECT 'severity' AS kind, severity_label AS key, count(*)::int AS n FROM card_index
     WHERE ${by} = $1 AND case_status IS DISTINCT FROM 'Closed' GROUP BY severity_label
     UNION ALL
     SELECT 'status', case_status, count(*)::int FROM card_index WHERE ${by} = $1 GROUP BY case_status`,
    [value],
  );
  const out: CardBreakdowns = { bySeverity: {}, byCaseStatus: {} };
  for (const row of r.rows) {
    const key = row.key ?? 'Unknown';
    (row.kind === 'severity' ? out.bySeverity : out.byCaseStatus)[key] = row.n;
  }
  return out;
}

/** A link as the account page lists it, before the bug's URL is built (and with Bugzilla's null releases). */
export type AccountBugRow = Omit<Served<typeof linkSchema>, 'targetRelease'> & {
  targetRelease: string[] | null;
};

/** The Bugzilla bugs and JIRA issues linked to the account's carded cases (one row per link). */
export async function listAccountBugs(q: Queryable, account: string): Promise<AccountBugRow[]> {
  await flushCardIndex(q);
  const r = await q.query<AccountBugRow>(
    `SELECT 'bug' AS kind, cb.bug_id AS id, NULL AS url, coalesce(b.summary, cb.portal_summary) AS summary,
            b.priority, b.severity, b.target_release AS "targetRelease", b.assignee, b.qa_contact AS "qaContact",
            b.last_change_time AS updated, coalesce(b.status, cb.portal_status) AS status, r.case_number AS "caseNumber"
     FROM card_index r
     JOIN case_bugs cb ON cb.case_number = r.case_number AND cb.case_created_date = r.case_created_date
     LEFT JOIN bugs b ON b.bug_id = cb.bug_id
     WHERE r.account = $1
     UNION ALL
     SELECT 'issue', ci.issue_key, coalesce(i.url, ci.url), coalesce(i.title, ci.title), i.priority, i.severity,
            i.fix_versions, i.assignee, i.qa_contact, coalesce(i.updated_at, ci.last_modified_at),
            coalesce(i.status, ci.portal_status), r.case_number
     FROM card_index r
     JOIN case_issues ci ON ci.case_number = r.case_number AND ci.case_created_date = r.case_created_date
     LEFT JOIN issues i ON i.issue_key = ci.issue_key
     WHERE r.account = $1
     ORDER BY 1, 2`,
    [account],
  );
  return r.rows;
}
