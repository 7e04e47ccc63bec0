// The JSON the dashboard reads, as served by /api/v1 (see the route schemas in src/api/schemas).
// Type-only imports of server types are erased by the build; they are used where the JSON has the
// server type's exact shape (no dates).

import type { CaseStats } from '../store/repositories/stats.js';

export type Sla = 'none' | 'warning' | 'breach';
export type PrioList = 'yes' | 'potentially' | 'no';

export interface LastComment {
  date: string;
  body: string;
  format: string;
  author: string | null;
}

export interface CardItem {
  key: string;
  jiraUrl: string | null;
  caseNumber: string | null;
  caseUrl: string | null;
  caseCreated: string | null;
  severity: string | null;
  severityOrder: number;
  prioList: PrioList;
  escalationUrl: string | null;
  critSit: boolean;
  summary: string;
  product: string | null;
  productVersion: string | null;
  account: string | null;
  caseStatus: string | null;
  internalStatus: string;
  assignee: string | null;
  contributors: string[];
  priority: string | null;
  lastComment: LastComment | null;
  daysOpen: number | null;
  sla: Sla;
  caseLastUpdated: string | null;
  cardUpdated: string;
  dailyTelco: boolean;
  trends: boolean;
  labels: string[];
}

export interface CaseItem {
  caseNumber: string;
  caseUrl: string;
  createdDate: string;
  severity: string;
  severityOrder: number;
  account: string;
  summary: string;
  status: string;
  owner: string | null;
  product: string | null;
  productVersion: string | null;
  lastUpdate: string;
  closedDate: string | null;
  critSit: boolean;
  prioList: PrioList;
  daysOpen: number | null;
  sla: Sla;
  card: {
    key: string;
    jiraUrl: string | null;
    internalStatus: string;
    assignee: string | null;
    lastCommentAt: string | null;
  } | null;
  dailyTelco: boolean;
  trends: boolean;
}

export interface FacetCount {
  value: string | null;
  count: number;
}
export type Facets = Record<string, FacetCount[]>;

export interface TableResponse<T> {
  items: T[];
  total: number;
  facets: Facets;
}

export interface Comment {
  source: 'jira' | 'portal';
  id: string;
  jiraKey: string | null;
  author: string | null;
  body: string;
  format: string;
  isPublic: boolean;
  created: string;
  updated: string;
}

export interface Bug {
  id: string;
  url: string;
  summary: string | null;
  severity: string | null;
  priority: string | null;
  status: string | null;
  targetRelease: string[];
  assignee: string | null;
  qaContact: string | null;
  lastChange: string | null;
  linkedAt: string | null;
  unavailable: boolean;
  unavailableReason: string | null;
  fetched: boolean;
}

export interface Issue {
  key: string;
  url: string | null;
  title: string | null;
  type: string | null;
  status: string | null;
  priority: string | null;
  severity: string | null;
  severityLevel: number | null;
  severityMismatch: 'lower' | 'higher' | 'equal' | null;
  telcoPriority: string | null;
  telcoPriorityLevel: number | null;
  fixVersions: string[] | null;
  assignee: string | null;
  qaContact: string | null;
  updated: string | null;
}

export interface Escalation {
  key: string;
  url: string | null;
  summary: string | null;
  status: string;
  open: boolean;
  updated: string | null;
}

export interface CaseInfo {
  caseNumber: string;
  caseUrl: string;
  createdDate: string;
  severity: string;
  severityOrder?: number;
  account: string;
  summary: string;
  description?: string;
  status: string;
  owner?: string | null;
  product?: string | null;
  productVersion?: string | null;
  tags?: string[];
  bugNumber?: string | null;
  lastUpdate?: string;
  closedDate?: string | null;
  daysOpen?: number | null;
  sla?: Sla;
}

export interface CaseDetails {
  critSit: boolean;
  group: string | null;
  notifiedUsers: { ssoUsername: string; title: string | null }[];
  reliefAt: string | null;
  resolvedAt: string | null;
  entitlementSla?: string | null;
}

export interface Detail {
  card: CardItem | null;
  cards: CardItem[];
  case: CaseInfo | null;
  details: CaseDetails | null;
  comments: Comment[];
  bugs: Bug[];
  issues: Issue[];
  escalations: Escalation[];
}

export interface ReportBug {
  id: string;
  url: string;
  summary: string | null;
  targetRelease: string[];
  assignee: string | null;
  qaContact: string | null;
  lastChange: string | null;
  status: string | null;
  severity: string | null;
}

export interface ReportCard extends CardItem {
  bugs: ReportBug[];
  comments: LastComment[];
}
export interface WeeklyCard extends CardItem {
  comment: LastComment | null;
}

export interface Grouped<C> {
  account: string | null;
  statuses: { status: string | null; cards: C[] }[];
}

export interface Report {
  kind: 'recent' | 'all' | 'trends';
  total: number;
  limit: number;
  offset: number;
  accounts: Grouped<ReportCard>[];
}

export interface Weekly {
  from: string;
  to: string;
  total: number;
  limit: number;
  offset: number;
  accounts: Grouped<WeeklyCard>[];
}

/** The live metrics: the server's own type (numbers only, so the JSON has the same shape). */
export type Stats = CaseStats;

export interface Duration {
  count: number;
  mean: number | null;
  median: number | null;
  buckets: { fromDays: number; toDays: number | null; count: number }[];
}
export interface Outcomes {
  relief: Record<string, Duration>;
  resolution: Record<string, Duration>;
}

export interface History {
  from: string;
  to: string;
  days: string[];
  series: Record<string, (number | null)[]>;
  account: string | null;
  engineer: string | null;
}

export interface NewCase {
  caseNumber: string;
  caseUrl: string;
  createdDate: string;
  severity: string;
  severityOrder: number;
  account: string;
  summary: string;
  status: string;
  jiraKey: string | null;
  jiraUrl: string | null;
}

export interface StatusCounts {
  total: number;
  counts: { status: string; count: number }[];
}

export interface AccountSummary {
  name: string;
  cases: number;
  openCases: number;
  highPriority: number;
  escalated: number;
  critSit: number;
  cards: number;
  lastUpdate: string | null;
}

export interface EngineerSummary {
  name: string;
  cards: number;
  openCards: number;
  highPriority: number;
  escalated: number;
  critSit: number;
  lastCommentAt: string | null;
  team?: boolean;
  active?: boolean | null;
}

export interface LinkRow {
  kind: 'bug' | 'issue';
  id: string;
  url: string | null;
  summary: string | null;
  priority: string | null;
  severity: string | null;
  targetRelease: string[];
  assignee: string | null;
  qaContact: string | null;
  updated: string | null;
  status: string | null;
  caseNumber: string;
}

export interface PersonPage {
  name: string;
  summary: AccountSummary | EngineerSummary;
  team?: boolean;
  stats: Stats;
  outcomes: Outcomes;
  cardsBySeverity: Record<string, number>;
  cardsByCaseStatus: Record<string, number>;
  bugs?: LinkRow[];
}

export interface SearchHit {
  kind: 'case' | 'comment' | 'jira_comment';
  caseNumber: string;
  caseUrl: string;
  jiraKey: string | null;
  jiraUrl: string | null;
  title: string | null;
  account: string | null;
  status: string | null;
  date: string;
  rank: number;
  /** Escaped text with the matches in <mark>…</mark>; rendered by parsing, never as HTML. */
  snippet: string;
}

export interface Run {
  id: string;
  job: string;
  trigger: 'schedule' | 'manual' | 'startup';
  status: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  fetched?: number;
  changed?: number;
  quarantined?: number;
  upstreamRequests?: number;
  progress: { current?: number; total?: number; phase?: string };
  error: string | null;
}

export interface SourceFreshness {
  job: string;
  lastSuccessAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
}

export interface Meta {
  demo: boolean;
  readOnly: boolean;
  jiraUrl: string | null;
  canRefresh: boolean;
  refreshable: string[];
  adminJobs: string[];
  sources: SourceFreshness[];
  activeRefresh: Run | null;
  serverTime: string;
}

export interface Quarantined {
  id: number;
  source: string;
  externalId: string;
  reason: string;
  payload: unknown;
  firstSeen: string;
  lastSeen: string;
  occurrences: number;
  runId: string | null;
  resolvedAt: string | null;
}
