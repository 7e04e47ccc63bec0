import type { RunAction } from '../../../shared/api/sync.js';
import type { JiraClient, Upstreams, WriteOutcome } from '../../../sources/index.js';
import { listLinkedBugIds, patchBugWhiteboard } from '../../../store/repositories/bugs.js';
import { patchIssueKeywords } from '../../../store/repositories/issues.js';
import { listLinkedIssues } from '../../../store/repositories/link-selection.js';
import type { JobContext, JobDefinition, JobOutcome } from '../../engine/types.js';
import { withUpstreams } from '../../helpers/upstreams.js';
import {
  TAGGING_SUBJECT,
  type TaggingSummary,
  taggedKeywords,
  taggedWhiteboard,
  taggingMailBody,
} from './tags.js';

// Bug keyword tagging (daily 00:33; scheduled only with READ_ONLY off), as the original did it:
//  - every Bugzilla bug linked to a stored case: "Telco" and "Telco:Case" in the internal whiteboard;
//  - every JIRA issue of type Bug linked to a stored case: both in the private keywords, or in the
//    internal-whiteboard field when the issue has no private-keywords field;
//  - a summary mail to BUG_EMAIL with the original's sections.
// Current values are read fresh from the upstreams (not the store) so a tag is never written over
// an edit made since the last sync; the stored rows are patched (change-logged, like synced data)
// after each successful write. A blocked write (READ_ONLY) is only counted. One failing bug or
// issue does not stop the rest.

export const bugTaggingJob: JobDefinition = {
  name: 'bug-tagging',
  title: 'Bug keyword tagging',
  refresh: 'none',
  after: ['details', 'issues', 'bugs'],
  retry: { limit: 2, delaySeconds: 60, backoff: true, maxDelaySeconds: 600 },
  timeoutSeconds: 20 * 60,
  handler: tagBugs,
};

interface Tally {
  written: number;
  blocked: number;
  failed: string[];
  did: RunAction[];
  wouldHave: RunAction[];
  failures: RunAction[];
}

async function tagBugs(ctx: JobContext): Promise<JobOutcome> {
  const tally: Tally = { written: 0, blocked: 0, failed: [], did: [], wouldHave: [], failures: [] };
  const bugsTagged: string[] = [];
  const summary: TaggingSummary = {
    noKeywordsField: [],
    taggedKeywords: [],
    noWhiteboardField: [],
    taggedWhiteboard: [],
    nonBug: [],
  };
  let mail = 'skipped';
  await withUpstreams(ctx, async (up) => {
    if (ctx.config.bugzilla.apiKey) await tagBugzilla(ctx, up, tally, bugsTagged);
    if (up.jira && ctx.config.jira.project) await tagJira(ctx, up.jira, tally, summary);
    mail = await sendSummary(ctx, up, summary, { tagged: bugsTagged, failed: tally.failed });
  });
  ctx.counters.changed = tally.written;
  const parts = [`${tally.written} tagged`];
  if (tally.blocked) parts.push(`READ_ONLY: ${tally.blocked} not sent`);
  if (tally.failed.length) parts.push(`${tally.failed.length} failed`);
  parts.push(`summary mail ${mail}`);
  const line = parts.join(', ');
  const mailAction = { action: 'summary mail', target: 'BUG_EMAIL', detail: mail };
  return {
    changed: tally.written,
    summary: line,
    outcome: {
      result: ctx.config.readOnly ? 'read-only' : 'wrote',
      summary: line,
      did: mail === 'sent' ? [...tally.did, mailAction] : tally.did,
      wouldHave: mail.startsWith('blocked') ? [...tally.wouldHave, mailAction] : tally.wouldHave,
      failed: mail === 'failed' ? [...tally.failures, mailAction] : tally.failures,
      handedOver: [],
      refused: null,
    },
  };
}

async function write(
  ctx: JobContext,
  tally: Tally,
  label: string,
  send: () => Promise<WriteOutcome<unknown>>,
  store: () => Promise<void>,
): Promise<boolean> {
  try {
    const outcome = await send();
    if (outcome.blocked) {
      tally.blocked++;
      tally.wouldHave.push({ action: 'tag', target: label, detail: null });
      return false;
    }
    await store();
    tally.written++;
    tally.did.push({ action: 'tag', target: label, detail: null });
    return true;
  } catch (err) {
    tally.failed.push(label);
    tally.failures.push({ action: 'tag', target: label, detail: (err as Error).message });
    ctx.logger.error({ err, target: label }, 'tagging write failed');
    return false;
  }
}

async function tagBugzilla(ctx: JobContext, up: Upstreams, tally: Tally, tagged: string[]) {
  const ids = await listLinkedBugIds(ctx.store.db);
  const batch = await up.bugzilla.getBugs(ids, ctx.signal);
  ctx.counters.fetched += batch.items.length;
  for (const bug of batch.items) {
    if (bug.unavailable) continue;
    const next = taggedWhiteboard(bug.internalWhiteboard);
    if (next === undefined) continue;
    const ok = await write(
      ctx,
      tally,
      `BZ ${bug.id}`,
      () => up.bugzilla.updateInternalWhiteboard(bug.id, next),
      () =>
        ctx.store.write(async (tx, changes) => {
          const bugs = [{ bugId: String(bug.id), internalWhiteboard: next }];
          changes.record('bug', await patchBugWhiteboard(tx, bugs, ctx.runId));
        }),
    );
    if (ok) tagged.push(String(bug.id));
  }
}

async function tagJira(ctx: JobContext, jira: JiraClient, tally: Tally, s: TaggingSummary) {
  const { config, store } = ctx;
  const bugKeys: string[] = [];
  for (const r of await listLinkedIssues(store.db))
    (r.issueType === 'Bug' ? bugKeys : s.nonBug).push(r.issueKey);
  const batch = await jira.getIssues(bugKeys, ctx.signal);
  ctx.counters.fetched += batch.items.length;
  for (const f of batch.failed) {
    tally.failed.push(f.key);
    tally.failures.push({ action: 'read', target: f.key, detail: 'JIRA did not return it' });
  }
  const { privateKeywords: pkField, internalWhiteboard: wbField } = config.jira.fields;
  for (const issue of batch.items) {
    if (issue.type && issue.type !== 'Bug') continue;
    const fields = ((issue.raw as { fields?: Record<string, unknown> }).fields ?? {}) as Record<
      string,
      unknown
    >;
    if (pkField in fields || issue.privateKeywords !== undefined) {
      const current = issue.privateKeywords ?? [];
      const next = taggedKeywords(current);
      if (next === undefined) continue;
      const ok = await write(
        ctx,
        tally,
        issue.key,
        () => jira.updateCustomFields(issue.key, { privateKeywords: next }),
        () =>
          store.write(async (tx, changes) => {
            const issues = [{ issueKey: issue.key, privateKeywords: next.split(',') }];
            changes.record('issue', await patchIssueKeywords(tx, issues, ctx.runId));
          }),
      );
      if (ok) s.taggedKeywords.push(issue.key);
      continue;
    }
    // No private-keywords field on this issue: the original fell back to the internal whiteboard.
    s.noKeywordsField.push(issue.key);
    if (!(wbField in fields) && issue.internalWhiteboard === undefined) {
      s.noWhiteboardField.push(issue.key);
      continue;
    }
    const next = taggedWhiteboard(issue.internalWhiteboard ?? '');
    if (next === undefined) continue;
    const ok = await write(
      ctx,
      tally,
      issue.key,
      () => jira.updateCustomFields(issue.key, { internalWhiteboard: next }),
      async () => undefined,
    );
    if (ok) s.taggedWhiteboard.push(issue.key);
  }
}

async function sendSummary(
  ctx: JobContext,
  up: Upstreams,
  s: TaggingSummary,
  bugs: { tagged: string[]; failed: string[] },
): Promise<string> {
  const to = ctx.config.email.bugReportTo;
  if (to.length === 0) return 'skipped (BUG_EMAIL not set)';
  try {
    const sent = await up.email.send({ to, subject: TAGGING_SUBJECT, text: taggingMailBody(s, bugs) });
    return sent.blocked ? 'blocked (READ_ONLY)' : 'sent';
  } catch (err) {
    ctx.logger.error({ err }, 'tagging summary mail failed');
    return 'failed';
  }
}
