import type { Config } from '../config/config.js';
import type { CardRow } from '../store/queries/card-list.js';
import type { CaseRow } from '../store/queries/case-list.js';
import { daysOpen, jiraBrowseUrl, portalCaseUrl, prioList, severityOrder, slaLevel } from './rules.js';

// Stored rows → API items. Upstream text (summaries, comment bodies) passes through as strings: the
// UI renders it as text or sanitised HTML, never as markup from here.

export interface PresentContext {
  config: Pick<Config, 'sla' | 'jira'>;
  now: Date;
}

export function cardItem(row: CardRow, ctx: PresentContext) {
  const open = daysOpen(row.caseCreatedDate, row.caseClosedDate, row.caseStatus, ctx.now);
  return {
    key: row.jiraKey,
    jiraUrl: jiraBrowseUrl(ctx.config.jira.url, row.jiraKey),
    caseNumber: row.caseNumber,
    caseUrl: row.caseNumber ? portalCaseUrl(row.caseNumber) : null,
    caseCreated: row.caseCreatedDate,
    severity: row.severityLabel,
    severityOrder: severityOrder(row.severityLabel),
    prioList: prioList(row.escalated, row.isPotentialEscalation),
    escalationUrl: row.escalationUrl,
    critSit: row.critSit,
    summary: row.summary,
    product: row.product,
    productVersion: row.productVersion,
    account: row.account,
    caseStatus: row.caseStatus,
    internalStatus: row.cardStatus,
    assignee: row.assigneeName,
    contributors: (row.contributors ?? []).map((u) => u.displayName).filter(Boolean),
    priority: row.priority,
    lastComment:
      row.lastCommentAt && row.lastCommentBody !== null
        ? {
            date: row.lastCommentAt,
            body: row.lastCommentBody,
            format: row.lastCommentFormat ?? 'text',
            author: row.lastCommentAuthor,
          }
        : null,
    daysOpen: open,
    sla: slaLevel(ctx.config.sla, {
      account: row.account,
      status: row.caseStatus,
      severityLabel: row.severityLabel,
      daysOpen: open,
    }),
    caseLastUpdated: row.caseLastUpdate,
    cardUpdated: row.cardUpdatedAt,
    dailyTelco: row.isDailyTelco,
    trends: row.isTrends,
    labels: row.labels ?? [],
  };
}
export type CardItem = ReturnType<typeof cardItem>;

export function caseItem(row: CaseRow, ctx: PresentContext) {
  const open = daysOpen(row.createdDate, row.closedDate, row.status, ctx.now);
  return {
    caseNumber: row.caseNumber,
    caseUrl: portalCaseUrl(row.caseNumber),
    createdDate: row.createdDate,
    severity: row.severityLabel,
    severityOrder: severityOrder(row.severityLabel),
    account: row.account,
    summary: row.summary,
    status: row.status,
    owner: row.owner,
    product: row.product,
    productVersion: row.productVersion,
    lastUpdate: row.lastUpdate,
    closedDate: row.closedDate,
    critSit: row.critSit,
    prioList: prioList(row.escalated, row.isPotentialEscalation),
    daysOpen: open,
    sla: slaLevel(ctx.config.sla, {
      account: row.account,
      status: row.status,
      severityLabel: row.severityLabel,
      daysOpen: open,
    }),
    card: row.jiraKey
      ? {
          key: row.jiraKey,
          jiraUrl: jiraBrowseUrl(ctx.config.jira.url, row.jiraKey),
          internalStatus: row.cardStatus ?? 'Unknown',
          assignee: row.assigneeName,
          lastCommentAt: row.lastCommentAt,
        }
      : null,
    dailyTelco: row.isDailyTelco,
    trends: row.isTrends,
  };
}
export type CaseItem = ReturnType<typeof caseItem>;
