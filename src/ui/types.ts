// The JSON the dashboard reads, as served by /api/v1: the shared schemas' wire types (dates as ISO
// strings), so the UI and the API cannot disagree on a shape.

export type {
  ApiToken,
  ApiTokenList,
  AuditList,
  CreatedApiToken,
  Logout,
  Me,
  UserItem,
  UserList,
} from '../shared/api/auth.js';
export type {
  Bug,
  CaseDetails,
  CaseInfo,
  Comment,
  Detail,
  Escalation,
  Issue,
} from '../shared/api/detail.js';
export type { NewCase, NewCases, StatusCounts } from '../shared/api/home.js';
export type { MirrorCompare, MirrorStatus, MirrorSync } from '../shared/api/mirror.js';
export type {
  AccountList,
  AccountPageData,
  AccountSummary,
  EngineerList,
  EngineerPageData,
  EngineerSummary,
  LinkRow,
} from '../shared/api/people.js';
export type { Grouped, Report, ReportBug, ReportCard, Weekly, WeeklyCard } from '../shared/api/reports.js';
export type { SearchHit, SearchResult } from '../shared/api/search.js';
export type { Duration, History, Outcomes, Stats } from '../shared/api/stats.js';
export type {
  Accepted,
  AcceptedAll,
  JobMonitor,
  Meta,
  MonitoredJob,
  Quarantined,
  QuarantineList,
  QuarantineReasons,
  Run,
  RunList,
  RunOutcome,
  RunProgressEvent,
} from '../shared/api/sync.js';
export type {
  CardItem,
  CaseItem,
  FacetCount,
  Facets,
  LastComment,
  PrioList,
  Sla,
  TableResponse,
} from '../shared/api/tables.js';
export type { WebhookResult, WebhookSourceStatus, WebhookStatus } from '../shared/api/webhooks.js';
