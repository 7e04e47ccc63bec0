import { z } from 'zod';
import { bool, counts, int, mapOf, nstr, str, strings } from './common.js';

// The original dashboard's JSON shapes (`/api/*`), kept for the scripts that read them. Dates here
// are the original's strings, not ISO date-times.

const anyList = z.array(z.unknown()).nullable();

export const legacyBugSchema = z.strictObject({
  bugzillaLink: str,
  bugzillaNumber: str,
  caseNumber: str,
  linkedAt: nstr,
  status: nstr,
  summary: nstr,
  target_release: strings,
  assignee: nstr,
  last_change_time: nstr,
  internal_whiteboard: nstr,
  qa_contact: nstr,
  severity: nstr,
});

export const legacyIssueSchema = z.strictObject({
  id: str,
  url: nstr,
  title: nstr,
  status: nstr,
  updated: nstr,
  qa_contact: nstr,
  jira_severity: nstr,
  jira_type: nstr,
  assignee: nstr,
  fix_versions: anyList,
  priority: nstr,
  private_keywords: anyList,
});

const userSchema = z.strictObject({ displayName: nstr, accountId: nstr, emailAddress: nstr });

export const legacyCardSchema = z.strictObject({
  card_status: str,
  card_created: str,
  account: nstr,
  summary: str,
  description: nstr,
  comments: z.array(z.array(str)).describe('[body, updated], oldest first'),
  assignee: userSchema,
  contributor: z.array(userSchema),
  case_number: nstr,
  tags: strings,
  labels: strings,
  bugzilla: z.array(legacyBugSchema).nullable(),
  issues: z.array(legacyIssueSchema).nullable(),
  severity: nstr,
  priority: nstr,
  escalated: bool,
  escalated_link: nstr,
  potential_escalation: bool,
  daily_telco: bool,
  product: nstr,
  case_status: nstr,
  crit_sit: bool,
  group_name: nstr,
  case_updated_date: nstr,
  case_days_open: int.nullable(),
  case_created: nstr,
  notified_users: z.array(z.unknown()),
  relief_at: nstr,
  resolved_at: nstr,
});

export const legacyCaseSchema = z.strictObject({
  account: str,
  createdate: str,
  description: str,
  last_update: str,
  owner: nstr,
  problem: str,
  product: nstr.optional(),
  product_version: nstr.optional(),
  severity: str.describe('"2 (High)"'),
  status: str,
  bug: str.optional(),
  tags: strings.optional(),
  closeddate: str.optional(),
});

export const legacyDetailSchema = z.strictObject({
  crit_sit: bool,
  group_name: nstr,
  notified_users: z.array(z.unknown()),
  relief_at: nstr,
  resolved_at: nstr,
});

export const legacyStatsSchema = z.strictObject({
  by_customer: counts,
  by_engineer: counts,
  by_severity: counts,
  by_status: counts,
  high_prio: int,
  escalated: int,
  open_cases: int,
  weekly_closed_cases: int,
  weekly_opened_cases: int,
  daily_closed_cases: int,
  daily_opened_cases: int,
  no_updates: int,
  no_bzs: int,
  bugs: z.strictObject({ unique: int, no_target: int }),
  crit_sit: int,
  total_escalations: int,
});

export const legacyEndpointsSchema = z.strictObject({ endpoints: strings });

export const legacyCardsSchema = mapOf(legacyCardSchema);
export const legacyCasesSchema = mapOf(legacyCaseSchema);
export const legacyDetailsSchema = mapOf(legacyDetailSchema);
export const legacyBugsSchema = mapOf(z.array(legacyBugSchema));
export const legacyIssuesSchema = mapOf(z.array(legacyIssueSchema));
export const legacyEscalationsSchema = z.array(str);
