import type { Config } from '../config/config.js';
import type { Served } from '../shared/api/common.js';
import type { cardItemSchema, caseItemSchema } from '../shared/api/tables.js';
import {
  daysOpen,
  jiraBrowseUrl,
  portalCaseUrl,
  prioList,
  severityOrder,
  slaLevel,
} from '../shared/rules.js';
import { INTERNAL_STATUS_UNKNOWN } from '../shared/vocabulary.js';
import type { CardRow } from '../store/queries/card-list.js';
import type { CaseRow } from '../store/queries/case-list.js';

// Stored rows → API items, typed by the shared schemas (a field missing or of the wrong type is a
// compile error). Upstream text (summaries, comment bodies) passes through as strings: the UI
// renders it as text or as elements, never as markup from here.

export interface PresentContext {
  config: Pick<Config, 'sla' | 'jira'>;
  now: Date;
}

export type CardItem = Served<typeof cardItemSchema>;
export type CaseItem = Served<typeof caseItemSchema>;

export function cardItem(row: CardRow, ctx: PresentContext): CardItem {
  // The fields stored as is pass through; the rest are computed from the inputs.
  const {
    caseClosedDate,
    contributorUsers,
    isPotentialEscalation,
    escalated,
    lastCommentAt,
    lastCommentBody,
    lastCommentFormat,
    lastCommentAuthor,
    ...stored
  } = row;
  const open = daysOpen(row.caseCreated, caseClosedDate, row.caseStatus, ctx.now);
  return {
    ...stored,
    jiraUrl: jiraBrowseUrl(ctx.config.jira.url, row.key),
    caseUrl: row.caseNumber ? portalCaseUrl(row.caseNumber) : null,
    severityOrder: severityOrder(row.severity),
    prioList: prioList(escalated, isPotentialEscalation),
    contributors: (contributorUsers ?? []).map((u) => u.displayName).filter(Boolean),
    lastComment:
      lastCommentAt && lastCommentBody !== null
        ? {
            date: lastCommentAt,
            body: lastCommentBody,
            format: lastCommentFormat ?? 'text',
            author: lastCommentAuthor,
          }
        : null,
    daysOpen: open,
    sla: slaLevel(ctx.config.sla, {
      account: row.account,
      status: row.caseStatus,
      severityLabel: row.severity,
      daysOpen: open,
    }),
    labels: row.labels ?? [],
  };
}

export function caseItem(row: CaseRow, ctx: PresentContext): CaseItem {
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
          internalStatus: row.cardStatus ?? INTERNAL_STATUS_UNKNOWN,
          assignee: row.assigneeName,
          lastCommentAt: row.lastCommentAt,
        }
      : null,
    dailyTelco: row.isDailyTelco,
    trends: row.isTrends,
  };
}
