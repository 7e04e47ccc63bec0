import type { TeamMember } from '../../../config/config.js';
import { slackText, slackTextWithin } from '../../../sources/slack.js';
import type { CaseForCard } from '../../../store/queries/card-creation.js';

// The texts of card creation (card summary and description, mail, Slack), kept as the original
// dashboard wrote them so the team's mail filters and Slack habits keep working. One deliberate change: the case description is
// kept whole (the original cut summary and description at 253 characters, and its boilerplate alone
// was ~230, so the description was lost). The JIRA client still caps at JIRA's own field limits.

export const PORTAL_CASE_URL = 'https://access.redhat.com/support/cases/';
export const BUGZILLA_URL = 'https://bugzilla.redhat.com/show_bug.cgi?id=';

export const caseUrl = (caseNumber: string) => `${PORTAL_CASE_URL}${caseNumber}`;
export const bugUrl = (bug: string) => `${BUGZILLA_URL}${bug}`;

export const cardSummary = (c: Pick<CaseForCard, 'caseNumber' | 'summary'>) =>
  `${c.caseNumber}: ${c.summary}`;

export function cardDescription(c: CaseForCard): string {
  return (
    'This card was automatically created from the Case Dashboard Sync Job.\n\n' +
    `This card was created because it had a severity of ${c.severityLabel}\n` +
    `The account for the case is ${c.account}\n` +
    `The case had an internal status of: ${c.status}\n\n` +
    `*Description:* \n\n${c.description}\n`
  );
}

export const REOPEN_COMMENT = (caseNumber: string) =>
  `Case ${caseNumber} seems to have been reopened. The dashboard found this card linked to the case and reopened it automatically.`;

const TRACKED_BY = (name: string) => `It is initially being tracked by ${name}.`;
const UNASSIGNED = 'It is not assigned to anyone.';

/** The original's notification body (generate_notification_content). */
export function notificationBody(
  c: CaseForCard,
  card: { key: string; url: string },
  assignee: TeamMember | undefined,
): string {
  return (
    `A JIRA issue (${card.url}) has been created for a new case:\n` +
    `Case #: ${c.caseNumber} (${caseUrl(c.caseNumber)})\n` +
    `Account: ${c.account}\n` +
    `Summary: ${c.summary}\n` +
    `Severity: ${c.severityLabel}\n` +
    `${assignee ? TRACKED_BY(assignee.name) : UNASSIGNED}\n`
  );
}

/** One card's block in the team mail: body, description, separator. */
export function mailBlock(body: string, c: CaseForCard): string {
  return `${body}\nDescription: ${c.description}\n\n===========================================\n\n`;
}

export const newCardsSubject = (subject: string, caseNumbers: readonly string[]) =>
  `${subject}: ${caseNumbers.join(', ')}`;

/**
 * The Slack text: the mail body with the case's text escaped for Slack, and the "tracked by" line
 * mentioning the assignee when the team file has a Slack id (the one markup t5g adds itself).
 */
export function slackBody(body: string, assignee: TeamMember | undefined): string {
  const text = slackText(body);
  if (!assignee?.slack_user) return text;
  return text.replace(TRACKED_BY(slackText(assignee.name)), TRACKED_BY(`<@${assignee.slack_user}>`));
}

/** Slack refuses texts over 40,000 characters; the full description is in the card anyway. */
export const SLACK_TEXT_LIMIT = 39_000;
export const slackReply = (c: CaseForCard) =>
  c.description ? slackTextWithin(c.description, SLACK_TEXT_LIMIT) : '(no description)';

export const failureSlackText = (caseNumber: string, message: string) =>
  `:warning: Failed to create JIRA card for case ${slackText(caseNumber)}\nError: ${slackText(message.slice(0, 200))}`;

export const MASS_CREATION_SUBJECT = 'High New Case Count Detected';

export function massCreationBody(max: number, caseNumbers: readonly string[]): string {
  const list = `[${caseNumbers.map((n) => `'${n}'`).join(', ')}]`;
  return (
    `Warning: more than ${max} cases (${caseNumbers.length}) will be created, so refusing to proceed. ` +
    `Please check log output\n\nNew cases: ${list}`
  );
}
