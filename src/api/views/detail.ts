import type { Served } from '../../shared/api/common.js';
import type { cardDetailSchema, caseDetailSchema } from '../../shared/api/detail.js';
import {
  bugzillaUrl,
  daysOpen,
  issueSeverity,
  portalCaseUrl,
  severityOrder,
  slaLevel,
  telcoPriority,
} from '../../shared/rules.js';
import { type CardRow, getCardRows } from '../../store/queries/card-list.js';
import { type CaseBundle, getCaseBundle } from '../../store/queries/case-bundle.js';
import { cardItem, type PresentContext } from '../presenters.js';
import { presentContext, type ViewDeps } from './deps.js';

// The detail of a card or a case: the card row(s), the case with its details, every comment of
// both sources newest first, bugs, linked JIRA issues (severity mismatch, telco priority) and
// escalations.

export async function cardDetail(
  deps: ViewDeps,
  key: string,
): Promise<Served<typeof cardDetailSchema> | null> {
  const ctx = presentContext(deps);
  const project = deps.config.jira.escalations?.project;
  const [row] = await getCardRows(deps.store.db, [key], project);
  if (!row) return null;
  const bundle = await getCaseBundle(deps.store.db, row.caseNumber, row.caseCreated, [key]);
  const cards = await getCardRows(deps.store.db, bundle.cardKeys, project);
  return { card: cardItem(row, ctx), ...present(deps, ctx, bundle, cards) };
}

export async function caseDetail(
  deps: ViewDeps,
  caseNumber: string,
): Promise<Served<typeof caseDetailSchema> | null> {
  const ctx = presentContext(deps);
  const bundle = await getCaseBundle(deps.store.db, caseNumber);
  if (!bundle.case) return null;
  const cards = await getCardRows(deps.store.db, bundle.cardKeys, deps.config.jira.escalations?.project);
  // The most recently updated card stands for the case (there is one in all but rare cases).
  const primary = [...cards].sort((a, b) => b.cardUpdated.getTime() - a.cardUpdated.getTime())[0];
  return { card: primary ? cardItem(primary, ctx) : null, ...present(deps, ctx, bundle, cards) };
}

function present(
  deps: ViewDeps,
  ctx: PresentContext,
  b: CaseBundle,
  cards: CardRow[],
): Omit<Served<typeof caseDetailSchema>, 'card'> {
  const c = b.case;
  const open = c ? daysOpen(c.createdDate, c.closedDate, c.status, ctx.now) : null;
  return {
    cards: cards.map((r) => cardItem(r, ctx)),
    case: c && {
      ...c,
      caseUrl: portalCaseUrl(c.caseNumber),
      severity: c.severityLabel,
      severityOrder: severityOrder(c.severityLabel),
      daysOpen: open,
      sla: slaLevel(deps.config.sla, {
        account: c.account,
        status: c.status,
        severityLabel: c.severityLabel,
        daysOpen: open,
      }),
    },
    details: b.details && {
      critSit: b.details.critSit,
      group: b.details.groupName,
      notifiedUsers: b.details.notifiedUsers.map((u) => ({
        ssoUsername: u.ssoUsername,
        title: u.title ?? null,
      })),
      reliefAt: b.details.reliefAt,
      resolvedAt: b.details.resolvedAt,
      entitlementSla: b.details.entitlementSla,
    },
    comments: b.comments.map((m) => ({
      source: m.source,
      id: m.id,
      jiraKey: m.jiraKey,
      author: m.author,
      body: m.body,
      format: m.format,
      isPublic: m.isPublic,
      created: m.createdAt,
      updated: m.updatedAt,
    })),
    bugs: b.bugs.map((bug) => ({
      id: bug.bugId,
      url: bugzillaUrl(deps.config.bugzilla.url, bug.bugId),
      summary: bug.summary,
      severity: bug.severity,
      priority: bug.priority,
      status: bug.status,
      targetRelease: bug.targetRelease ?? [],
      assignee: bug.assignee,
      qaContact: bug.qaContact,
      lastChange: bug.lastChangeTime,
      linkedAt: bug.linkedAt,
      unavailable: bug.unavailable,
      unavailableReason: bug.unavailableReason,
      fetched: bug.fetched,
    })),
    issues: b.issues.map((i) => {
      const sev = issueSeverity(i.severity, c?.severityLabel ?? null);
      const telco = telcoPriority(i.privateKeywords);
      return {
        key: i.issueKey,
        url: i.url,
        title: i.title,
        type: i.issueType,
        status: i.status,
        priority: i.priority,
        severity: i.severity,
        severityLevel: sev.level,
        severityMismatch: sev.mismatch,
        telcoPriority: telco.keyword,
        telcoPriorityLevel: telco.level,
        fixVersions: i.fixVersions,
        assignee: i.assignee,
        qaContact: i.qaContact,
        updated: i.updatedAt,
      };
    }),
    escalations: b.escalations.map((e) => ({
      key: e.issueKey,
      url: e.url,
      summary: e.summary,
      status: e.status,
      open: e.open,
      updated: e.updatedAt,
    })),
  };
}
