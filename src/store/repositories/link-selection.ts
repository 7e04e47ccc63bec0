import type { Queryable } from '../db.js';

// Which linked JIRA issues and Bugzilla bugs a run fetches. A full pass takes every link; an
// incremental one only what is new or what the Portal's link data says has changed since it was
// stored, so a quiet day costs (almost) no upstream requests. Bug tagging reads every link.

/**
 * Issue keys linked to open cases. Incremental: keys not stored yet, and keys whose Portal link
 * reports a modification (`last_modified_at`, the issue's own update time) newer than the stored
 * issue. Keys with an unresolved quarantine entry (rejected or gone upstream) wait for the full pass
 * instead of being retried every run.
 */
export async function issueKeysToFetch(q: Queryable, opts: { full: boolean }): Promise<string[]> {
  const r = await q.query<{ issue_key: string }>(
    `SELECT DISTINCT ci.issue_key
     FROM case_issues ci
     JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
     LEFT JOIN issues i ON i.issue_key = ci.issue_key
     WHERE c.status <> 'Closed'
       AND ($1::boolean OR (
             (i.issue_key IS NULL OR ci.last_modified_at > coalesce(i.updated_at, i.synced_at))
             AND NOT EXISTS (SELECT 1 FROM quarantine qu
                             WHERE qu.source = 'jira.issue' AND qu.external_id = ci.issue_key
                               AND qu.resolved_at IS NULL)))
     ORDER BY ci.issue_key`,
    [opts.full],
  );
  return r.rows.map((row) => row.issue_key);
}

/**
 * Bug ids linked to any stored case. Incremental: bugs not stored yet, and readable bugs whose
 * status or summary as the Portal reports them differ from the stored bug (the Portal's copy
 * follows Bugzilla), and bugs with an unresolved quarantine row (Bugzilla returned them
 * malformed), so a broken answer is read again on the next pass instead of a day later.
 * Unavailable (restricted) bugs are retried by the full pass only.
 */
export async function bugIdsToFetch(q: Queryable, opts: { full: boolean }): Promise<string[]> {
  const r = await q.query<{ bug_id: string }>(
    `SELECT DISTINCT cb.bug_id
     FROM case_bugs cb
     LEFT JOIN bugs b ON b.bug_id = cb.bug_id
     WHERE $1::boolean
        OR b.bug_id IS NULL
        OR EXISTS (SELECT 1 FROM quarantine qu
                   WHERE qu.source = 'bugzilla.bug' AND qu.external_id = cb.bug_id AND qu.resolved_at IS NULL)
        OR (NOT b.unavailable AND (
              (coalesce(cb.portal_status, '') <> '' AND upper(cb.portal_status) IS DISTINCT FROM upper(b.status))
           OR (coalesce(cb.portal_summary, '') <> '' AND cb.portal_summary IS DISTINCT FROM b.summary)))
     ORDER BY cb.bug_id`,
    [opts.full],
  );
  return r.rows.map((row) => row.bug_id);
}

/**
 * Stored issues linked to open cases, without an unresolved quarantine entry: what an incremental pass
 * asks JIRA about (`key in (…) AND updated >= cursor`), since an issue can change without its Portal link.
 */
export async function trackedIssueKeys(
  q: Queryable,
): Promise<{ issueKey: string; updatedAt: Date | null }[]> {
  const r = await q.query<{ issueKey: string; updatedAt: Date | null }>(
    `SELECT DISTINCT ci.issue_key AS "issueKey", i.updated_at AS "updatedAt"
     FROM case_issues ci
     JOIN cases c ON c.case_number = ci.case_number AND c.created_date = ci.case_created_date
     JOIN issues i ON i.issue_key = ci.issue_key
     WHERE c.status <> 'Closed'
       AND NOT EXISTS (SELECT 1 FROM quarantine qu
                       WHERE qu.source = 'jira.issue' AND qu.external_id = ci.issue_key
                         AND qu.resolved_at IS NULL)
     ORDER BY 1`,
  );
  return r.rows;
}

/**
 * Stored, readable bugs linked to a stored case: what an incremental pass asks Bugzilla about
 * (`id=…&last_change_time=cursor`). Unavailable bugs wait for the full pass, which re-reads them all.
 */
export async function trackedBugIds(q: Queryable): Promise<{ bugId: string; lastChangeTime: Date | null }[]> {
  const r = await q.query<{ bugId: string; lastChangeTime: Date | null }>(
    `SELECT DISTINCT cb.bug_id AS "bugId", b.last_change_time AS "lastChangeTime"
     FROM case_bugs cb
     JOIN bugs b ON b.bug_id = cb.bug_id
     WHERE NOT b.unavailable
     ORDER BY 1`,
  );
  return r.rows;
}

/** Every stored issue linked to a stored case, with its type (bug tagging tags only type Bug). */
export async function listLinkedIssues(
  q: Queryable,
): Promise<{ issueKey: string; issueType: string | null }[]> {
  const r = await q.query<{ issueKey: string; issueType: string | null }>(
    `SELECT DISTINCT i.issue_key AS "issueKey", i.issue_type AS "issueType" FROM issues i
     JOIN case_issues ci ON ci.issue_key = i.issue_key ORDER BY 1`,
  );
  return r.rows;
}
