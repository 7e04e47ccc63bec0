import type { Served } from '../../shared/api/common.js';
import type { accountSummarySchema, engineerSummarySchema, linkSchema } from '../../shared/api/people.js';
import { COUNTS } from '../../shared/counted.js';
import type { Queryable } from '../db.js';
import { flushCardIndex } from '../read-model/card-index.js';
import { countGrouped } from './counted.js';

// Account and engineer pages: per-account / per-engineer counts, the pie charts (open cards by
// severity, cards by case status) and the account's bugs and JIRA issues table.

export type AccountSummary = Served<typeof accountSummarySchema>;

// The numbers of the accounts and engineers lists that open a table are counted as that table
// counts them (src/shared/counted.ts): the case table for cases, the card table for cards.

/** The last case update per account (not a count, so not linked). */
const ACCOUNT_LAST_UPDATE_SQL = `
SELECT account AS name, max(last_update) AS "lastUpdate" FROM cases
WHERE $1::text IS NULL OR account = $1::text GROUP BY account`;

/** Every account (or one), open cases first. */
export async function listAccounts(q: Queryable, account: string | null = null): Promise<AccountSummary[]> {
  await flushCardIndex(q);
  const scope = { account: account ?? undefined };
  const now = new Date();
  const [last, cases, open, high, prio, crit, cards] = await Promise.all([
    q.query<{ name: string; lastUpdate: Date | null }>(ACCOUNT_LAST_UPDATE_SQL, [account]),
    countGrouped(q, COUNTS.cases(scope), 'account', now),
    countGrouped(q, COUNTS.openCases(scope), 'account', now),
    countGrouped(q, COUNTS.highPriority(scope), 'account', now),
    countGrouped(q, COUNTS.onPrioList(scope), 'account', now),
    countGrouped(q, COUNTS.critSit(scope), 'account', now),
    countGrouped(q, COUNTS.cards(scope), 'account', now),
  ]);
  const lastUpdate = new Map(last.rows.map((r) => [r.name, r.lastUpdate]));
  const names = new Set([...lastUpdate.keys(), ...[...cards.keys()].filter((n): n is string => n !== null)]);
  return [...names]
    .map((name) => ({
      name,
      cases: cases.get(name) ?? 0,
      openCases: open.get(name) ?? 0,
      highPriority: high.get(name) ?? 0,
      escalated: prio.get(name) ?? 0,
      critSit: crit.get(name) ?? 0,
      cards: cards.get(name) ?? 0,
      lastUpdate: lastUpdate.get(name) ?? null,
    }))
    .sort((x, y) => y.openCases - x.openCases || x.name.localeCompare(y.name));
}

export type EngineerSummary = Served<typeof engineerSummarySchema>;

/** Card assignees (or one), most open cases first. */
export async function listEngineers(
  q: Queryable,
  engineer: string | null = null,
): Promise<EngineerSummary[]> {
  await flushCardIndex(q);
  const scope = { engineer: engineer ?? undefined };
  const now = new Date();
  const [last, cards, open, high, prio, crit] = await Promise.all([
    q.query<{ name: string; lastCommentAt: Date | null }>(
      `SELECT assignee_name AS name, max(last_comment_at) AS "lastCommentAt" FROM card_index
       WHERE assignee_name IS NOT NULL AND ($1::text IS NULL OR assignee_name = $1::text) GROUP BY 1`,
      [engineer],
    ),
    countGrouped(q, COUNTS.cards(scope), 'assignee', now),
    countGrouped(q, COUNTS.openCases(scope), 'assignee', now),
    countGrouped(q, COUNTS.highPriority(scope), 'assignee', now),
    countGrouped(q, COUNTS.onPrioList(scope), 'assignee', now),
    countGrouped(q, COUNTS.critSit(scope), 'assignee', now),
  ]);
  return last.rows
    .map((r) => ({
      name: r.name,
      cards: cards.get(r.name) ?? 0,
      openCases: open.get(r.name) ?? 0,
      highPriority: high.get(r.name) ?? 0,
      escalated: prio.get(r.name) ?? 0,
      critSit: crit.get(r.name) ?? 0,
      lastCommentAt: r.lastCommentAt,
    }))
    .sort((x, y) => y.openCases - x.openCases || x.name.localeCompare(y.name));
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
