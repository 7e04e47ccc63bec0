import type { Served } from '../../shared/api/common.js';
import type { durationSchema, outcomesSchema, statsSchema } from '../../shared/api/stats.js';
import { COUNTS } from '../../shared/counted.js';
import { SEVERITIES } from '../../shared/vocabulary.js';
import type { Queryable } from '../db.js';
import { breakdown } from '../queries/counted.js';

// The stats page's numbers, computed in SQL over the stored tables: one function for the live page
// (optionally for one account or one engineer) and for the daily snapshot row. The metric names are
// the original dashboard's, so its trend history can be imported as is.
//
// Fixed from the original dashboard:
//   - "daily" is the last 24 hours and "weekly" the last 7 days, both ending at `now`, in UTC
//     (the original counted ≤ 1 calendar day, i.e. two days, in server-local time);
//   - `no_updates` counts open cases with NO update for 7 days (the original counted the opposite);
//   - opened counts include cases already closed again (the original counted only still-open ones);
//   - relief and resolution times are two separate distributions (the original shared one dict).
//
// Definitions
//   scope              cases matching the filter: `account` exactly; `engineer` = cases with a card
//                      assigned to that engineer (display name).
//   open               status <> 'Closed'.
//   escalated          an open case whose number is in the case_numbers of an open escalation
//                      (the "prio-list"); an escalation is open unless its status is in CLOSED_ESCALATION_STATES.
//   crit_sit           an open case whose Portal detail says crit sit.
//   total_escalations  open cases escalated OR crit sit.
//   high_prio          open cases of severity 1 (Urgent) or 2 (High).
//   no_bzs             open cases with no linked bug, no linked JIRA issue and no bug number.
//   bugs_unique        distinct bugs + distinct JIRA issues linked to open cases.
//   bugs_no_target     of those: a bug whose target release is missing, empty or '---' (restricted
//                      bugs, whose release is unknown, are not counted); an issue whose fix versions
//                      are missing, empty or '---'.
//   by_customer, by_severity, by_engineer   rows of the case table (one per case and card) of
//                      open cases per account / severity label / card assignee (cases without an
//                      assigned card are not counted per engineer), each exactly what its link
//                      opens (src/shared/counted.ts).
//   by_status          rows of the case table per case status, Closed included (as the original's
//                      breakdown).

/** Tables (change-feed entities) the stats read; a cached result is stale when any of them changes. */
export const STATS_ENTITIES = [
  'case',
  'card',
  'case_detail',
  'escalation',
  'case_bug',
  'bug',
  'case_issue',
  'issue',
] as const;

export interface StatsFilter {
  account?: string;
  /** Card assignee display name. */
  engineer?: string;
}

/** The live metrics, in the shape the API serves them (numbers only). */
export type CaseStats = Served<typeof statsSchema>;

// Lower-cased escalation statuses that mean the escalation is over.
export const CLOSED_ESCALATION_STATES = `('closed', 'done', 'resolved', 'obsolete', 'won''t fix')`;

// $1 account, $2 engineer: NULL means no filter. A card matches its case by number and, when the
// card knows it, by creation date (case numbers have been reused).
const SCOPE = `
  SELECT c.case_number, c.created_date, c.status, c.severity, c.severity_label, c.account,
         c.last_update, c.closed_date, c.bug_number
  FROM cases c
  WHERE ($1::text IS NULL OR c.account = $1)
    AND ($2::text IS NULL OR EXISTS (
      SELECT 1 FROM cards k
      WHERE k.case_number = c.case_number
        AND (k.case_created_date IS NULL OR k.case_created_date = c.created_date)
        AND k.assignee_name = $2))`;

const CASE_STATS_SQL = `
WITH scope AS (${SCOPE}),
open_cases AS (SELECT * FROM scope WHERE status <> 'Closed'),
-- Joins, not a lookup per open case: the case numbers the open escalations name, and the cases
-- with a linked bug or issue, each once.
escalated_numbers AS (
  SELECT DISTINCT unnest(e.case_numbers) AS case_number FROM escalations e
  WHERE lower(e.status) NOT IN ${CLOSED_ESCALATION_STATES}
),
bugged AS (SELECT DISTINCT case_number, case_created_date FROM case_bugs),
issued AS (SELECT DISTINCT case_number, case_created_date FROM case_issues),
flagged AS (
  SELECT o.*,
         en.case_number IS NOT NULL AS escalated,
         coalesce(d.crit_sit, false) AS crit_sit,
         bg.case_number IS NOT NULL AS has_bug,
         iss.case_number IS NOT NULL AS has_issue
  FROM open_cases o
  LEFT JOIN escalated_numbers en ON en.case_number = o.case_number
  LEFT JOIN bugged bg ON bg.case_number = o.case_number AND bg.case_created_date = o.created_date
  LEFT JOIN issued iss ON iss.case_number = o.case_number AND iss.case_created_date = o.created_date
  LEFT JOIN case_details d ON d.case_number = o.case_number AND d.case_created_date = o.created_date
),
linked_bugs AS (
  SELECT DISTINCT cb.bug_id
  FROM case_bugs cb JOIN open_cases o ON o.case_number = cb.case_number AND o.created_date = cb.case_created_date
),
linked_issues AS (
  SELECT DISTINCT ci.issue_key
  FROM case_issues ci JOIN open_cases o ON o.case_number = ci.case_number AND o.created_date = ci.case_created_date
)
SELECT
  (SELECT count(*) FROM open_cases)::int AS open_cases,
  (SELECT count(*) FILTER (WHERE escalated) FROM flagged)::int AS escalated,
  (SELECT count(*) FILTER (WHERE crit_sit) FROM flagged)::int AS crit_sit,
  (SELECT count(*) FILTER (WHERE escalated OR crit_sit) FROM flagged)::int AS total_escalations,
  (SELECT count(*) FILTER (WHERE severity IN (1, 2)) FROM open_cases)::int AS high_prio,
  (SELECT count(*) FROM scope
   WHERE created_date > $3::timestamptz - interval '24 hours' AND created_date <= $3::timestamptz)::int
    AS daily_opened_cases,
  (SELECT count(*) FROM scope
   WHERE created_date > $3::timestamptz - interval '7 days' AND created_date <= $3::timestamptz)::int
    AS weekly_opened_cases,
  (SELECT count(*) FROM scope
   WHERE status = 'Closed'
     AND closed_date > $3::timestamptz - interval '24 hours' AND closed_date <= $3::timestamptz)::int
    AS daily_closed_cases,
  (SELECT count(*) FROM scope
   WHERE status = 'Closed'
     AND closed_date > $3::timestamptz - interval '7 days' AND closed_date <= $3::timestamptz)::int
    AS weekly_closed_cases,
  (SELECT count(*) FROM open_cases WHERE last_update <= $3::timestamptz - interval '7 days')::int AS no_updates,
  (SELECT count(*) FROM flagged
   WHERE NOT has_bug AND NOT has_issue AND coalesce(bug_number, '') = '')::int AS no_bzs,
  ((SELECT count(*) FROM linked_bugs) + (SELECT count(*) FROM linked_issues))::int AS bugs_unique,
  ((SELECT count(*) FROM linked_bugs lb JOIN bugs b ON b.bug_id = lb.bug_id
    WHERE NOT b.unavailable AND coalesce(b.target_release[1], '') IN ('', '---'))
   + (SELECT count(*) FROM linked_issues li JOIN issues i ON i.issue_key = li.issue_key
      WHERE coalesce(i.fix_versions[1], '') IN ('', '---')))::int AS bugs_no_target`;

const statsParams = (opts: StatsFilter & { now?: Date }) => [
  opts.account ?? null,
  opts.engineer ?? null,
  (opts.now ?? new Date()).toISOString(),
];

/** The stats metrics at `now` (UTC), over every stored case or the filtered ones. */
export async function computeCaseStats(
  q: Queryable,
  opts: StatsFilter & { now?: Date } = {},
): Promise<CaseStats> {
  const now = opts.now ?? new Date();
  const scope = { account: opts.account, engineer: opts.engineer };
  // The breakdowns are what their links open (src/shared/counted.ts): rows of the case table.
  // One after the other: `q` may be a transaction's single connection (the stats snapshot job).
  const r = await q.query<Omit<CaseStats, BreakdownKey>>(CASE_STATS_SQL, statsParams({ ...opts, now }));
  const byCustomer = await breakdown(q, COUNTS.openCases(scope), 'account', now);
  const byEngineer = await breakdown(q, COUNTS.openCases(scope), 'assignee', now);
  const bySeverity = await breakdown(q, COUNTS.openCases(scope), 'severity', now);
  const byStatus = await breakdown(q, COUNTS.cases(scope), 'caseStatus', now);
  return {
    ...r.rows[0]!,
    by_customer: byCustomer,
    by_engineer: byEngineer,
    by_severity: bySeverity,
    by_status: byStatus,
  };
}

type BreakdownKey = 'by_customer' | 'by_engineer' | 'by_severity' | 'by_status';

/** PostgreSQL's plan of the stats query (EXPLAIN, JSON form), to check how it reads its tables. */
export async function planOfCaseStats(q: Queryable, opts: StatsFilter & { now?: Date } = {}) {
  const r = await q.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (FORMAT JSON) ${CASE_STATS_SQL}`,
    statsParams(opts),
  );
  return r.rows[0]!['QUERY PLAN'];
}

// ---------------------------------------------------------------------------------------------------
// Relief and resolution times: days from case creation to the Portal's relief_at / resolved_at, per
// severity, over every case in scope (closed ones included, as they carry most resolutions). A time
// before the case's creation is bad upstream data and is left out rather than counted as 0 days.

/** Histogram edges in days: bucket i holds [edges[i], edges[i+1]); the last is open-ended. */
export const DEFAULT_DURATION_BUCKETS = [0, 1, 2, 3, 5, 7, 14, 30, 60, 90, 180, 365] as const;

/** A histogram bucket holds [fromDays, toDays); the last one has toDays null (open-ended). */
export type DurationStats = Served<typeof durationSchema>;
/** Relief and resolution by severity label (Urgent, High, Normal, Low, and any other label found). */
export type ReliefResolutionStats = Served<typeof outcomesSchema>;

const DURATIONS = `
WITH scope AS (${SCOPE}),
durations AS (
  SELECT 'relief' AS kind, s.severity_label,
         extract(epoch FROM d.relief_at - s.created_date)::float8 / 86400 AS days
  FROM scope s
  JOIN case_details d ON d.case_number = s.case_number AND d.case_created_date = s.created_date
  WHERE d.relief_at >= s.created_date
  UNION ALL
  SELECT 'resolution', s.severity_label,
         extract(epoch FROM d.resolved_at - s.created_date)::float8 / 86400
  FROM scope s
  JOIN case_details d ON d.case_number = s.case_number AND d.case_created_date = s.created_date
  WHERE d.resolved_at >= s.created_date
)`;

const DURATION_SUMMARY_SQL = `${DURATIONS}
SELECT kind, severity_label AS severity, count(*)::int AS count, avg(days)::float8 AS mean,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days)::float8 AS median
FROM durations GROUP BY kind, severity_label`;

// width_bucket(x, edges) is i when edges[i] <= x < edges[i+1] (1-based), the array length past the end.
const DURATION_HISTOGRAM_SQL = `${DURATIONS}
SELECT kind, severity_label AS severity, width_bucket(days, $3::float8[]) AS bucket, count(*)::int AS count
FROM durations GROUP BY kind, severity_label, bucket`;

export async function computeReliefResolutionStats(
  q: Queryable,
  opts: StatsFilter & { bucketEdges?: readonly number[] } = {},
): Promise<ReliefResolutionStats> {
  const edges = [...(opts.bucketEdges ?? DEFAULT_DURATION_BUCKETS)];
  if (edges.length === 0 || edges.some((e, i) => i > 0 && e <= edges[i - 1]!))
    throw new Error('bucket edges must be strictly increasing');
  const filter = [opts.account ?? null, opts.engineer ?? null];
  const [summary, histogram] = await Promise.all([
    q.query<{ kind: 'relief' | 'resolution'; severity: string; count: number; mean: number; median: number }>(
      DURATION_SUMMARY_SQL,
      filter,
    ),
    q.query<{ kind: 'relief' | 'resolution'; severity: string; bucket: number; count: number }>(
      DURATION_HISTOGRAM_SQL,
      [...filter, edges],
    ),
  ]);
  const empty = (): DurationStats => ({
    count: 0,
    mean: null,
    median: null,
    buckets: edges.map((from, i) => ({ fromDays: from, toDays: edges[i + 1] ?? null, count: 0 })),
  });
  const result: ReliefResolutionStats = { relief: {}, resolution: {} };
  for (const sev of SEVERITIES) {
    result.relief[sev] = empty();
    result.resolution[sev] = empty();
  }
  const entry = (kind: 'relief' | 'resolution', sev: string) => {
    result[kind][sev] ??= empty();
    return result[kind][sev]!;
  };
  for (const row of summary.rows) {
    Object.assign(entry(row.kind, row.severity), { count: row.count, mean: row.mean, median: row.median });
  }
  for (const row of histogram.rows) {
    // Bucket 0 (below the first edge) only exists when the first edge is above 0; fold it into the first.
    const bucket = entry(row.kind, row.severity).buckets[Math.max(row.bucket, 1) - 1];
    if (bucket) bucket.count += row.count;
  }
  return result;
}
