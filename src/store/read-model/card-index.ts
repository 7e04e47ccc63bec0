import { SEVERITIES } from '../../shared/vocabulary.js';
import type { Queryable } from '../db.js';

// card_index: the dashboard's denormalised card table (see its definition in schema.ts). Triggers
// on cards, cases, case_details, jira_comments and escalations mark the cards a write touched in
// card_index_dirty; `flushCardIndex` recomputes exactly those rows. Every reader of card_index calls
// it first (or, as the card page does, asks in its own statement whether marks are pending and
// flushes and reads again if so), so a read always reflects every write committed before it: the
// statement that deletes a mark runs on a snapshot that includes the commit which made the mark.
// The writing process also recomputes soon after its own writes (card-index-upkeep.ts), so readers
// rarely find marks.

/** Change-feed entities whose writes change card_index rows (and so the card list and its facets). */
export const CARD_INDEX_ENTITIES = ['card', 'case', 'case_detail', 'jira_comment', 'escalation'] as const;

/**
 * An escalation counts while it is open: its status is none of these (lower-cased). Kept equal to
 * the stats' definition of "escalated" (src/store/repositories/stats.ts), so counts agree.
 */
export const OPEN_ESCALATION = `lower(e.status) NOT IN ('closed', 'done', 'resolved', 'obsolete', 'won''t fix')`;

/** The Portal's severity number (1 Urgent … 4 Low) of the severity a card states; NULL when it states none. */
const STATED_SEVERITY_NUMBER = `array_position(ARRAY[${SEVERITIES.map((s) => `'${s}'`).join(', ')}]::text[], k.stated_severity)`;

// One statement: take the marks, drop rows of cards that are gone, upsert the rest. A card whose
// case creation date is unknown takes the newest case with its number (numbers are rarely reused).
const FLUSH_SQL = `
WITH dirty AS (DELETE FROM card_index_dirty RETURNING jira_key),
removed AS (
  DELETE FROM card_index i USING dirty d
  WHERE i.jira_key = d.jira_key AND NOT EXISTS (SELECT 1 FROM cards k WHERE k.jira_key = d.jira_key)
  RETURNING 1
),
fresh AS (
  -- A card whose case is not stored (closed outside the query) still shows its case number, and
  -- what the card says about the case (severity, account, status) in the case's place.
  SELECT k.jira_key, coalesce(c.case_number, k.case_number) AS case_number,
         c.created_date AS case_created_date,
         coalesce(c.severity, ${STATED_SEVERITY_NUMBER})::smallint AS severity,
         coalesce(c.severity_label, k.stated_severity) AS severity_label,
         coalesce(c.account, k.stated_account) AS account, c.product,
         coalesce(c.status, k.stated_case_status) AS case_status, coalesce(c.summary, k.summary) AS summary,
         c.last_update AS case_last_update, c.closed_date AS case_closed_date, k.status AS card_status,
         k.assignee_name, k.is_trends, k.is_potential_escalation, k.is_daily_telco,
         coalesce(dt.crit_sit, false) AS crit_sit,
         EXISTS (SELECT 1 FROM escalations e
                 WHERE e.case_numbers @> ARRAY[k.case_number] AND ${OPEN_ESCALATION}) AS escalated,
         lc.last_update_date AS last_comment_at, k.updated_at AS card_updated_at,
         k.contributors, k.labels, k.priority, c.product_version, lc.jira_comment_id AS last_comment_id,
         c.search_vector
  FROM cards k
  LEFT JOIN LATERAL (
    SELECT * FROM cases c
    WHERE c.case_number = k.case_number
      AND (k.case_created_date IS NULL OR c.created_date = k.case_created_date)
    ORDER BY c.created_date DESC LIMIT 1
  ) c ON true
  LEFT JOIN case_details dt ON dt.case_number = c.case_number AND dt.case_created_date = c.created_date
  LEFT JOIN LATERAL (
    SELECT j.last_update_date, j.jira_comment_id FROM jira_comments j
    WHERE j.jira_key = k.jira_key ORDER BY j.last_update_date DESC, j.created_at DESC, j.jira_comment_id DESC
    LIMIT 1
  ) lc ON true
  WHERE k.jira_key IN (SELECT jira_key FROM dirty)
),
upserted AS (
  INSERT INTO card_index AS i (
    jira_key, case_number, case_created_date, severity, severity_label, account, product, case_status,
    summary, case_last_update, case_closed_date, card_status, assignee_name, is_trends,
    is_potential_escalation, is_daily_telco, crit_sit, escalated, prio_rank, last_comment_at, card_updated_at,
    contributors, labels, priority, product_version, last_comment_id, search_vector)
  SELECT jira_key, case_number, case_created_date, severity, severity_label, account, product, case_status,
         summary, case_last_update, case_closed_date, card_status, assignee_name, is_trends,
         is_potential_escalation, is_daily_telco, crit_sit, escalated,
         CASE WHEN escalated THEN 2 WHEN is_potential_escalation THEN 1 ELSE 0 END,
         last_comment_at, card_updated_at,
         contributors, labels, priority, product_version, last_comment_id, search_vector
  FROM fresh
  ON CONFLICT (jira_key) DO UPDATE SET
    case_number = EXCLUDED.case_number, case_created_date = EXCLUDED.case_created_date,
    severity = EXCLUDED.severity, severity_label = EXCLUDED.severity_label, account = EXCLUDED.account,
    product = EXCLUDED.product, case_status = EXCLUDED.case_status, summary = EXCLUDED.summary,
    case_last_update = EXCLUDED.case_last_update, case_closed_date = EXCLUDED.case_closed_date,
    card_status = EXCLUDED.card_status, assignee_name = EXCLUDED.assignee_name,
    is_trends = EXCLUDED.is_trends, is_potential_escalation = EXCLUDED.is_potential_escalation,
    is_daily_telco = EXCLUDED.is_daily_telco, crit_sit = EXCLUDED.crit_sit, escalated = EXCLUDED.escalated,
    prio_rank = EXCLUDED.prio_rank, last_comment_at = EXCLUDED.last_comment_at,
    card_updated_at = EXCLUDED.card_updated_at, contributors = EXCLUDED.contributors, labels = EXCLUDED.labels,
    priority = EXCLUDED.priority, product_version = EXCLUDED.product_version,
    last_comment_id = EXCLUDED.last_comment_id, search_vector = EXCLUDED.search_vector
  RETURNING 1
)
SELECT (SELECT count(*) FROM upserted)::int AS upserted, (SELECT count(*) FROM removed)::int AS removed`;

/** Recomputes the card_index rows marked stale; returns how many rows it wrote and removed. */
export async function flushCardIndex(q: Queryable): Promise<{ upserted: number; removed: number }> {
  // The common case, nothing marked, costs one index probe instead of planning the statement.
  const pending = await q.query('SELECT 1 FROM card_index_dirty LIMIT 1');
  if (pending.rows.length === 0) return { upserted: 0, removed: 0 };
  const r = await q.query<{ upserted: number; removed: number }>(FLUSH_SQL);
  return r.rows[0] ?? { upserted: 0, removed: 0 };
}
