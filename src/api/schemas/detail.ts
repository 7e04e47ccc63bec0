import { bool, dateTime, int, ndateTime, nint, nstr, obj, str, strings } from './common.js';
import { cardItemSchema } from './tables.js';

// The detail of a case / card (also the table's expanded row).

const nstrings = { type: ['array', 'null'], items: str } as const;

export const caseInfoSchema = {
  type: ['object', 'null'],
  properties: {
    caseNumber: str,
    caseUrl: str,
    createdDate: dateTime,
    severity: str,
    severityOrder: int,
    account: str,
    summary: str,
    description: str,
    status: str,
    owner: nstr,
    product: nstr,
    productVersion: nstr,
    tags: strings,
    bugNumber: nstr,
    lastUpdate: dateTime,
    closedDate: ndateTime,
    daysOpen: nint,
    sla: { type: 'string', enum: ['none', 'warning', 'breach'] },
  },
  required: ['caseNumber', 'caseUrl', 'createdDate', 'severity', 'account', 'summary', 'status'],
} as const;

export const detailsSchema = {
  type: ['object', 'null'],
  properties: {
    critSit: bool,
    group: nstr,
    notifiedUsers: { type: 'array', items: obj({ ssoUsername: str, title: nstr }, ['ssoUsername']) },
    reliefAt: ndateTime,
    resolvedAt: ndateTime,
    entitlementSla: nstr,
  },
  required: ['critSit', 'group', 'notifiedUsers', 'reliefAt', 'resolvedAt'],
} as const;

export const commentSchema = obj({
  source: { type: 'string', enum: ['jira', 'portal'] },
  id: str,
  jiraKey: nstr,
  author: nstr,
  body: str,
  format: {
    type: 'string',
    description: 'wiki | adf | text: how the UI renders the body (never as raw HTML).',
  },
  isPublic: bool,
  created: dateTime,
  updated: dateTime,
});

export const bugSchema = obj({
  id: str,
  url: str,
  summary: nstr,
  severity: nstr,
  priority: nstr,
  status: nstr,
  targetRelease: strings,
  assignee: nstr,
  qaContact: nstr,
  lastChange: ndateTime,
  linkedAt: ndateTime,
  unavailable: bool,
  unavailableReason: nstr,
  fetched: bool,
});

export const issueSchema = obj({
  key: str,
  url: nstr,
  title: nstr,
  type: nstr,
  status: nstr,
  priority: nstr,
  severity: nstr,
  severityLevel: nint,
  severityMismatch: {
    type: ['string', 'null'],
    enum: ['lower', 'higher', 'equal', null],
    description: 'The issue severity against the case severity; "lower" is the red highlight.',
  },
  telcoPriority: nstr,
  telcoPriorityLevel: nint,
  fixVersions: nstrings,
  assignee: nstr,
  qaContact: nstr,
  updated: ndateTime,
});

export const escalationSchema = obj({
  key: str,
  url: nstr,
  summary: nstr,
  status: str,
  open: bool,
  updated: ndateTime,
});

const detailProperties = {
  cards: { type: 'array', items: cardItemSchema },
  case: caseInfoSchema,
  details: detailsSchema,
  comments: { type: 'array', items: commentSchema },
  bugs: { type: 'array', items: bugSchema },
  issues: { type: 'array', items: issueSchema },
  escalations: { type: 'array', items: escalationSchema },
};

export const cardDetailSchema = obj({ card: cardItemSchema, ...detailProperties });

export const caseDetailSchema = obj({
  card: { ...cardItemSchema, type: ['object', 'null'] },
  ...detailProperties,
});
