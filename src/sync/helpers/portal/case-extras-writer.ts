import { type CaseExtra, type CaseExtrasResult, UpstreamError } from '../../../sources/index.js';
import { type CaseBugLink, upsertCaseBugLinks } from '../../../store/repositories/bugs.js';
import { type CaseDetailRecord, upsertCaseDetails } from '../../../store/repositories/case-details.js';
import { type CaseLinkSet, removeVanishedLinks } from '../../../store/repositories/case-links.js';
import type { CaseRef } from '../../../store/repositories/case-parents.js';
import { type CommentRecord, upsertComments } from '../../../store/repositories/comments.js';
import { type CaseIssueLink, upsertCaseIssueLinks } from '../../../store/repositories/issues.js';
import {
  type QuarantineRecord,
  quarantineRecords,
  resolveQuarantined,
} from '../../../store/repositories/quarantine.js';
import { type SyncState, saveSyncState } from '../../../store/repositories/sync-state.js';
import type { JobContext } from '../../engine/types.js';
import { toCaseBugLink, toCaseDetailRecord, toCaseIssueLink, toCommentRecord } from '../mappers/portal.js';
import { toQuarantineRecord, uniqueQuarantineRecords } from '../rejections.js';

// Stores what `fetchCaseExtras` returned for one batch of cases, in one short transaction: the
// detail row, its comments and bug links, the JIRA links, the removal of links the Portal no longer
// lists, and a quarantine note per failed lookup.

/**
 * Quarantine sources of failed lookups. The detail one is the source `upsertCaseDetails` resolves
 * when the case's detail is stored, so a later success closes the note by itself.
 */
const LOOKUP_FAILURE_SOURCE: Record<CaseExtra, string> = {
  detail: 'portal.case_detail',
  comments: 'portal.case_comments',
  links: 'portal.case_jira_links',
};

/**
 * A lookup that will fail the same way until something changes upstream (the case is gone or not
 * visible to this account); it is retried when the case changes again or at the next full pass.
 */
export function isPermanentFailure(error: Error): boolean {
  return (
    error instanceof UpstreamError && error.kind === 'http' && (error.status === 403 || error.status === 404)
  );
}

/** Cases with a failed lookup worth retrying next run. */
export function retryableFailures(result: CaseExtrasResult): string[] {
  return [...new Set(result.failed.filter((f) => !isPermanentFailure(f.error)).map((f) => f.caseNumber))];
}

/** Cases to read again next run: retryable failed lookups, and cases whose link list had malformed entries. */
export function casesToRetry(result: CaseExtrasResult): string[] {
  const incomplete = [...result.byCase].filter(([, extras]) => extras.linksRejected).map(([n]) => n);
  return [...new Set([...retryableFailures(result), ...incomplete])];
}

export interface ExtrasBatchOutcome {
  /** Cases of the batch for which at least one lookup succeeded. */
  fetched: number;
  changed: number;
  quarantined: number;
  /** Cases to read again next run (`casesToRetry`). */
  retry: string[];
  failures: number;
}

type SyncStatePatch = Partial<Pick<SyncState, 'cursor' | 'lastFullAt' | 'details'>>;

/** Writes one batch; `state` (the details job's cursor) is saved in the same transaction. */
export async function storeCaseExtras(
  ctx: JobContext,
  refs: readonly CaseRef[],
  result: CaseExtrasResult,
  state?: SyncStatePatch,
): Promise<ExtrasBatchOutcome> {
  const details: CaseDetailRecord[] = [];
  const comments: CommentRecord[] = [];
  const bugLinks: CaseBugLink[] = [];
  const issueLinks: CaseIssueLink[] = [];
  const bugSets: CaseLinkSet[] = [];
  const issueSets: CaseLinkSet[] = [];
  const issueLinksFetched: string[] = [];
  let fetched = 0;

  for (const ref of refs) {
    const extras = result.byCase.get(ref.caseNumber);
    if (!extras) continue;
    if (extras.detail || extras.links) fetched++;
    if (extras.detail) {
      details.push(toCaseDetailRecord(ref, extras.detail));
      comments.push(...extras.detail.comments.map((c) => toCommentRecord(ref, c)));
      const bugs = extras.detail.bugzillas.map((b) => toCaseBugLink(ref, b));
      bugLinks.push(...bugs);
      bugSets.push({ ...ref, linked: bugs.map((b) => b.bugId) });
    }
    if (extras.links) {
      const links = extras.links.map((l) => toCaseIssueLink(ref, l));
      issueLinks.push(...links);
      // A link that came back malformed is not gone: only a whole list removes stored links (the
      // case is read again next run, `casesToRetry`).
      if (!extras.linksRejected) {
        issueSets.push({ ...ref, linked: links.map((l) => l.issueKey) });
        issueLinksFetched.push(ref.caseNumber);
      }
    }
  }

  const failureNotes: QuarantineRecord[] = result.failed.map((f) => ({
    source: LOOKUP_FAILURE_SOURCE[f.extra],
    externalId: f.caseNumber,
    reason: `${f.extra} lookup failed: ${f.error.message}`,
    payload: { caseNumber: f.caseNumber, lookup: f.extra, permanent: isPermanentFailure(f.error) },
  }));
  const quarantine = uniqueQuarantineRecords([...result.rejected.map(toQuarantineRecord), ...failureNotes]);

  const written = await ctx.store.write(async (tx, changes) => {
    const { runId } = ctx;
    const d = await upsertCaseDetails(tx, details, runId);
    changes.record('case_detail', d);
    const c = await upsertComments(tx, comments, runId);
    changes.record('comment', c);
    const b = await upsertCaseBugLinks(tx, bugLinks, runId);
    changes.record('case_bug', b);
    const i = await upsertCaseIssueLinks(tx, issueLinks, runId);
    changes.record('case_issue', i);
    const goneBugs = await removeVanishedLinks(tx, 'case_bug', bugSets, runId);
    changes.add('case_bug', goneBugs);
    const goneIssues = await removeVanishedLinks(tx, 'case_issue', issueSets, runId);
    changes.add('case_issue', goneIssues);
    await resolveQuarantined(tx, LOOKUP_FAILURE_SOURCE.links, issueLinksFetched);
    // A link rejected earlier (it is named by its issue key) that now reads fine is history.
    await resolveQuarantined(
      tx,
      'portal.caseJiraLink',
      issueLinks.map((l) => l.issueKey),
    );
    const quarantined = await quarantineRecords(tx, quarantine, runId);
    if (quarantined > 0)
      changes.add(
        'quarantine',
        quarantine.map((q) => q.externalId),
      );
    if (state) await saveSyncState(tx, 'details', state);
    const rows = [d, c, b, i].reduce((n, r) => n + r.inserted.length + r.updated.length, 0);
    return {
      changed: rows + goneBugs.length + goneIssues.length,
      // Orphans the child upserts quarantined (a comment naming a case that is not stored).
      quarantined: quarantined + d.quarantined + c.quarantined,
    };
  });

  return {
    fetched,
    ...written,
    retry: casesToRetry(result),
    failures: result.failed.length,
  };
}
