export { adfToText, textToAdf } from './adf.js';
export {
  type CardBatch,
  type CardSearchOptions,
  type CreatedIssue,
  createJiraClient,
  type IssueBatch,
  type IssueChange,
  type JiraClient,
  type JiraFieldName,
  type NewIssueInput,
} from './client.js';
export type {
  Escalation,
  JiraBoard,
  JiraCard,
  JiraComment,
  JiraSprint,
  JiraSprintRef,
  JiraTransition,
  JiraUser,
  LinkedIssue,
  RemoteLink,
} from './schemas.js';
export {
  type CardParse,
  parseCard,
  parseLinkedIssue,
} from './schemas.js';
export {
  type CommentEventName,
  type IssueEventName,
  isTeamCardIssue,
  JIRA_SIGNATURE_HEADER,
  type JiraWebhookEvent,
  parseJiraWebhook,
  type SignatureCheck,
  verifyJiraSignature,
  type WebhookIssue,
} from './webhooks.js';
