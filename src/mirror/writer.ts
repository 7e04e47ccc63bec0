import type { Queryable } from '../store/db.js';
import { upsertBugs, upsertCaseBugLinks } from '../store/repositories/bugs.js';
import { upsertCards } from '../store/repositories/cards.js';
import { upsertCaseDetails } from '../store/repositories/case-details.js';
import { removeVanishedLinks } from '../store/repositories/case-links.js';
import { findCaseRefs } from '../store/repositories/case-selection.js';
import { upsertCases } from '../store/repositories/cases.js';
import { upsertEscalations } from '../store/repositories/escalations.js';
import { upsertCaseIssueLinks, upsertIssues } from '../store/repositories/issues.js';
import { upsertJiraComments } from '../store/repositories/jira-comments.js';
import {
  existingIds,
  ownedRecordIds,
  patchEscalationStatus,
  upsertMirroredUsers,
  upsertStatsSnapshots,
} from '../store/repositories/mirror.js';
import { quarantineRecords, resolveQuarantined } from '../store/repositories/quarantine.js';
import { saveSyncState } from '../store/repositories/sync-state.js';
import type { ChangeSet } from '../store/store.js';
import type { CaseChild, MirrorBatch } from './mapper.js';

// Writes a mapped batch through the store's normal write path, inside the caller's `store.write`
// transaction: the same bulk upserts (with change_log) the sync jobs use, so the change feed, the
// card index and the UI see mirrored data exactly like synced data.

/** Quarantine source of a key's records: `mirror.cards`, `mirror.cases`, … */
export const quarantineSource = (key: string) => `mirror.${key}`;

/** A stand-in case for a child whose case is nowhere: the child upserts quarantine it with the reason. */
const NO_CASE = new Date(0);

function withRef<T>(child: CaseChild<T>, known: ReadonlyMap<string, Date>): T {
  const created = known.get(child.caseNumber) ?? child.created ?? NO_CASE;
  return { ...child.row, caseNumber: child.caseNumber, caseCreatedDate: created } as T;
}

export interface WriteOutcome {
  changed: number;
  quarantined: number;
}

export async function writeBatch(
  tx: Queryable,
  changes: ChangeSet,
  key: string,
  batch: MirrorBatch,
  recordIds: readonly string[],
): Promise<WriteOutcome> {
  let changed = 0;
  let quarantined = 0;
  const count = (entity: string, r: { inserted: string[]; updated: string[]; quarantined?: number }) => {
    changes.record(entity, r);
    changed += r.inserted.length + r.updated.length;
    quarantined += r.quarantined ?? 0;
  };

  count('case', await upsertCases(tx, batch.cases));
  // A card's case only where the `cases` key holds no record of it.
  const ownedCases = await ownedRecordIds(
    tx,
    'cases',
    batch.derivedCases.map((c) => c.caseNumber),
  );
  const storedCases = new Map(
    (await findCaseRefs(tx, [...new Set(batch.derivedCases.map((c) => c.caseNumber))])).map((r) => [
      r.caseNumber,
      r,
    ]),
  );
  count(
    'case',
    await upsertCases(
      tx,
      batch.derivedCases.filter((c) => {
        if (ownedCases.has(c.caseNumber)) return false;
        const stored = storedCases.get(c.caseNumber);
        // Only the stub of the same case: never a second row for a number synced with another date.
        return !stored || stored.caseCreatedDate.getTime() === c.createdDate.getTime();
      }),
    ),
  );

  const caseNumbers = new Set<string>();
  for (const list of [
    batch.details,
    batch.derivedDetails,
    batch.bugLinks,
    batch.issueLinks,
    batch.jiraComments,
  ] as CaseChild<unknown>[][])
    for (const c of list) caseNumbers.add(c.caseNumber);
  for (const c of batch.cards) if (c.caseNumber) caseNumbers.add(c.caseNumber);
  for (const s of [...batch.bugLinkSets, ...batch.issueLinkSets]) caseNumbers.add(s.caseNumber);
  const known = new Map<string, Date>(
    (await findCaseRefs(tx, [...caseNumbers])).map((r) => [r.caseNumber, r.caseCreatedDate]),
  );

  const ownedDetails = await ownedRecordIds(
    tx,
    'details',
    batch.derivedDetails.map((d) => d.caseNumber),
  );
  count(
    'case_detail',
    await upsertCaseDetails(tx, [
      ...batch.details.map((d) => withRef(d, known)),
      ...batch.derivedDetails.filter((d) => !ownedDetails.has(d.caseNumber)).map((d) => withRef(d, known)),
    ]),
  );

  count('bug', await upsertBugs(tx, batch.bugs));
  const storedBugs = await existingIds(tx, 'bugs', [...new Set(batch.derivedBugs.map((b) => b.bugId))]);
  const keyBugs = new Set(batch.bugs.map((b) => b.bugId));
  count(
    'bug',
    await upsertBugs(
      tx,
      batch.derivedBugs.filter((b) => !storedBugs.has(b.bugId) && !keyBugs.has(b.bugId)),
    ),
  );
  const links = batch.bugLinks.map((l) => withRef(l, known));
  const knownLinks = links.filter((l) => l.caseCreatedDate !== NO_CASE);
  count('case_bug', await upsertCaseBugLinks(tx, knownLinks));
  quarantined += await orphanLinks(tx, key, links.length - knownLinks.length, batch.bugLinks, known);
  const bugSets = batch.bugLinkSets.flatMap((s) => {
    const created = known.get(s.caseNumber);
    return created ? [{ caseNumber: s.caseNumber, caseCreatedDate: created, linked: s.linked }] : [];
  });
  const goneBugs = await removeVanishedLinks(tx, 'case_bug', bugSets);
  changes.add('case_bug', goneBugs);
  changed += goneBugs.length;

  count('issue', await upsertIssues(tx, batch.issues));
  const storedIssues = await existingIds(tx, 'issues', [
    ...new Set(batch.derivedIssues.map((i) => i.issueKey)),
  ]);
  const keyIssues = new Set(batch.issues.map((i) => i.issueKey));
  count(
    'issue',
    await upsertIssues(
      tx,
      batch.derivedIssues.filter((i) => !storedIssues.has(i.issueKey) && !keyIssues.has(i.issueKey)),
    ),
  );
  const issueLinks = batch.issueLinks.map((l) => withRef(l, known));
  const knownIssueLinks = issueLinks.filter((l) => l.caseCreatedDate !== NO_CASE);
  count('case_issue', await upsertCaseIssueLinks(tx, knownIssueLinks));
  quarantined += await orphanLinks(
    tx,
    key,
    issueLinks.length - knownIssueLinks.length,
    batch.issueLinks,
    known,
  );
  const issueSets = batch.issueLinkSets.flatMap((s) => {
    const created = known.get(s.caseNumber);
    return created ? [{ caseNumber: s.caseNumber, caseCreatedDate: created, linked: s.linked }] : [];
  });
  const goneIssues = await removeVanishedLinks(tx, 'case_issue', issueSets);
  changes.add('case_issue', goneIssues);
  changed += goneIssues.length;

  count('escalation', await upsertEscalations(tx, batch.escalations));
  count(
    'escalation',
    await patchEscalationStatus(
      tx,
      batch.closedEscalations.map((issueKey) => ({ issueKey, status: 'Closed' })),
    ),
  );

  count(
    'card',
    await upsertCards(
      tx,
      batch.cards.map((c) => {
        const created = c.caseNumber ? known.get(c.caseNumber) : undefined;
        // A card whose case is nowhere is kept without one, as the cards sync does.
        return {
          ...c.card,
          caseNumber: created ? c.caseNumber : null,
          caseCreatedDate: created ?? null,
        };
      }),
    ),
  );
  count(
    'jira_comment',
    await upsertJiraComments(
      tx,
      batch.jiraComments.map((c) => withRef(c, known)),
    ),
  );

  count(
    'stats_snapshot',
    await upsertStatsSnapshots(
      tx,
      batch.stats.map((s) => ({ day: s.day, metrics: s.metrics })),
    ),
  );
  count('mirrored_user', await upsertMirroredUsers(tx, batch.users));
  if (batch.timestamp) {
    await saveSyncState(tx, 'mirror', { details: { cardsRebuiltAt: batch.timestamp.toISOString() } });
    changed++;
  }

  const source = quarantineSource(key);
  const rejected = new Set(batch.rejections.map((r) => r.id));
  await resolveQuarantined(
    tx,
    source,
    recordIds.filter((id) => !rejected.has(id)),
  );
  const n = await quarantineRecords(
    tx,
    batch.rejections.map((r) => ({ source, externalId: r.id, payload: r.payload, reason: r.reason })),
  );
  if (n > 0)
    changes.add(
      'quarantine',
      batch.rejections.map((r) => r.id),
    );
  return { changed, quarantined: quarantined + n };
}

/** Links naming a case that is nowhere (not in `cases`, not stored) are quarantined with the reason. */
async function orphanLinks(
  tx: Queryable,
  key: string,
  count: number,
  links: readonly CaseChild<unknown>[],
  known: ReadonlyMap<string, Date>,
): Promise<number> {
  if (count === 0) return 0;
  const orphans = links.filter((l) => !known.has(l.caseNumber) && !l.created);
  const byCase = new Map<string, CaseChild<unknown>[]>();
  for (const o of orphans) byCase.set(o.caseNumber, [...(byCase.get(o.caseNumber) ?? []), o]);
  return quarantineRecords(
    tx,
    [...byCase].map(([caseNumber, rows]) => ({
      source: `${quarantineSource(key)}.link`,
      externalId: caseNumber,
      payload: rows.map((r) => r.row),
      reason: `case ${caseNumber} is not stored`,
    })),
  );
}
