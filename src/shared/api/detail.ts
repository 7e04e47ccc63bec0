import { z } from 'zod';
import { bool, dateTime, int, nint, nstr, str, strings, type Wire } from './common.js';
import { cardItemSchema, slaSchema } from './tables.js';

// The detail of a case / card (also the table's expanded row).

export const caseInfoSchema = z.strictObject({
  caseNumber: str,
  caseUrl: str,
  createdDate: dateTime,
  severity: str,
  severityOrder: int.optional(),
  account: str,
  summary: str,
  description: str.optional(),
  status: str,
  owner: nstr.optional(),
  product: nstr.optional(),
  productVersion: nstr.optional(),
  tags: strings.optional(),
  bugNumber: nstr.optional(),
  lastUpdate: dateTime.optional(),
  closedDate: dateTime.nullable().optional(),
  daysOpen: nint.optional(),
  sla: slaSchema.optional(),
});

export const caseDetailsSchema = z.strictObject({
  critSit: bool,
  group: nstr,
  notifiedUsers: z.array(z.strictObject({ ssoUsername: str, title: nstr.optional() })),
  reliefAt: dateTime.nullable(),
  resolvedAt: dateTime.nullable(),
  entitlementSla: nstr.optional(),
});

export const commentSchema = z.strictObject({
  source: z.enum(['jira', 'portal']),
  id: str,
  jiraKey: nstr,
  author: nstr,
  body: str,
  format: str.describe('wiki | adf | text: how the UI renders the body (never as raw HTML).'),
  isPublic: bool,
  created: dateTime,
  updated: dateTime,
});

export const bugSchema = z.strictObject({
  id: str,
  url: str,
  summary: nstr,
  severity: nstr,
  priority: nstr,
  status: nstr,
  targetRelease: strings,
  assignee: nstr,
  qaContact: nstr,
  lastChange: dateTime.nullable(),
  linkedAt: dateTime.nullable(),
  unavailable: bool,
  unavailableReason: nstr,
  fetched: bool,
});

export const issueSchema = z.strictObject({
  key: str,
  url: nstr,
  title: nstr,
  type: nstr,
  status: nstr,
  priority: nstr,
  severity: nstr,
  severityLevel: nint,
  severityMismatch: z
    .enum(['lower', 'higher', 'equal'])
    .nullable()
    .describe('The issue severity against the case severity; "lower" is the red highlight.'),
  telcoPriority: nstr,
  telcoPriorityLevel: nint,
  fixVersions: strings.nullable(),
  assignee: nstr,
  qaContact: nstr,
  updated: dateTime.nullable(),
});

export const escalationSchema = z.strictObject({
  key: str,
  url: nstr,
  summary: nstr,
  status: str,
  open: bool,
  updated: dateTime.nullable(),
});

const detailFields = {
  cards: z.array(cardItemSchema),
  case: caseInfoSchema.nullable(),
  details: caseDetailsSchema.nullable(),
  comments: z.array(commentSchema),
  bugs: z.array(bugSchema),
  issues: z.array(issueSchema),
  escalations: z.array(escalationSchema),
};

export const cardDetailSchema = z.strictObject({ card: cardItemSchema, ...detailFields });
export const caseDetailSchema = z.strictObject({ card: cardItemSchema.nullable(), ...detailFields });

export type CaseInfo = Wire<typeof caseInfoSchema>;
export type CaseDetails = Wire<typeof caseDetailsSchema>;
export type Comment = Wire<typeof commentSchema>;
export type Bug = Wire<typeof bugSchema>;
export type Issue = Wire<typeof issueSchema>;
export type Escalation = Wire<typeof escalationSchema>;
/** The detail page reads both: a case's detail may have no card. */
export type Detail = Wire<typeof caseDetailSchema>;

/** A card's JIRA key (PROJECT-123) in the path. */
export const cardKeyParams = z.object({
  key: z
    .string()
    .max(100)
    .regex(/^[A-Za-z][A-Za-z0-9_]*-[0-9]+$/),
});
/** A case number in the path. */
export const caseNumberParams = z.object({
  number: z
    .string()
    .max(12)
    .regex(/^[0-9]{1,12}$/),
});
