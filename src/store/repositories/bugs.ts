import { bulkPatcher, bulkUpserter } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import type { CaseRef } from './case-parents.js';

/** A Bugzilla bug; `unavailable` rows stand for restricted or missing bugs. */
export interface BugRecord {
  bugId: string;
  summary: string | null;
  status: string | null;
  severity: string | null;
  priority: string | null;
  component: string[] | null;
  targetRelease: string[] | null;
  assignee: string | null;
  qaContact: string | null;
  lastChangeTime: Date | null;
  internalWhiteboard: string | null;
  keywords: string[] | null;
  unavailable: boolean;
  unavailableReason: string | null;
  raw: unknown;
}

export const upsertBugs = bulkUpserter({
  table: 'bugs',
  entity: 'bug',
  key: ['bug_id'],
  columns: [
    { name: 'bug_id', field: 'bugId', type: 'text' },
    { name: 'summary', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'severity', type: 'text' },
    { name: 'priority', type: 'text' },
    { name: 'component', type: 'text[]' },
    { name: 'target_release', field: 'targetRelease', type: 'text[]' },
    { name: 'assignee', type: 'text' },
    { name: 'qa_contact', field: 'qaContact', type: 'text' },
    { name: 'last_change_time', field: 'lastChangeTime', type: 'timestamptz' },
    { name: 'internal_whiteboard', field: 'internalWhiteboard', type: 'text' },
    { name: 'keywords', type: 'text[]' },
    { name: 'unavailable', type: 'boolean' },
    { name: 'unavailable_reason', field: 'unavailableReason', type: 'text' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

/** A bug's internal whiteboard after Bugzilla took the new one (bug tagging). */
export const patchBugWhiteboard = bulkPatcher({
  table: 'bugs',
  entity: 'bug',
  key: ['bug_id'],
  columns: [
    { name: 'bug_id', field: 'bugId', type: 'text' },
    { name: 'internal_whiteboard', field: 'internalWhiteboard', type: 'text' },
  ],
});

/** The Portal's link between a case and a Bugzilla bug. */
export interface CaseBugLink extends CaseRef {
  bugId: string;
  linkedAt: Date | null;
  portalStatus: string | null;
  portalSummary: string | null;
}

export const upsertCaseBugLinks = bulkUpserter({
  table: 'case_bugs',
  entity: 'case_bug',
  key: ['case_number', 'case_created_date', 'bug_id'],
  logKey: ['case_number', 'bug_id'],
  touchColumn: null,
  columns: [
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'case_created_date', field: 'caseCreatedDate', type: 'timestamptz' },
    { name: 'bug_id', field: 'bugId', type: 'text' },
    { name: 'linked_at', field: 'linkedAt', type: 'timestamptz' },
    { name: 'portal_status', field: 'portalStatus', type: 'text' },
    { name: 'portal_summary', field: 'portalSummary', type: 'text' },
  ],
});

/** Bug ids linked to any stored case, for the batched Bugzilla fetch. */
export async function listLinkedBugIds(q: Queryable): Promise<string[]> {
  const r = await q.query<{ bug_id: string }>('SELECT DISTINCT bug_id FROM case_bugs ORDER BY bug_id');
  return r.rows.map((x) => x.bug_id);
}
