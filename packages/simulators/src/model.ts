/**
 * The simulator's in-memory world. Times are epoch milliseconds; each route module formats them in
 * its upstream's own date format. Bulky text (case descriptions, comment threads) is not stored:
 * `SimulatorState` regenerates it deterministically on demand so 100k cases stay small.
 *
 * Terminology: a *case* is a Customer Portal support case; a *card* is the team's Jira issue that
 * tracks one case (summary "<case#>: <problem>"); a *linked issue* is an engineering Jira issue
 * (OCPBUGS-…) attached to a case; an *escalation* is an issue in the escalations project whose
 * SFDC-case-links field names cases; a *bug* is a Bugzilla bug linked to a case.
 */

/** One team member, in the original dashboard's team JSON shape (fed to the app's TEAM config). */
export interface SimTeamMember {
  name: string;
  jira_user: string;
  jira_account_id: string;
  slack_user: string;
  accounts: string[];
  active: boolean;
  notifieduser: boolean;
}

/** A Jira user; `name`/`key` are what Data Center shows, `accountId` what Cloud shows. */
export interface SimUser {
  accountId: string;
  name: string;
  key: string;
  displayName: string;
  email: string;
  active: boolean;
  timeZone: string;
}

export type CaseStatus = 'Waiting on Red Hat' | 'Waiting on Customer' | 'Closed' | 'Open';
export type SeverityLevel = 1 | 2 | 3 | 4;

export interface SimAccount {
  name: string;
  number: string;
  locale: string;
}

export interface SimCase {
  /** Position in `state.cases`; also the key for lazily generated content. */
  index: number;
  number: string;
  account: SimAccount;
  summary: string;
  status: CaseStatus;
  severity: SeverityLevel;
  owner: string;
  contactName: string;
  contactSso: string;
  product: string;
  version: string;
  /** Absent when the case has no tags. */
  tags?: string[];
  /** Emit the tags as one `"a;b"` element (the Solr quirk t5g handles). */
  tagsJoined: boolean;
  bugzillaNumbers: string[];
  created: number;
  lastModified: number;
  closed?: number;
  critSit: boolean;
  groupName?: string;
  groupNumber?: string;
  reliefAt?: number;
  resolvedAt?: number;
  /** The Portal returns resolvedAt/reliefAt as ISO strings for some cases and epoch-ms ints for others. */
  epochTimes: boolean;
  /** Detail, comments and jiras answer 403 for these. */
  forbidden: boolean;
  notifiedUsers: { ssoUsername: string; title: string }[];
  linkedIssueKeys: string[];
  caseType: string;
  /** Generated portal comments are `count` items derived from (seed, number); extras are appended. */
  baseCommentCount: number;
  /** Upper bound for generated comment times (fixed at generation so mutations keep them stable). */
  commentSpanEnd: number;
  extraComments: SimCaseComment[];
}

export interface SimCaseComment {
  id: string;
  caseNumber: string;
  commentBody: string;
  createdBy: string;
  createdByType: 'Associate' | 'Customer';
  isPublic: boolean;
  created: number;
  lastModified: number;
}

export interface SimJiraComment {
  id: string;
  author: SimUser;
  /** Wiki markup; converted to ADF for v3 and to HTML for renderedFields. */
  body: string;
  created: number;
  updated: number;
  visibility?: { type: 'group' | 'role'; value: string };
  /** Who last edited it (the author until someone edits it). */
  updateAuthor?: SimUser;
  /** A generated comment copied into `extraComments` so it can be edited or deleted. */
  generated?: true;
  /** When it was deleted: kept as a tombstone (so ids are never reused) and hidden everywhere. */
  deleted?: number;
}

export interface SimRemoteLink {
  id: number;
  globalId?: string;
  url: string;
  title: string;
}

export interface SimHistory {
  id: string;
  author: SimUser;
  created: number;
  items: { field: string; fromString: string | null; toString: string | null }[];
}

export type IssueRole = 'card' | 'linked' | 'escalation';

export interface SimIssue {
  id: number;
  key: string;
  projectKey: string;
  role: IssueRole;
  summary: string;
  description: string;
  status: string;
  issueType: string;
  priority: string;
  assignee?: SimUser;
  reporter: SimUser;
  labels: string[];
  components: string[];
  fixVersions: string[];
  created: number;
  updated: number;
  resolutionDate?: number;
  /** Resolution a transition screen set; without one a done issue reads as Done (Won't Do when obsolete). */
  resolution?: string;
  /** Values of the custom fields (see constants.ts for ids); undefined means unset. */
  contributors: SimUser[];
  qaContact?: SimUser;
  severity?: string;
  /** Comma-separated string, as the rendered Private Keywords field reads. */
  privateKeywords?: string;
  internalWhiteboard?: string;
  sfdcCaseLinks: string[];
  releaseNoteText?: string;
  storyPoints?: number;
  sprintIds: number[];
  /** Case this card tracks (cards only). */
  caseNumber?: string;
  baseCommentCount: number;
  commentSpanStart: number;
  commentSpanEnd: number;
  extraComments: SimJiraComment[];
  remoteLinks: SimRemoteLink[];
  history: SimHistory[];
}

export interface SimSprint {
  id: number;
  name: string;
  state: 'closed' | 'active' | 'future';
  start: number;
  end: number;
  complete?: number;
  boardId: number;
  goal: string;
}

export interface SimBoard {
  id: number;
  name: string;
  type: 'scrum' | 'kanban';
  projectKey: string;
}

export interface SimProject {
  id: string;
  key: string;
  name: string;
  issueTypes: string[];
  components: string[];
  /** Custom fields present on this project's issues (others are omitted, like a field not on the screen). */
  fields: readonly string[];
}

/** 'public' bugs anyone can read, 'internal' need an API key, 'private' nobody here may read. */
export type BugVisibility = 'public' | 'internal' | 'private';

export interface SimBug {
  id: number;
  summary: string;
  status: string;
  resolution: string;
  severity: string;
  priority: string;
  product: string;
  component: string[];
  version: string[];
  targetRelease: string[];
  assignedTo: string;
  qaContact: string;
  created: number;
  lastChange: number;
  keywords: string[];
  whiteboard: string;
  internalWhiteboard: string;
  visibility: BugVisibility;
  caseNumbers: string[];
  pmScore: number;
  docType: string;
  /** Comments added through the API (`PUT … comment`); the generated bugs start without any. */
  comments?: SimBugComment[];
}

export interface SimBugComment {
  id: number;
  text: string;
  creator: string;
  isPrivate: boolean;
  time: number;
}

export interface SimMail {
  id: number;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  headers: Record<string, string>;
  subject: string;
  from: string;
  to: string;
  text: string;
  html?: string;
  raw: string;
}

export interface SimSlackMessage {
  channel: string;
  channelName: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: unknown;
  via: 'web-api' | 'webhook';
  postedAt: string;
}
