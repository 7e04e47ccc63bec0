import { bulkUpserter, type UpsertResult } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';
import { type CaseRef, upsertCaseChildren } from './case-parents.js';

/** Extended case information from the Portal case detail (crit sit, group, watchers, SLA times). */
export interface CaseDetailRecord extends CaseRef {
  critSit: boolean;
  groupName: string | null;
  notifiedUsers: { ssoUsername: string; title?: string }[];
  reliefAt: Date | null;
  resolvedAt: Date | null;
  entitlementSla: string | null;
  raw: unknown;
}

const upsert = bulkUpserter({
  table: 'case_details',
  entity: 'case_detail',
  key: ['case_number', 'case_created_date'],
  logKey: ['case_number'],
  columns: [
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'case_created_date', field: 'caseCreatedDate', type: 'timestamptz' },
    { name: 'crit_sit', field: 'critSit', type: 'boolean' },
    { name: 'group_name', field: 'groupName', type: 'text' },
    { name: 'notified_users', field: 'notifiedUsers', type: 'jsonb' },
    { name: 'relief_at', field: 'reliefAt', type: 'timestamptz' },
    { name: 'resolved_at', field: 'resolvedAt', type: 'timestamptz' },
    { name: 'entitlement_sla', field: 'entitlementSla', type: 'text' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

/** Upserts case details; details of a case that is not stored are quarantined. */
export function upsertCaseDetails(
  q: Queryable,
  rows: readonly CaseDetailRecord[],
  runId?: string | null,
): Promise<UpsertResult & { quarantined: number }> {
  return upsertCaseChildren(q, rows, {
    upsert,
    source: 'portal.case_detail',
    externalId: (d) => d.caseNumber,
    unknownCaseReason: (d) => `case ${d.caseNumber} is not stored`,
    runId,
  });
}
