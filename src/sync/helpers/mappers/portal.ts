import type {
  CaseJiraLink,
  PortalBugLink,
  PortalCase,
  PortalCaseDetail,
  PortalComment,
} from '../../../sources/index.js';
import type { CaseBugLink } from '../../../store/repositories/bugs.js';
import type { CaseDetailRecord } from '../../../store/repositories/case-details.js';
import type { CaseRef } from '../../../store/repositories/case-parents.js';
import type { CaseRecord } from '../../../store/repositories/cases.js';
import type { CommentRecord } from '../../../store/repositories/comments.js';
import type { CaseIssueLink } from '../../../store/repositories/issues.js';

// Portal records (already validated and normalized by the connector) → the rows the store keeps.
// Pure functions, no I/O: the jobs decide when and in which transaction the rows are written.

/** "OpenShift Container Platform 4.18": `case_product[0] + " " + case_version`, as the original showed it. */
export function productLabel(product: string, version: string): string | null {
  const label = [product.trim(), version.trim()].filter(Boolean).join(' ');
  // The original crashed on a case without product or version; here it simply has no product.
  return label === '' ? null : label;
}

export function toCaseRecord(c: PortalCase): CaseRecord {
  return {
    caseNumber: c.caseNumber,
    createdDate: c.createdAt,
    owner: c.owner === '' ? null : c.owner,
    severity: c.severity,
    severityLabel: c.severityLabel,
    account: c.account,
    summary: c.summary,
    status: c.status,
    lastUpdate: c.lastModifiedAt,
    description: c.description,
    product: productLabel(c.product, c.productVersion),
    productVersion: c.productVersion === '' ? null : c.productVersion,
    tags: c.tags,
    bugNumber: c.bugzillaNumber ?? null,
    closedDate: c.closedAt ?? null,
    raw: c.raw,
  };
}

/** A string field of the detail that the connector does not model (e.g. `entitlementSla`). */
function rawText(raw: unknown, key: string): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const value = (raw as Record<string, unknown>)[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

export function toCaseDetailRecord(ref: CaseRef, d: PortalCaseDetail): CaseDetailRecord {
  // The raw detail embeds every comment; they are stored as rows of their own, so keep them out of here.
  const { comments: _comments, ...rawWithoutComments } = (d.raw ?? {}) as Record<string, unknown>;
  return {
    ...ref,
    critSit: d.critSit,
    groupName: d.groupName ?? null,
    notifiedUsers: d.notifiedUsers,
    reliefAt: d.reliefAt ?? null,
    resolvedAt: d.resolvedAt ?? null,
    entitlementSla: rawText(d.raw, 'entitlementSla'),
    raw: rawWithoutComments,
  };
}

/**
 * A comment row. The Portal's comment id is the key (so an edited comment updates its row); the
 * few older payloads without one get a stable id from (case, author, time), the original's dedup key.
 */
export function toCommentRecord(ref: CaseRef, c: PortalComment): CommentRecord {
  return {
    ...ref,
    commentId: c.id ?? `${ref.caseNumber}|${c.author}|${c.createdAt.toISOString()}`,
    author: c.author === '' ? null : c.author,
    authorType: c.authorType ?? null,
    body: c.body,
    isPublic: c.isPublic ?? true,
    commentedAt: c.createdAt,
    lastModifiedAt: c.lastModifiedAt ?? null,
  };
}

export function toCaseBugLink(ref: CaseRef, b: PortalBugLink): CaseBugLink {
  return {
    ...ref,
    bugId: b.bugzillaNumber,
    linkedAt: b.linkedAt ?? null,
    portalStatus: b.status ?? null,
    portalSummary: b.summary ?? null,
  };
}

export function toCaseIssueLink(ref: CaseRef, l: CaseJiraLink): CaseIssueLink {
  return {
    ...ref,
    issueKey: l.key,
    url: l.url ?? null,
    title: l.title,
    portalStatus: l.status ?? null,
    lastModifiedAt: l.lastModifiedAt ?? null,
  };
}
