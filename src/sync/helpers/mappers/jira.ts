import type { Config } from '../../../config/config.js';
import { jiraBrowseUrl } from '../../../shared/rules.js';
import { SEVERITIES, type Severity } from '../../../shared/vocabulary.js';
import type {
  Escalation,
  JiraCard,
  JiraComment,
  JiraSprintRef,
  JiraUser,
  LinkedIssue,
} from '../../../sources/index.js';
import type { CardRecord, JiraUser as StoredJiraUser } from '../../../store/repositories/cards.js';
import type { CaseRef } from '../../../store/repositories/case-parents.js';
import type { EscalationRecord } from '../../../store/repositories/escalations.js';
import type { IssueRecord } from '../../../store/repositories/issues.js';
import type { JiraCommentRecord } from '../../../store/repositories/jira-comments.js';

// JIRA connector records → store records. Pure functions: no I/O, no clock. The connector has
// already validated and normalized both flavors (Cloud/DC), so what is left is naming, the
// flavor-specific user id and which of several values the store keeps.

export type JiraFlavorName = Config['jira']['flavor'];

/** The connector's user id is the Cloud accountId or the DC user name; the store keeps it under that name. */
export function toStoredUser(user: JiraUser, flavor: JiraFlavorName): StoredJiraUser {
  return {
    displayName: user.displayName,
    ...(flavor === 'cloud' ? { accountId: user.id } : { name: user.id }),
    ...(user.email ? { emailAddress: user.email } : {}),
  };
}

/**
 * The sprint a card is in now: the active one if any, else the last one listed (JIRA lists a
 * card's sprints oldest first). The original stored `str(sprints[0])`, i.e. the oldest.
 */
export function currentSprint(sprints: readonly JiraSprintRef[]): string | null {
  const active = sprints.find((s) => s.state?.toLowerCase() === 'active');
  return (active ?? sprints.at(-1))?.name ?? null;
}

/**
 * The raw issue without its embedded comment list: comments are stored whole in `jira_comments`,
 * and the embedded list is truncated anyway, so keeping it would only duplicate (and mislead).
 */
export function rawWithoutComments(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const issue = raw as { fields?: unknown };
  if (!issue.fields || typeof issue.fields !== 'object') return raw;
  const { comment: _comment, ...fields } = issue.fields as Record<string, unknown>;
  return { ...issue, fields };
}

/**
 * A card; `caseRef` is its case as stored (resolved by the summary's case number), or null. A card
 * whose case is not stored keeps the summary's case number with no creation date (the foreign key
 * does not check a half-null reference), so it still shows and links its case and is joined to it
 * once the case is stored.
 */
export function toCardRecord(card: JiraCard, caseRef: CaseRef | null, flavor: JiraFlavorName): CardRecord {
  return {
    jiraKey: card.key,
    caseNumber: caseRef?.caseNumber ?? card.caseNumber ?? null,
    caseCreatedDate: caseRef?.caseCreatedDate ?? null,
    summary: card.summary,
    statusRaw: card.status,
    status: card.internalStatus,
    priority: card.priority ?? null,
    assigneeName: card.assignee?.displayName ?? null,
    assignee: card.assignee ? toStoredUser(card.assignee, flavor) : null,
    contributors: card.contributors.map((u) => toStoredUser(u, flavor)),
    labels: card.labels,
    sprint: currentSprint(card.sprints),
    ...statedCase(card.description),
    createdAt: card.createdAt,
    updatedAt: card.updatedAt,
    raw: rawWithoutComments(card.raw),
  };
}

// The lines card creation writes into a card's description (the original dashboard's wording,
// which cards created by it carry too). The severity reads "2 (High)" or "High".
const STATED_SEVERITY = /had a severity of\s+(?:\d\s*\()?(Urgent|High|Normal|Low)\b/i;
const STATED_ACCOUNT = /The account for the case is[ \t]+([^\r\n]+)/;
const STATED_STATUS = /The case had an internal status of:[ \t]*([^\r\n]+)/;

/**
 * What a card's description says about its case: severity, account and case status as they were
 * when the card was created. Each is null when the description does not say.
 */
export function statedCase(description: string): {
  statedSeverity: Severity | null;
  statedAccount: string | null;
  statedCaseStatus: string | null;
} {
  const severity = STATED_SEVERITY.exec(description)?.[1];
  const label = severity
    ? (SEVERITIES.find((s) => s.toLowerCase() === severity.toLowerCase()) ?? null)
    : null;
  return {
    statedSeverity: label,
    statedAccount: STATED_ACCOUNT.exec(description)?.[1]?.trim() || null,
    statedCaseStatus: STATED_STATUS.exec(description)?.[1]?.trim() || null,
  };
}

/**
 * A card comment. Cloud bodies arrive as ADF and the connector flattens them to plain text; DC
 * bodies are wiki markup as JIRA stores them.
 */
export function toJiraCommentRecord(
  comment: JiraComment,
  caseRef: CaseRef | null,
  flavor: JiraFlavorName,
): JiraCommentRecord {
  return {
    jiraCommentId: comment.id,
    jiraKey: comment.issueKey,
    caseNumber: caseRef?.caseNumber ?? null,
    caseCreatedDate: caseRef?.caseCreatedDate ?? null,
    author: comment.author?.displayName ?? null,
    body: comment.body,
    bodyFormat: flavor === 'cloud' ? 'text' : 'wiki',
    createdAt: comment.createdAt,
    lastUpdateDate: comment.updatedAt,
  };
}

/** The original showed e-mail addresses for an issue's assignee and QA contact; a name when there is none. */
const userLabel = (user: JiraUser | undefined): string | null => user?.email ?? user?.displayName ?? null;

export function toIssueRecord(issue: LinkedIssue): IssueRecord {
  return {
    issueKey: issue.key,
    url: issue.url,
    title: issue.summary || null,
    status: issue.status ?? null,
    updatedAt: issue.updatedAt ?? null,
    qaContact: userLabel(issue.qaContact),
    severity: issue.severity ?? null,
    issueType: issue.type ?? null,
    assignee: userLabel(issue.assignee),
    fixVersions: issue.fixVersions,
    priority: issue.priority ?? null,
    privateKeywords: issue.privateKeywords ?? null,
    raw: issue.raw,
  };
}

/** The search asks only for status and the case-links field, so there is no summary or update time. */
export function toEscalationRecord(escalation: Escalation, jiraUrl: string): EscalationRecord {
  return {
    issueKey: escalation.key,
    url: jiraBrowseUrl(jiraUrl, escalation.key) ?? '',
    summary: null,
    status: escalation.status ?? 'Unknown',
    caseNumbers: escalation.caseNumbers,
    updatedAt: null,
    raw: escalation.raw,
  };
}
