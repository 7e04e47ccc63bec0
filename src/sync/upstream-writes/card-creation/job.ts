import type { Config, TeamMember } from '../../../config/config.js';
import type { RunAction, RunOutcome } from '../../../shared/api/sync.js';
import {
  type JiraClient,
  ReadOnlyError,
  TransitionUnavailableError,
  type Upstreams,
} from '../../../sources/index.js';
import {
  type CaseForCard,
  getCasesForCards,
  listCasesWithoutCard,
  listOpenCardLoad,
  listReopenCandidates,
  type ReopenCandidate,
} from '../../../store/queries/card-creation.js';
import {
  abandonClaim,
  advanceClaim,
  type CardCreationClaim,
  ClaimLostError,
  claimNewCase,
  claimReopen,
  dropUnusedClaim,
  listUnfinishedClaims,
  releaseClaim,
  resumeClaim,
} from '../../../store/repositories/card-creations.js';
import { saveSyncState } from '../../../store/repositories/sync-state.js';
import type { JobContext, JobDefinition, JobOutcome } from '../../engine/types.js';
import { withUpstreams } from '../../helpers/upstreams.js';
import { skippedOutcome } from '../outcome.js';
import { assignCases, loadByMember } from './assign.js';
import { cardDescription, cardSummary, REOPEN_COMMENT } from './content.js';
import { notifyFailure, notifyNewCards, sendMassCreationAlert } from './notify.js';
import {
  type CardDone,
  type CreationEnv,
  claimHolder,
  createCard,
  jiraAssignee,
  reopenCard,
} from './steps.js';

// Portal → JIRA card creation (hourly at :10; scheduled only with READ_ONLY off).
//
// Order of a run: (1) resume claims a previous run left unfinished, (2) reopen the finished cards of
// reopened older cases, (3) create cards for open cases that have none (checked against every
// stored card and the claims), unless there are more than MAX_CARDS_PER_RUN of them: then nothing
// is created and an alert goes to ALERT_EMAIL. (4) One mail for the new cards, a Slack post each.
//
// At most one card per case is the `card_creations` primary key: a case is claimed (committed)
// before JIRA is called, see steps.ts beside this file for the resumable steps. A failure on
// one case releases its claim with the error, posts the failure to Slack and goes on with the next.
//
// With READ_ONLY on the run is a dry run: no claim, no store change; each create/reopen is sent to
// the client, whose guard blocks it, and is listed as "would have" in the run's record.

export const CARD_CREATION_SOURCE = 'card-creation';
/** A claim held longer than this by another run is taken over (its worker is presumed dead). */
export const CLAIM_LEASE_SECONDS = 15 * 60;

export interface CardCreationReport {
  runId: string;
  at: string;
  readOnly: boolean;
  /** Cards whose JIRA issue this run created (or adopted after a lost answer to a create). */
  created: { case: string; key: string; assignee: string | null }[];
  /** Cards an earlier run had created in JIRA and this run finished (resumed claims). */
  resumed: { case: string; key: string }[];
  reopened: { case: string; key: string }[];
  failed: { case: string; error: string }[];
  /** Cases this run set out to handle that another run took: claimed first, or took over mid-way. */
  handedOver: { case: string; action: string; detail: string }[];
  /** Cases this run saw through to the end (claim `done`), of `planned`. */
  completed: number;
  planned: number;
  /** Writes READ_ONLY blocked: what the run would have done. */
  wouldHave: { action: string; case: string; detail: Record<string, unknown> }[];
  refused?: { newCases: number; max: number; alert: string };
  notifications?: {
    mail: string;
    mailed: string[];
    slackPosted: number;
    slackFailed: number;
    alreadyAnnounced: number;
  };
}

export const cardCreationJob: JobDefinition = {
  name: 'card-creation',
  title: 'Portal → JIRA card creation',
  // Writes upstream: never part of a manual refresh.
  refresh: 'none',
  after: ['cases', 'cards'],
  retry: { limit: 3, delaySeconds: 60, backoff: true, maxDelaySeconds: 900 },
  timeoutSeconds: 10 * 60,
  handler: createCards,
};

async function createCards(ctx: JobContext): Promise<JobOutcome> {
  const { config, store } = ctx;
  if (!config.jira.url || !config.jira.project) {
    ctx.logger.warn('JIRA_URL or JIRA_PROJECT is not set; no cards are created');
    const summary = 'skipped: JIRA_URL / JIRA_PROJECT not set';
    return { summary, outcome: skippedOutcome(summary) };
  }
  const report: CardCreationReport = {
    runId: ctx.runId,
    at: new Date().toISOString(),
    readOnly: config.readOnly,
    created: [],
    resumed: [],
    reopened: [],
    failed: [],
    handedOver: [],
    completed: 0,
    planned: 0,
    wouldHave: [],
  };

  await withUpstreams(ctx, async (up) => {
    const jira = up.jira as JiraClient;
    ctx.progress({ current: 0, total: 1, phase: 'selecting cases' });
    const newCases = await listCasesWithoutCard(store.db);
    const reopen = await listReopenCandidates(store.db, config.cardCreation.reopenAfterDays);
    const unfinished = up.readOnly ? [] : await listUnfinishedClaims(store.db);
    ctx.counters.fetched = newCases.length + reopen.length + unfinished.length;

    let toCreate = newCases;
    if (newCases.length > config.cardCreation.maxPerRun) {
      const numbers = newCases.map((c) => c.caseNumber);
      ctx.logger.error(
        { newCases: numbers.length, max: config.cardCreation.maxPerRun },
        'more new cases than MAX_CARDS_PER_RUN; creating none',
      );
      const alert = await sendMassCreationAlert(ctx, up, config, numbers);
      report.refused = { newCases: numbers.length, max: config.cardCreation.maxPerRun, alert };
      toCreate = [];
    }
    const loads = loadByMember(config.team, await listOpenCardLoad(store.db));
    const assignments = assignCases(toCreate, config.team, loads);
    const assigneeOf = (n: string) => assignments.get(n)?.member;

    if (up.readOnly) {
      await dryRun(jira, config, report, toCreate, reopen, assigneeOf);
      return;
    }

    const board = config.jira.board ? await jira.findBoard(undefined, ctx.signal) : undefined;
    const sprint = board ? await jira.findActiveSprint(board.id, ctx.signal) : undefined;
    if (!sprint)
      ctx.logger.warn({ board: config.jira.board }, 'no active sprint found; new cards stay out of sprints');
    const env: CreationEnv = { ctx, config, jira, up, sprint, stuck: report.failed };
    const created: CardDone[] = [];
    const total = unfinished.length + reopen.length + toCreate.length;
    report.planned = total;
    let current = 0;
    const tick = (phase: string) => ctx.progress({ current: ++current, total, phase });

    // (1) Unfinished claims first: they were promised a card (or a reopen) already.
    const resumeCases = new Map(
      (
        await getCasesForCards(
          store.db,
          unfinished.map((c) => c.caseNumber),
        )
      ).map((c) => [c.caseNumber, c]),
    );
    for (const old of unfinished) {
      tick('resuming');
      const c = resumeCases.get(old.caseNumber);
      if (!c) continue; // the case left the store; the claim waits (it still blocks a duplicate)
      const claim = await resumeClaim(store.db, {
        caseNumber: old.caseNumber,
        runId: claimHolder(ctx),
        leaseSeconds: CLAIM_LEASE_SECONDS,
      });
      if (!claim) {
        handOver(report, old.caseNumber, 'resume', 'held by another run');
        continue;
      }
      if (claim.kind === 'reopen' && claim.jiraKey) {
        const cand: ReopenCandidate = { ...c, jiraKey: claim.jiraKey, logId: claim.reopenLogId ?? 0 };
        if (await attempt(env, report, claim, () => reopenCard(env, cand, claim), 'reopen'))
          report.completed++;
      } else {
        // A claim that died before the assignment was recorded is assigned now.
        const member =
          config.team.find((m) => m.name === claim.assignee) ??
          (claim.jiraKey ? undefined : assignCases([c], config.team, loads).get(c.caseNumber)?.member);
        // The row as it was before this run took it: its last change is when the create went out.
        const sentAt = old.updatedAt;
        const done = await attempt(
          env,
          report,
          claim,
          () => createCard(env, c, claim, member, sentAt),
          'create',
        );
        if (done) created.push(done);
      }
    }

    // (2) Reopened older cases get their finished card back instead of a new one.
    for (const cand of reopen) {
      tick('reopening');
      const claim = await claimReopen(store.db, {
        caseNumber: cand.caseNumber,
        runId: claimHolder(ctx),
        jiraKey: cand.jiraKey,
        logId: cand.logId,
      });
      if (claim && (await attempt(env, report, claim, () => reopenCard(env, cand, claim), 'reopen')))
        report.completed++;
    }

    // (3) New cards.
    for (const c of toCreate) {
      tick('creating cards');
      const member = assigneeOf(c.caseNumber);
      const claim = await claimNewCase(store.db, {
        caseNumber: c.caseNumber,
        runId: claimHolder(ctx),
        assignee: member?.name ?? null,
      });
      if (!claim) {
        handOver(report, c.caseNumber, 'create card', 'claimed by another run first');
        continue;
      }
      const done = await attempt(env, report, claim, () => createCard(env, c, claim, member), 'create');
      if (done) created.push(done);
    }

    // (4) Notifications, then the claims are finished whatever the mail and Slack did.
    const n = await notifyNewCards(ctx, up, created);
    report.notifications = {
      mail: n.mail,
      mailed: n.mailed,
      slackPosted: n.slack.posted,
      slackFailed: n.slack.failed,
      alreadyAnnounced: n.alreadyAnnounced.length,
    };
    for (const card of created) {
      try {
        await advanceClaim(store.db, card.case.caseNumber, claimHolder(ctx), { step: 'done' });
        report.completed++;
      } catch (err) {
        if (!(err instanceof ClaimLostError)) throw err;
        // Paused past the lease: another run took the claim, finished the card and announced it.
        handOver(report, card.case.caseNumber, 'announce', `${card.key}: finished by another run`);
      }
    }
    await reportFailures(ctx, up, report);
  });
  if (report.handedOver.length > 0)
    ctx.logger.warn(
      { handedOver: report.handedOver.length, completed: report.completed, planned: report.planned },
      'another run took over cases of this run',
    );

  await store.write(async (tx) => {
    await saveSyncState(tx, CARD_CREATION_SOURCE, { details: { lastRun: report } });
  });
  ctx.counters.changed = report.created.length + report.resumed.length + report.reopened.length;
  return {
    changed: ctx.counters.changed,
    summary: summarize(report),
    outcome: cardCreationOutcome(report),
    ...(report.readOnly ? {} : { finalProgress: { current: report.completed, total: report.planned } }),
  };
}

function handOver(report: CardCreationReport, caseNumber: string, action: string, detail: string) {
  report.handedOver.push({ case: caseNumber, action, detail });
}

/** Runs one case's steps; on failure releases the claim with the error and goes on. */
async function attempt(
  env: CreationEnv,
  report: CardCreationReport,
  claim: CardCreationClaim,
  work: () => Promise<CardDone>,
  kind: 'create' | 'reopen',
): Promise<CardDone | undefined> {
  const { ctx } = env;
  const resumed = kind === 'create' && claim.jiraKey !== null;
  try {
    const done = await work();
    if (kind === 'reopen') report.reopened.push({ case: claim.caseNumber, key: done.key });
    else if (resumed) report.resumed.push({ case: claim.caseNumber, key: done.key });
    else
      report.created.push({ case: claim.caseNumber, key: done.key, assignee: done.assignee?.name ?? null });
    return done;
  } catch (err) {
    if (err instanceof ClaimLostError) {
      // Not a failure of the case: another run holds it now and carries it on.
      handOver(report, claim.caseNumber, kind === 'create' ? 'create card' : 'reopen card', err.message);
      return undefined;
    }
    const message = (err as Error).message;
    if (err instanceof TransitionUnavailableError) {
      // Permanent until someone moves the issue or changes the workflow: recorded once, not retried.
      if (await abandonClaim(ctx.store.db, claim.caseNumber, claimHolder(ctx), message)) {
        ctx.logger.error({ case: claim.caseNumber, key: err.key }, message);
        report.failed.push({ case: claim.caseNumber, error: message });
      }
      return undefined;
    }
    if (err instanceof ReadOnlyError && !claim.jiraKey)
      await dropUnusedClaim(ctx.store.db, claim.caseNumber, claimHolder(ctx));
    else if (!(await releaseClaim(ctx.store.db, claim.caseNumber, claimHolder(ctx), message))) {
      // The error came after another run had taken the claim over: that run carries the case on,
      // so this is neither this case's failure nor worth a failure post.
      handOver(report, claim.caseNumber, kind === 'create' ? 'create card' : 'reopen card', message);
      return undefined;
    }
    ctx.logger.error({ err, case: claim.caseNumber, step: claim.step }, `card ${kind} failed`);
    report.failed.push({ case: claim.caseNumber, error: message });
    return undefined;
  }
}

async function reportFailures(ctx: JobContext, up: Upstreams, report: CardCreationReport) {
  for (const f of report.failed) await notifyFailure(ctx, up, f.case, f.error);
}

/** READ_ONLY: the writes go to the clients, whose guard blocks them; nothing is claimed or stored. */
async function dryRun(
  jira: JiraClient,
  config: Config,
  report: CardCreationReport,
  toCreate: readonly CaseForCard[],
  reopen: readonly ReopenCandidate[],
  assigneeOf: (n: string) => TeamMember | undefined,
) {
  for (const c of toCreate) {
    const user = jiraAssignee(config, assigneeOf(c.caseNumber));
    const outcome = await jira.createIssue({
      summary: cardSummary(c),
      description: cardDescription(c),
      severity: c.severityLabel,
      ...(user ? { assignee: user } : {}),
    });
    if (!outcome.blocked) throw new Error('READ_ONLY is on but the JIRA client created an issue');
    report.wouldHave.push({ action: outcome.action, case: c.caseNumber, detail: outcome.detail });
  }
  for (const c of reopen) {
    const outcome = await jira.addComment(c.jiraKey, REOPEN_COMMENT(c.caseNumber));
    if (!outcome.blocked) throw new Error('READ_ONLY is on but the JIRA client wrote a comment');
    report.wouldHave.push({ action: `reopen ${c.jiraKey}`, case: c.caseNumber, detail: outcome.detail });
  }
}

function summarize(r: CardCreationReport): string {
  const parts = [`${r.created.length} created`, `${r.reopened.length} reopened`];
  if (r.resumed.length) parts.push(`${r.resumed.length} finished for an earlier run`);
  if (r.failed.length) parts.push(`${r.failed.length} failed`);
  if (r.handedOver.length) parts.push(`${r.handedOver.length} taken over by another run`);
  if (!r.readOnly && r.planned) parts.push(`${r.completed}/${r.planned} seen through`);
  if (r.wouldHave.length) parts.push(`READ_ONLY: ${r.wouldHave.length} writes not sent`);
  if (r.refused) parts.push(refusal(r.refused));
  return parts.join(', ');
}

const refusal = (r: NonNullable<CardCreationReport['refused']>) =>
  `refused: ${r.newCases} new cases > ${r.max} (mass-creation guard), alert ${r.alert}`;

const act = (action: string, target: string, detail: string | null = null): RunAction => ({
  action,
  target,
  detail,
});

/** The run's stored outcome: what it did, would have done, refused, or left to another run. */
export function cardCreationOutcome(r: CardCreationReport): RunOutcome {
  const did = [
    ...r.created.map((c) =>
      act('create card', c.case, c.assignee ? `${c.key}, assigned to ${c.assignee}` : c.key),
    ),
    ...r.resumed.map((c) => act('finish card', c.case, `${c.key} (created by an earlier run)`)),
    ...r.reopened.map((c) => act('reopen card', c.case, c.key)),
  ];
  const n = r.notifications;
  if (n && n.mailed.length > 0) did.push(act(`mail ${n.mail}`, 'New Card(s)', n.mailed.join(', ')));
  if (n && n.slackPosted > 0) did.push(act('slack posts', 'New Card(s)', String(n.slackPosted)));
  return {
    result: r.refused ? 'refused' : r.readOnly ? 'read-only' : 'wrote',
    summary: summarize(r),
    did,
    wouldHave: r.wouldHave.map((w) => act(w.action, w.case, JSON.stringify(w.detail))),
    failed: r.failed.map((f) => act('card', f.case, f.error)),
    handedOver: r.handedOver.map((h) => act(h.action, h.case, h.detail)),
    refused: r.refused
      ? {
          reason: `${r.refused.newCases} new cases > ${r.refused.max}: mass-creation guard (MAX_CARDS_PER_RUN)`,
          alert: r.refused.alert,
        }
      : null,
  };
}
