import type { Severity as SeverityLabel } from '../../shared/vocabulary.js';
import { bulkPatcher, bulkUpserter } from '../bulk-upsert.js';
import type { Queryable } from '../db.js';

export type { SeverityLabel };

export interface CaseRecord {
  caseNumber: string;
  createdDate: Date;
  owner: string | null;
  /** 1 (Urgent) … 4 (Low), as in the Portal's "2 (High)". */
  severity: 1 | 2 | 3 | 4;
  severityLabel: SeverityLabel;
  account: string;
  summary: string;
  status: string;
  lastUpdate: Date;
  description: string;
  product: string | null;
  productVersion: string | null;
  tags: string[];
  bugNumber: string | null;
  closedDate: Date | null;
  raw: unknown;
}

export const upsertCases = bulkUpserter({
  table: 'cases',
  entity: 'case',
  key: ['case_number', 'created_date'],
  logKey: ['case_number'],
  columns: [
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'created_date', field: 'createdDate', type: 'timestamptz' },
    { name: 'owner', type: 'text' },
    { name: 'severity', type: 'smallint' },
    { name: 'severity_label', field: 'severityLabel', type: 'text' },
    { name: 'account', type: 'text' },
    { name: 'summary', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'last_update', field: 'lastUpdate', type: 'timestamptz' },
    { name: 'description', type: 'text' },
    { name: 'product', type: 'text' },
    { name: 'product_version', field: 'productVersion', type: 'text' },
    { name: 'tags', type: 'text[]' },
    { name: 'bug_number', field: 'bugNumber', type: 'text' },
    { name: 'closed_date', field: 'closedDate', type: 'timestamptz' },
    { name: 'raw', type: 'jsonb', logAsFlag: true },
  ],
});

/** The JIRA key of the card card creation made for a case; the cases sync leaves `fe_jira_card` alone. */
export const patchCaseCard = bulkPatcher({
  table: 'cases',
  entity: 'case',
  key: ['case_number', 'created_date'],
  logKey: ['case_number'],
  touchColumn: null,
  columns: [
    { name: 'case_number', field: 'caseNumber', type: 'text' },
    { name: 'created_date', field: 'createdDate', type: 'timestamptz' },
    { name: 'fe_jira_card', field: 'feJiraCard', type: 'text' },
  ],
});

export interface CaseSearchHit {
  caseNumber: string;
  summary: string;
  account: string;
  status: string;
  rank: number;
  /** Matching words wrapped in <mark>…</mark>; everything else is escaped by the caller before display. */
  snippet: string;
}

/** Full-text search over case number, summary, account, product and description, best match first. */
export async function searchCases(q: Queryable, text: string, limit = 20): Promise<CaseSearchHit[]> {
  const r = await q.query<CaseSearchHit>(
    `SELECT case_number AS "caseNumber", summary, account, status,
            ts_rank(search_vector, query)::float8 AS rank,
            ts_headline('english', summary || ' — ' || left(description, 2000), query,
                        'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=20, MinWords=5') AS snippet
     FROM cases, websearch_to_tsquery('english', $1) AS query
     WHERE search_vector @@ query
     ORDER BY rank DESC, last_update DESC
     LIMIT $2`,
    [text, limit],
  );
  return r.rows;
}
