/**
 * How a simulated case looks on the Portal: the snake_case Solr search document (with its quirks:
 * `case_product` array, `case_tags` sometimes one "a;b" element, optional keys absent) and the
 * camelCase Case Management detail.
 */
import { SIM_DEFAULTS } from './constants.js';
import { isoSeconds } from './formats.js';
import { SEVERITY_LABELS } from './generator.js';
import type { SimCase } from './model.js';
import { hashParts } from './rng.js';
import type { SolrSchema } from './solr-query.js';
import type { SimulatorState } from './state.js';

export type SearchDoc = Record<string, string | string[]>;

const strings = (v: string | undefined): readonly string[] | undefined => (v === undefined ? undefined : [v]);

/** Search fields; `case_description` is generated lazily, so it needs the state. */
export function caseSchema(state: SimulatorState): SolrSchema<SimCase> {
  return {
    case_number: { type: 'string', get: (c) => [c.number] },
    case_account_name: { type: 'string', get: (c) => [c.account.name] },
    case_accountNumber: { type: 'string', get: (c) => [c.account.number] },
    case_summary: { type: 'text', get: (c) => [c.summary] },
    case_description: { type: 'text', get: (c) => [state.caseDescription(c)] },
    case_status: { type: 'string', get: (c) => [c.status] },
    case_owner: { type: 'string', get: (c) => [c.owner] },
    case_severity: { type: 'string', get: (c) => [SEVERITY_LABELS[c.severity]] },
    case_createdDate: { type: 'date', get: (c) => c.created },
    case_lastModifiedDate: { type: 'date', get: (c) => c.lastModified },
    case_closedDate: { type: 'date', get: (c) => c.closed },
    case_product: { type: 'string', get: (c) => [c.product] },
    case_version: { type: 'string', get: (c) => [c.version] },
    case_tags: { type: 'string', get: (c) => c.tags ?? [] },
    case_bugzillaNumber: { type: 'string', get: (c) => strings(c.bugzillaNumbers[0]) },
    case_type: { type: 'string', get: (c) => [c.caseType] },
    case_contactName: { type: 'string', get: (c) => [c.contactName] },
  };
}

export function searchDoc(state: SimulatorState, c: SimCase, fields: ReadonlySet<string> | null): SearchDoc {
  const want = (f: string): boolean => fields === null || fields.has(f);
  const doc: SearchDoc = {};
  if (want('case_number')) doc.case_number = c.number;
  if (want('case_account_name')) doc.case_account_name = c.account.name;
  if (want('case_accountNumber')) doc.case_accountNumber = c.account.number;
  if (want('case_summary')) doc.case_summary = c.summary;
  if (want('case_description')) doc.case_description = state.caseDescription(c);
  if (want('case_status')) doc.case_status = c.status;
  if (want('case_owner')) doc.case_owner = c.owner;
  if (want('case_severity')) doc.case_severity = SEVERITY_LABELS[c.severity];
  if (want('case_createdDate')) doc.case_createdDate = isoSeconds(c.created);
  if (want('case_lastModifiedDate')) doc.case_lastModifiedDate = isoSeconds(c.lastModified);
  if (want('case_closedDate') && c.closed !== undefined) doc.case_closedDate = isoSeconds(c.closed);
  if (want('case_product')) doc.case_product = [c.product];
  if (want('case_version')) doc.case_version = c.version;
  if (want('case_tags') && c.tags) doc.case_tags = c.tagsJoined ? [c.tags.join(';')] : [...c.tags];
  if (want('case_bugzillaNumber') && c.bugzillaNumbers[0]) doc.case_bugzillaNumber = c.bugzillaNumbers[0];
  if (want('case_type')) doc.case_type = c.caseType;
  if (want('case_contactName')) doc.case_contactName = c.contactName;
  return doc;
}

/** Breaks a search doc the way a bad upstream record would (invalid-record fault). */
export function corruptDoc(doc: SearchDoc, variant: number): SearchDoc {
  const out = { ...doc };
  if (variant === 0) delete out.case_number;
  else if (variant === 1) out.case_severity = 'banana';
  else out.case_createdDate = 'yesterday-ish';
  return out;
}

/** reliefAt/resolvedAt are ISO strings on most cases and epoch-ms integers on some. */
function portalTime(c: SimCase, ms: number | undefined): string | number | undefined {
  if (ms === undefined) return undefined;
  return c.epochTimes ? ms : isoSeconds(ms);
}

function uuidFrom(parts: (string | number)[]): string {
  const hex = [0, 1, 2, 3]
    .map((i) =>
      hashParts([...parts, i])
        .toString(16)
        .padStart(8, '0'),
    )
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function caseComment(
  comment: ReturnType<SimulatorState['caseComments']>[number],
): Record<string, unknown> {
  return {
    id: comment.id,
    caseNumber: comment.caseNumber,
    commentBody: comment.commentBody,
    contentType: 'plaintext',
    isPublic: comment.isPublic,
    visibility: comment.isPublic ? 'Customer' : 'Associate',
    createdBy: comment.createdBy,
    createdByType: comment.createdByType,
    createdDate: isoSeconds(comment.created),
    publishedDate: isoSeconds(comment.created),
    lastModifiedById: comment.createdBy,
    lastModifiedDate: isoSeconds(comment.lastModified),
    isDraft: false,
    doNotChangeSBT: false,
    doNotChangeStatus: false,
  };
}

export function caseDetail(state: SimulatorState, c: SimCase, origin: string): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    caseNumber: c.number,
    uri: `${origin}/portal/hydra/rest/v1/cases/${c.number}`,
    summary: c.summary,
    description: state.caseDescription(c),
    status: c.status,
    internalStatus:
      c.status === 'Closed'
        ? 'Closed'
        : c.status === 'Waiting on Customer'
          ? 'Waiting on Customer'
          : 'Waiting on Owner',
    severity: SEVERITY_LABELS[c.severity],
    product: c.product,
    version: c.version,
    caseType: c.caseType,
    accountNumberRef: c.account.number,
    accountName: c.account.name,
    ownerId: c.owner,
    contactName: c.contactName,
    contactSSOName: c.contactSso,
    createdById: c.contactName,
    createdDate: isoSeconds(c.created),
    lastModifiedById: c.owner,
    lastModifiedDate: isoSeconds(c.lastModified),
    isClosed: c.status === 'Closed',
    critSit: c.critSit,
    customerEscalation: c.critSit,
    entitlementSla: c.severity <= 2 ? 'PREMIUM' : 'STANDARD',
    apiTags: c.tags ? [...c.tags] : [],
    sbrGroups: ['Telco'],
    notifiedUsers: c.notifiedUsers.map((u) => ({ ...u })),
    bugzillas: c.bugzillaNumbers.map((n) => {
      const bug = state.bugs.get(Number(n));
      return {
        bugzillaNumber: n,
        bugzillaLink: `${SIM_DEFAULTS.bugzillaShowBugUrl}${n}`,
        caseNumber: c.number,
        linkedAt: isoSeconds(Math.max(c.created, bug?.created ?? c.created)),
        status: bug?.status ?? 'NEW',
        summary: bug?.summary ?? '',
      };
    }),
    externalTrackers: c.linkedIssueKeys.flatMap((key) => {
      const issue = state.issueByKey.get(key);
      if (!issue) return [];
      return [
        {
          caseNumber: c.number,
          caseURI: `${SIM_DEFAULTS.portalCaseUrl}${c.number}`,
          createdAt: isoSeconds(Math.max(c.created, issue.created)),
          establishedBy: 'rhn-support-sim',
          resourceKey: issue.key,
          resourceURL: `${origin}/jira/browse/${issue.key}`,
          status: issue.status,
          system: 'Jira',
          title: issue.summary,
        },
      ];
    }),
    comments: state.caseComments(c).map(caseComment),
    caseResourceLinks: [],
  };
  if (c.product === 'OpenShift Container Platform')
    detail.openshiftClusterID = uuidFrom(['cluster', c.number]);
  if (c.closed !== undefined) detail.lastClosedAt = isoSeconds(c.closed);
  if (c.groupName) {
    detail.groupName = c.groupName;
    detail.groupNumber = c.groupNumber;
  }
  const relief = portalTime(c, c.reliefAt);
  if (relief !== undefined) detail.reliefAt = relief;
  const resolved = portalTime(c, c.resolvedAt);
  if (resolved !== undefined) detail.resolvedAt = resolved;
  return detail;
}

/** ~10% of jira links come back without `title`; t5g skips those, so must the app. */
export function caseJiraLinks(state: SimulatorState, c: SimCase, origin: string): Record<string, unknown>[] {
  return c.linkedIssueKeys.flatMap((key) => {
    const issue = state.issueByKey.get(key);
    if (!issue) return [];
    const item: Record<string, unknown> = {
      resourceKey: issue.key,
      resourceURL: `${origin}/jira/browse/${issue.key}`,
      status: issue.status,
      lastModifiedDate: isoSeconds(issue.updated),
    };
    if (hashParts([state.seed, 'untitled', c.number, key]) % 10 !== 0) item.title = issue.summary;
    return [item];
  });
}
