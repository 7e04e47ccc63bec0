import { bulkUpserter } from '../bulk-upsert.js';

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
