import type { CardRecord } from '../../src/store/repositories/cards.js';
import type { CaseRecord } from '../../src/store/repositories/cases.js';
import type { CommentRecord } from '../../src/store/repositories/comments.js';

export function makeCase(n: number, overrides: Partial<CaseRecord> = {}): CaseRecord {
  const caseNumber = String(4_000_0000 + n).padStart(8, '0');
  return {
    caseNumber,
    createdDate: new Date(Date.UTC(2026, 0, 1 + (n % 300), 10, 0, 0)),
    owner: `Engineer ${n % 5}`,
    severity: ((n % 4) + 1) as 1 | 2 | 3 | 4,
    severityLabel: (['Urgent', 'High', 'Normal', 'Low'] as const)[n % 4]!,
    account: `Account ${n % 7}`,
    summary: `Case ${n} summary`,
    status: n % 3 === 0 ? 'Closed' : 'Waiting on Red Hat',
    lastUpdate: new Date(Date.UTC(2026, 10, 1, 12, 0, n % 60)),
    description: `Description of case ${n}`,
    product: 'OpenShift Container Platform 4.18',
    productVersion: '4.18',
    tags: ['shift_telco5g'],
    bugNumber: null,
    closedDate: null,
    raw: { case_number: caseNumber, n },
    ...overrides,
  };
}

export function makeComment(c: CaseRecord, i: number, overrides: Partial<CommentRecord> = {}): CommentRecord {
  return {
    commentId: `a0a${c.caseNumber}x${i}`,
    caseNumber: c.caseNumber,
    caseCreatedDate: c.createdDate,
    author: 'Support Engineer',
    authorType: 'Associate',
    body: `Comment ${i} on ${c.caseNumber}`,
    isPublic: true,
    commentedAt: new Date(c.createdDate.getTime() + (i + 1) * 3_600_000),
    lastModifiedAt: null,
    ...overrides,
  };
}

export function makeCard(c: CaseRecord, overrides: Partial<CardRecord> = {}): CardRecord {
  return {
    jiraKey: `KNIECO-${Number(c.caseNumber) % 100000}`,
    caseNumber: c.caseNumber,
    caseCreatedDate: c.createdDate,
    summary: `${c.caseNumber}: ${c.summary}`,
    statusRaw: 'In Progress',
    status: 'Eng Working',
    priority: 'Major',
    assigneeName: 'Jane Doe',
    assignee: { displayName: 'Jane Doe', accountId: 'acc-1' },
    contributors: [],
    labels: ['field'],
    sprint: 'T5GFE Sprint 1',
    createdAt: c.createdDate,
    updatedAt: c.lastUpdate,
    raw: { key: c.caseNumber },
    ...overrides,
  };
}
