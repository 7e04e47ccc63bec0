// The dashboard's domain words, declared once for the server and the UI alike.

/** Case severities from most to least severe (the Portal's 1 … 4). */
export const SEVERITIES = ['Urgent', 'High', 'Normal', 'Low'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** The Portal's severity number: 1 is Urgent … 4 is Low. */
export type SeverityNumber = 1 | 2 | 3 | 4;

/** The Portal's number of a severity (Urgent 1 … Low 4). */
export const severityNumber = (label: Severity): SeverityNumber =>
  (SEVERITIES.indexOf(label) + 1) as SeverityNumber;

/** Urgent and High: the "high priority" cases, and the Slack channel for urgent news. */
export const HIGH_SEVERITIES: readonly Severity[] = ['Urgent', 'High'];

/** The case statuses the rules name (a case may carry any other status too). */
export const CASE_STATUS = {
  closed: 'Closed',
  waitingOnRedHat: 'Waiting on Red Hat',
  waitingOnCustomer: 'Waiting on Customer',
} as const;

/** The reports' group order of case statuses; any other status follows them. */
export const CASE_STATUS_GROUP_ORDER = [
  CASE_STATUS.waitingOnRedHat,
  CASE_STATUS.waitingOnCustomer,
  CASE_STATUS.closed,
] as const;

/** The card's internal statuses in workflow order; any other status found follows, alphabetically. */
export const INTERNAL_STATUSES = [
  'New',
  'Backlog',
  'Debugging',
  'Eng Working',
  'Backport',
  'Ready To Close',
  'Done',
  'Blocked',
] as const;
/** The internal status of a finished card. */
export const INTERNAL_STATUS_DONE = 'Done';
/** What a case's card shows when its internal status is not known. */
export const INTERNAL_STATUS_UNKNOWN = 'Unknown';

/** On the prio-list (an open escalation), "potentially" (the PotentialEscalation label), or not. */
export const PRIO_LIST_STATES = ['yes', 'potentially', 'no'] as const;
export type PrioListState = (typeof PRIO_LIST_STATES)[number];

export const YES_NO = ['yes', 'no'] as const;
export type YesNo = (typeof YES_NO)[number];

/** Card labels with a meaning, as facet values. */
export const CARD_LABELS = ['Trends', 'Daily Telco', 'Potential Escalation'] as const;
export type CardLabel = (typeof CARD_LABELS)[number];

/** The Days Open badge. */
export const SLA_LEVELS = ['none', 'warning', 'breach'] as const;
export type SlaLevel = (typeof SLA_LEVELS)[number];

/** "Recent" as in the original's recent-updates views: a JIRA comment updated in the last 7 days. */
export const RECENT_DAYS = 7;

/** A sync run's states, and what started it. */
export const RUN_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed'] as const;
/** `retry`: a person retried a failed run from the job monitor (a new run of its job, same parameters). */
export const RUN_TRIGGERS = ['schedule', 'manual', 'startup', 'retry'] as const;

/** Upstreams that push changes to t5g as webhooks (besides being polled). */
export const WEBHOOK_SOURCES = ['jira'] as const;
/**
 * What became of a verified webhook delivery: stored (`applied`), not newer than the stored record
 * (`stale`: nothing changed), not a record t5g tracks (`ignored`), an issue deleted upstream (kept,
 * listed: `deleted`), an invalid record (`quarantined`).
 */
export const WEBHOOK_OUTCOMES = ['applied', 'stale', 'ignored', 'deleted', 'quarantined'] as const;

/** The sync jobs whose freshness the header and readiness report, in the order they are shown. */
export const SYNCED_SOURCES = [
  'cases',
  'details',
  'cards',
  'issues',
  'bugs',
  'escalations',
  'stats',
] as const;
export type SyncedSource = (typeof SYNCED_SOURCES)[number];

/**
 * Sources whose data the Redis mirror can take over from t5g's own sync (each is also the name of
 * the job that syncs it upstream); while mirrored, that job is off and the UI names the mirror.
 */
export const MIRROR_SOURCES = SYNCED_SOURCES;
export type MirrorSource = SyncedSource;
/** The original dashboard's Redis keys the mirror reads, in the order a full sync writes them. */
export const MIRROR_KEYS = [
  'cases',
  'details',
  'case_bz',
  'bugs',
  'issues',
  'escalations',
  'cards',
  'stats',
  'users',
  'timestamp',
] as const;
export type MirrorKey = (typeof MIRROR_KEYS)[number];

/** The roles of a signed-in user, lowest first: each may do everything the ones before it may. */
export const USER_ROLES = ['viewer', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Whether `have` includes what `need` may do (no role includes nothing). */
export const roleIncludes = (have: UserRole | null | undefined, need: UserRole) =>
  have != null && USER_ROLES.indexOf(have) >= USER_ROLES.indexOf(need);

/** What global search finds: records by their identifier, people by name, and full-text matches. */
export const SEARCH_KINDS = [
  'case',
  'card',
  'bug',
  'engineer',
  'account',
  'comment',
  'jira_comment',
] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];
