import { setTimeout as sleep } from 'node:timers/promises';
import type { Config, TeamMember } from '../../../config/config.js';
import { jiraBrowseUrl } from '../../../shared/rules.js';
import {
  expectWritten,
  type JiraClient,
  type JiraSprint,
  TransitionUnavailableError,
  type Upstreams,
} from '../../../sources/index.js';
import { andJql, jqlString } from '../../../sources/jira/jql.js';
import type { CaseForCard, ReopenCandidate } from '../../../store/queries/card-creation.js';
import {
  advanceClaim,
  type CardCreationClaim,
  type CreationStep,
  reached,
} from '../../../store/repositories/card-creations.js';
import { type CardRecord, patchCardStatus, upsertCards } from '../../../store/repositories/cards.js';
import { patchCaseCard } from '../../../store/repositories/cases.js';
import type { JobContext } from '../../engine/types.js';
import { bugUrl, cardDescription, cardSummary, caseUrl, REOPEN_COMMENT } from './content.js';

// The steps of one card, each recorded in the claim as soon as it is done, so a run that dies (or a
// step that fails) is resumed at the next step by the next attempt. Steps that JIRA would repeat
// harmlessly (sprint, transition, remote links with a globalId, watcher) may run twice after a
// crash; creating the issue never does: before creating, the claim's own key is used, else an issue
// whose summary starts with "<case#>:" is searched for and adopted (a lost answer to the create).
//
// These steps run only with READ_ONLY off (the job checks it first), so a blocked write here means
// the configuration changed under the run: `expectWritten` turns it into an error and the claim is
// released with it, never treated as done.

/**
 * Who holds a claim: the run and its attempt. pg-boss starts a run's next attempt (same run id) when
 * it takes the previous one for dead (no heartbeat: a paused worker); the new attempt takes the
 * claims over at once, and the old one, should it wake, finds it no longer holds them.
 */
export const claimHolder = (ctx: Pick<JobContext, 'runId' | 'attempt'>): string =>
  `${ctx.runId}/${ctx.attempt}`;

export interface CreationEnv {
  ctx: JobContext;
  config: Config;
  jira: JiraClient;
  up: Upstreams;
  sprint: JiraSprint | undefined;
  /** Cards created whose workflow had no transition to To Do: kept where JIRA put them, reported. */
  stuck?: { case: string; error: string }[];
}

export interface CardDone {
  case: CaseForCard;
  key: string;
  url: string;
  assignee: TeamMember | undefined;
}

const browseUrl = (config: Config, key: string) => jiraBrowseUrl(config.jira.url, key) ?? '';

/** JIRA user reference for the flavor: Cloud wants the accountId, Data Center the user name. */
export function jiraAssignee(config: Config, m: TeamMember | undefined): string | undefined {
  if (!m) return undefined;
  return config.jira.flavor === 'cloud' ? m.jira_account_id : m.jira_user;
}

/** An issue in the card project whose summary starts with "<case#>:", if JIRA has one. */
export async function findCardInJira(
  env: CreationEnv,
  caseNumber: string,
): Promise<{ key: string; status: string } | undefined> {
  const project = env.config.jira.project;
  if (!project) return undefined;
  const jql = andJql(`project = ${jqlString(project)}`, `summary ~ ${jqlString(caseNumber)}`);
  for await (const page of env.jira.searchIssuePages(jql, ['summary', 'status'], {
    signal: env.ctx.signal,
  })) {
    for (const raw of page) {
      const issue = raw as { key?: unknown; fields?: { summary?: unknown; status?: { name?: unknown } } };
      const summary = typeof issue.fields?.summary === 'string' ? issue.fields.summary : '';
      if (typeof issue.key === 'string' && summary.startsWith(`${caseNumber}:`))
        return { key: issue.key, status: String(issue.fields?.status?.name ?? '') };
    }
  }
  return undefined;
}

async function step(
  env: CreationEnv,
  claim: CardCreationClaim,
  name: CreationStep,
  work: () => Promise<void>,
): Promise<void> {
  if (reached(claim.step, name)) return;
  await work();
  await advanceClaim(env.ctx.store.db, claim.caseNumber, claimHolder(env.ctx), { step: name });
  claim.step = name;
}

/**
 * Waits until a create sent at `sentAt` would show in JIRA's search. JIRA Cloud's search is eventually
 * consistent: searching for the card at once could miss an issue that create made, and create a second.
 */
async function searchSettled(env: CreationEnv, caseNumber: string, sentAt: Date): Promise<void> {
  const wait = sentAt.getTime() + env.config.cardCreation.searchSettleSeconds * 1000 - Date.now();
  if (wait <= 0) return;
  env.ctx.logger.info(
    { case: caseNumber, waitMs: wait },
    'an earlier create may not be searchable yet; waiting',
  );
  await sleep(wait, undefined, { signal: env.ctx.signal });
}

/**
 * Creates (or adopts, or resumes) the card of a new case through every step up to `stored`.
 * `sentAt`: for a resumed claim at `creating`, when the earlier attempt sent its create.
 */
export async function createCard(
  env: CreationEnv,
  c: CaseForCard,
  claim: CardCreationClaim,
  assignee: TeamMember | undefined,
  sentAt?: Date,
): Promise<CardDone> {
  const { config, jira, up, ctx } = env;
  let status = 'New';
  if (!claim.jiraKey) {
    if (claim.step === 'creating') await searchSettled(env, c.caseNumber, sentAt ?? claim.updatedAt);
    const found = await findCardInJira(env, c.caseNumber);
    let key: string;
    if (found) {
      ctx.logger.warn({ case: c.caseNumber, key: found.key }, 'card already in JIRA; adopting it');
      key = found.key;
      status = found.status;
    } else {
      // Marked before sending: should the answer be lost, whoever resumes knows JIRA may have the issue.
      await advanceClaim(ctx.store.db, c.caseNumber, claimHolder(ctx), { step: 'creating' });
      claim.step = 'creating';
      const labels = [...new Set([config.jira.cardLabel, ...config.jira.newCardLabels])];
      const user = jiraAssignee(config, assignee);
      const created = expectWritten(
        await jira.createIssue({
          summary: cardSummary(c),
          description: cardDescription(c),
          severity: c.severityLabel,
          labels,
          ...(user ? { assignee: user } : {}),
        }),
      );
      key = created.key;
    }
    // Recorded at once: from here on a retry follows up on this key instead of creating again.
    await advanceClaim(ctx.store.db, c.caseNumber, claimHolder(ctx), { step: 'created', jiraKey: key });
    claim.jiraKey = key;
    claim.step = 'created';
  }
  const key = claim.jiraKey;
  const sprint = env.sprint;
  await step(env, claim, 'sprint', async () => {
    if (sprint) expectWritten(await jira.addToSprint(sprint.id, [key]));
  });
  let statusRaw = config.jira.transitions.todo;
  await step(env, claim, 'transitioned', async () => {
    if (status.toLowerCase() === config.jira.transitions.todo.toLowerCase()) return;
    try {
      expectWritten(await jira.transitionIssue(key, config.jira.transitions.todo));
    } catch (err) {
      // The card exists: it keeps its links, watcher and notification, in the status it has.
      if (!(err instanceof TransitionUnavailableError)) throw err;
      ctx.logger.error({ case: c.caseNumber, key }, err.message);
      env.stuck?.push({ case: c.caseNumber, error: err.message });
      statusRaw = err.currentStatus;
    }
  });
  await step(env, claim, 'linked', async () => {
    expectWritten(await jira.addRemoteLink(key, { url: caseUrl(c.caseNumber), title: 'Support Case' }));
    if (c.bugNumber)
      expectWritten(await jira.addRemoteLink(key, { url: bugUrl(c.bugNumber), title: `BZ ${c.bugNumber}` }));
  });
  await step(env, claim, 'watched', async () => {
    if (assignee?.notifieduser)
      expectWritten(await up.portal.addNotifiedUser(c.caseNumber, assignee.jira_user));
  });
  if (!reached(claim.step, 'stored')) {
    await storeCard(env, c, key, assignee, statusRaw);
    claim.step = 'stored';
  }
  return { case: c, key, url: browseUrl(config, key), assignee };
}

/**
 * The card in `cards` right away, so the dashboard shows it before the next cards sync (which then
 * overwrites it with JIRA's full record), and the case's `fe_jira_card`; in the transaction that
 * moves the claim to `stored`.
 */
async function storeCard(
  env: CreationEnv,
  c: CaseForCard,
  key: string,
  assignee: TeamMember | undefined,
  statusRaw: string,
) {
  const { config, ctx } = env;
  const now = new Date();
  const record: CardRecord = {
    jiraKey: key,
    caseNumber: c.caseNumber,
    caseCreatedDate: c.createdDate,
    summary: cardSummary(c),
    statusRaw,
    status: config.jira.statusMap[statusRaw] ?? 'Unknown',
    priority: config.jira.priorityMap[c.severityLabel],
    assigneeName: assignee?.name ?? null,
    assignee: assignee
      ? {
          displayName: assignee.name,
          ...(assignee.jira_account_id ? { accountId: assignee.jira_account_id } : {}),
          name: assignee.jira_user,
        }
      : null,
    contributors: [],
    labels: [...new Set([config.jira.cardLabel, ...config.jira.newCardLabels])],
    sprint: env.sprint?.name ?? null,
    createdAt: now,
    updatedAt: now,
    raw: { createdBy: 'card-creation', runId: ctx.runId },
  };
  await ctx.store.write(async (tx, changes) => {
    changes.record('card', await upsertCards(tx, [record], ctx.runId));
    const caseCard = { caseNumber: c.caseNumber, createdDate: c.createdDate, feJiraCard: key };
    changes.record('case', await patchCaseCard(tx, [caseCard], ctx.runId));
    await advanceClaim(tx, c.caseNumber, claimHolder(ctx), { step: 'stored' });
  });
}

/**
 * Reopens the finished card of a reopened older case: back into the active sprint, the configured
 * reopen transition (by name; the original hard-coded id "11"), an explanatory comment, and the
 * stored card's status. The comment is not repeatable, so its step (`linked`) is recorded alone.
 */
export async function reopenCard(
  env: CreationEnv,
  c: ReopenCandidate,
  claim: CardCreationClaim,
): Promise<CardDone> {
  const { config, jira, ctx } = env;
  const key = c.jiraKey;
  const sprint = env.sprint;
  await step(env, claim, 'sprint', async () => {
    if (sprint) expectWritten(await jira.addToSprint(sprint.id, [key]));
  });
  await step(env, claim, 'transitioned', async () => {
    expectWritten(await jira.transitionIssue(key, config.jira.transitions.reopen));
  });
  await step(env, claim, 'linked', async () => {
    expectWritten(await jira.addComment(key, REOPEN_COMMENT(c.caseNumber)));
  });
  const statusRaw = config.jira.transitions.reopen;
  await ctx.store.write(async (tx, changes) => {
    const card = {
      jiraKey: key,
      statusRaw,
      status: config.jira.statusMap[statusRaw] ?? 'Unknown',
      sprint: sprint?.name ?? null,
    };
    changes.record('card', await patchCardStatus(tx, [card], ctx.runId));
    await advanceClaim(tx, c.caseNumber, claimHolder(ctx), { step: 'done' });
  });
  return { case: c, key, url: browseUrl(config, key), assignee: undefined };
}
