import type { Queryable } from '../db.js';
import { OPEN_ESCALATION } from '../read-model/card-index.js';
import type { CaseDetailRecord } from '../repositories/case-details.js';
import type { CaseRecord } from '../repositories/cases.js';
import type { IssueRecord } from '../repositories/issues.js';

// Everything the detail page and the table's expanded row show about one case: its details, cards,
// comments of both sources, bugs, linked JIRA issues and escalations. One query per kind, all keyed
// by the case (number + creation date), run together.

/** A stored case as the detail page shows it, without the raw upstream record. */
export type CaseFields = Omit<CaseRecord, 'raw'>;

/** The Portal case detail, without its key (the case's) and the raw record. */
export type DetailFields = Omit<CaseDetailRecord, 'caseNumber' | 'caseCreatedDate' | 'raw'>;

export interface CommentFields {
  source: 'jira' | 'portal';
  id: string;
  jiraKey: string | null;
  author: string | null;
  body: string;
  format: string;
  isPublic: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface BugFields {
  bugId: string;
  linkedAt: Date | null;
  summary: string | null;
  status: string | null;
  severity: string | null;
  priority: string | null;
  targetRelease: string[] | null;
  assignee: string | null;
  qaContact: string | null;
  lastChangeTime: Date | null;
  internalWhiteboard: string | null;
  unavailable: boolean;
  unavailableReason: string | null;
  /** False when only the Portal's link is stored (the bug itself has not been fetched yet). */
  fetched: boolean;
}

/** A linked JIRA issue as stored, without the raw upstream record. */
export type IssueFields = Omit<IssueRecord, 'raw'>;

export interface EscalationFields {
  issueKey: string;
  url: string | null;
  summary: string | null;
  status: string;
  open: boolean;
  updatedAt: Date | null;
}

export interface CaseBundle {
  case: CaseFields | null;
  details: DetailFields | null;
  cardKeys: string[];
  comments: CommentFields[];
  bugs: BugFields[];
  issues: IssueFields[];
  escalations: EscalationFields[];
}

const CASE_SQL = `
  SELECT case_number AS "caseNumber", created_date AS "createdDate", owner, severity,
         severity_label AS "severityLabel", account, summary, status, last_update AS "lastUpdate", description,
         product, product_version AS "productVersion", tags, bug_number AS "bugNumber", closed_date AS "closedDate"
  FROM cases WHERE case_number = $1 AND ($2::timestamptz IS NULL OR created_date = $2::timestamptz)
  ORDER BY created_date DESC LIMIT 1`;

/**
 * The newest case with this number, or the one created at `createdDate`, with everything linked to
 * it; `extraCardKeys` adds cards (and their comments) the case does not list, e.g. a card whose case
 * is not stored (caseNumber null).
 */
export async function getCaseBundle(
  q: Queryable,
  caseNumber: string | null,
  createdDate: Date | null = null,
  extraCardKeys: readonly string[] = [],
): Promise<CaseBundle> {
  const found = caseNumber
    ? await q.query<CaseFields>(CASE_SQL, [caseNumber, createdDate?.toISOString() ?? null])
    : { rows: [] };
  const c = found.rows[0] ?? null;
  const ref = [caseNumber, c?.createdDate.toISOString() ?? null];
  const cards = c
    ? await q.query<{ jira_key: string }>(
        `SELECT jira_key FROM cards
         WHERE case_number = $1 AND (case_created_date IS NULL OR case_created_date = $2::timestamptz)
         ORDER BY updated_at DESC`,
        ref,
      )
    : { rows: [] };
  const cardKeys = [...new Set([...extraCardKeys, ...cards.rows.map((r) => r.jira_key)])];
  const [details, jiraComments, portalComments, bugs, issues, escalations] = await Promise.all([
    q.query<DetailFields>(
      `SELECT crit_sit AS "critSit", group_name AS "groupName", notified_users AS "notifiedUsers",
              relief_at AS "reliefAt", resolved_at AS "resolvedAt", entitlement_sla AS "entitlementSla"
       FROM case_details WHERE case_number = $1 AND case_created_date = $2::timestamptz`,
      ref,
    ),
    q.query<CommentFields>(
      `SELECT 'jira' AS source, jira_comment_id AS id, jira_key AS "jiraKey", author, body, body_format AS format,
              true AS "isPublic", created_at AS "createdAt", last_update_date AS "updatedAt"
       FROM jira_comments WHERE jira_key = ANY($1::text[])`,
      [cardKeys],
    ),
    q.query<CommentFields>(
      `SELECT 'portal' AS source, comment_id AS id, NULL AS "jiraKey", author, body, 'text' AS format,
              is_public AS "isPublic", commented_at AS "createdAt",
              coalesce(last_modified_at, commented_at) AS "updatedAt"
       FROM comments WHERE case_number = $1 AND case_created_date = $2::timestamptz`,
      ref,
    ),
    q.query<BugFields>(
      `SELECT cb.bug_id AS "bugId", cb.linked_at AS "linkedAt", coalesce(b.summary, cb.portal_summary) AS summary,
              coalesce(b.status, cb.portal_status) AS status, b.severity, b.priority,
              b.target_release AS "targetRelease", b.assignee, b.qa_contact AS "qaContact",
              b.last_change_time AS "lastChangeTime", b.internal_whiteboard AS "internalWhiteboard",
              coalesce(b.unavailable, false) AS unavailable, b.unavailable_reason AS "unavailableReason",
              b.bug_id IS NOT NULL AS fetched
       FROM case_bugs cb LEFT JOIN bugs b ON b.bug_id = cb.bug_id
       WHERE cb.case_number = $1 AND cb.case_created_date = $2::timestamptz
       ORDER BY cb.bug_id`,
      ref,
    ),
    q.query<IssueFields>(
      `SELECT ci.issue_key AS "issueKey", coalesce(i.url, ci.url) AS url, coalesce(i.title, ci.title) AS title,
              coalesce(i.status, ci.portal_status) AS status, coalesce(i.updated_at, ci.last_modified_at) AS "updatedAt",
              i.qa_contact AS "qaContact", i.severity, i.issue_type AS "issueType", i.assignee,
              i.fix_versions AS "fixVersions", i.priority, i.private_keywords AS "privateKeywords"
       FROM case_issues ci LEFT JOIN issues i ON i.issue_key = ci.issue_key
       WHERE ci.case_number = $1 AND ci.case_created_date = $2::timestamptz
       ORDER BY ci.issue_key`,
      ref,
    ),
    q.query<EscalationFields>(
      `SELECT e.issue_key AS "issueKey", e.url, e.summary, e.status, ${OPEN_ESCALATION} AS open,
              e.updated_at AS "updatedAt"
       FROM escalations e WHERE e.case_numbers @> ARRAY[$1::text]
       ORDER BY ${OPEN_ESCALATION} DESC, e.updated_at DESC NULLS LAST`,
      [caseNumber],
    ),
  ]);
  const comments = [...jiraComments.rows, ...portalComments.rows].sort(
    (a, b) => b.updatedAt.getTime() - a.updatedAt.getTime(),
  );
  return {
    case: c,
    details: c ? (details.rows[0] ?? null) : null,
    cardKeys,
    comments,
    bugs: c ? bugs.rows : [],
    issues: c ? issues.rows : [],
    escalations: escalations.rows,
  };
}
