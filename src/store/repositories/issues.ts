import { bulkPatcher, bulkUpserter } from '../bulk-upsert.js';
import type { CaseRef } from './case-parents.js';

/** A JIRA issue in another project linked to a case (e.g. OCPBUGS-123). */
export interface IssueRecord {
  issueKey: string;
  url: string | null;
  title: string | null;
  status: string | null;
  updatedAt: Date | null;
  qaContact: string | null;
  severity: string | null;
  issueType: string | null;
  assignee: string | null;
  fixVersions: string[] | null;
  priority: string | null;
  privateKeywords: string[] | null;
  raw: unknown;
}

export const upsertIssues = bulkUpserter({
  table: 'issues',
  entity: 'issue',
  key: ['issue_key'],
  columns: [
    { name: 'issue_key', field: 'issueKey', type: 'text' },
    { name: 'url', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'updated_at', field: 'updatedAt', type: 'timestamptz' },
    { name: 'qa_contact', field: 'qaContact', type: 'text' },
    { name: 'severity', type: 'text' },
    { name: 'issue_type', field: 'issueType', type: 'text' },
    { name: 'assignee', type: 'text' },
    { name: 'fix_versions', field: 'fixVersions', type: 'text[]' },
    { name: 'priority', type: 'text' },
    { name: 'private_keywords', field: 'privateKeywords', type: 'text[]' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

/** An issue's private keywords after JIRA took the new ones (bug tagging). */
export const patchIssueKeywords = bulkPatcher({
  table: 'issues',
  entity: 'issue',
  key: ['issue_key'],
  columns: [
    { name: 'issue_key', field: 'issueKey', type: 'text' },
    { name: 'private_keywords', field: 'privateKeywords', type: 'text[]' },
  ],
});

/** The Portal's link between a case and a JIRA issue (`/cases/{n}/jiras`). */
export interface CaseIssueLink extends CaseRef {
  issueKey: string;
  url: string | null;
  title: string | null;
  portalStatus: string | null;
  lastModifiedAt: Date | null;
}

export const upsertCaseIssueLinks = bulkUpserter({
  table: 'case_issues',
  entity: 'case_issue',
  key: ['case_number', 'case_created_date', 'issue_key'],
  logKey: ['case_number', 'issue_key'],
  touchColumn: null,
  columns: [
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'case_created_date', field: 'caseCreatedDate', type: 'timestamptz' },
    { name: 'issue_key', field: 'issueKey', type: 'text' },
    { name: 'url', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'portal_status', field: 'portalStatus', type: 'text' },
    { name: 'last_modified_at', field: 'lastModifiedAt', type: 'timestamptz' },
  ],
});
