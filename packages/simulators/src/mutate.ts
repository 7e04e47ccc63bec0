/**
 * POST /_sim/mutate: changes the world the way a day of support work would, and reports exactly
 * what changed, so incremental-sync tests can assert the app fetched only those records.
 */
import { z } from 'zod';
import { SIM_DEFAULTS } from './constants.js';
import { isDoneStatus, statusByName } from './jira-workflow.js';
import type { SeverityLevel, SimCase, SimIssue, SimJiraComment } from './model.js';
import { createRng, type Rng } from './rng.js';
import type { SimulatorState } from './state.js';
import { fillPlaceholders, newCaseCommentId } from './text-gen.js';
import { CASE_OWNERS } from './vocab-names.js';
import { ASSOCIATE_COMMENTS, CARD_COMMENTS, CUSTOMER_COMMENTS, PRODUCTS } from './vocab-text.js';

const count = z.number().int().min(0).max(100_000);

export const mutateSchema = z
  .object({
    /** Share (0..1) of cases and of cards to tweak. */
    fraction: z.number().min(0).max(1).optional(),
    newCases: count.optional(),
    /** New portal comments on random open cases. */
    newComments: count.optional(),
    /** New Jira comments on random open cards. */
    newCardComments: count.optional(),
    closeCases: count.optional(),
    reopenCases: count.optional(),
    setCardStatus: z.object({ key: z.string(), status: z.string() }).strict().optional(),
    /** Random edits (status or summary) of this many linked JIRA issues. */
    changeIssues: count.optional(),
    /** Random edits (status or summary) of this many Bugzilla bugs linked to cases. */
    changeBugs: count.optional(),
    /** One linked JIRA issue edited as given (at least one field). */
    editIssue: z
      .object({ key: z.string(), summary: z.string().min(1).optional(), status: z.string().optional() })
      .strict()
      .optional(),
    /** One JIRA issue (a card, say) deleted, as `DELETE /rest/api/2/issue/{key}` does. */
    deleteIssue: z.object({ key: z.string() }).strict().optional(),
    /** One comment of an issue edited (default: its newest comment; default body: a revision note). */
    editComment: z
      .object({ key: z.string(), id: z.string().optional(), body: z.string().min(1).optional() })
      .strict()
      .optional(),
    /** One comment of an issue deleted (default: its newest comment). */
    deleteComment: z.object({ key: z.string(), id: z.string().optional() }).strict().optional(),
    /** One Bugzilla bug edited as given (at least one field). */
    editBug: z
      .object({
        id: z.number().int().positive(),
        summary: z.string().min(1).optional(),
        status: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type MutateRequest = z.infer<typeof mutateSchema>;

export interface MutateResult {
  changedCases: string[];
  changedCards: string[];
  newCases: string[];
  newComments: { caseNumber: string; id: string }[];
  newCardComments: { key: string; id: string }[];
  closedCases: string[];
  reopenedCases: string[];
  cardStatus?: { key: string; from: string; to: string };
  /** Linked JIRA issues edited (`changeIssues`, `editIssue`). */
  changedIssues: string[];
  /** Bugzilla bugs edited (`changeBugs`, `editBug`). */
  changedBugs: number[];
  /** JIRA issues deleted (`deleteIssue`). */
  deletedIssues: string[];
  /** JIRA comments edited (`editComment`) and deleted (`deleteComment`). */
  editedComments: { key: string; id: string }[];
  deletedComments: { key: string; id: string }[];
}

export class MutateError extends Error {}

const OPEN_CARD_STATUSES = ['To Do', 'Open', 'In Progress', 'Code Review', 'QE Review', 'Blocked'];

const LINKED_STATUSES = ['New', 'ASSIGNED', 'POST', 'MODIFIED', 'ON_QA'];
const BUG_STATUSES = ['NEW', 'ASSIGNED', 'POST', 'MODIFIED', 'ON_QA', 'VERIFIED'];

function setIssueStatus(issue: SimIssue, status: string, now: number): void {
  issue.status = status;
  if (isDoneStatus(status)) issue.resolutionDate = now;
  else delete issue.resolutionDate;
}

function pickSome<T>(rng: Rng, items: T[], n: number): T[] {
  return rng.sample(items, Math.min(n, items.length));
}

function tweakCase(rng: Rng, c: SimCase): void {
  const options =
    c.status === 'Closed' ? ['summary', 'owner', 'severity'] : ['summary', 'status', 'owner', 'severity'];
  switch (rng.pick(options)) {
    case 'summary': {
      const product = PRODUCTS.find((p) => p.name === c.product);
      const next = product ? rng.pick(product.summaries).replaceAll('{ver}', c.version) : c.summary;
      c.summary = next === c.summary ? `${c.summary} (recurring)` : next;
      break;
    }
    case 'status':
      c.status = c.status === 'Waiting on Red Hat' ? 'Waiting on Customer' : 'Waiting on Red Hat';
      break;
    case 'owner':
      c.owner = rng.pick(CASE_OWNERS.filter((o) => o !== c.owner));
      break;
    default:
      c.severity = (
        c.severity === 1 ? 2 : c.severity === 4 ? 3 : c.severity + rng.pick([-1, 1])
      ) as SeverityLevel;
  }
}

function addCardComment(state: SimulatorState, rng: Rng, card: SimIssue, now: number): string {
  const authors = state.teamUsers();
  const id = state.nextCommentId(card);
  card.extraComments.push({
    id,
    author: card.assignee ?? rng.pick(authors),
    body: fillPlaceholders(rng.pick(CARD_COMMENTS), rng, { case: card.caseNumber ?? '04000000' }),
    created: now,
    updated: now,
  });
  return id;
}

function tweakCard(state: SimulatorState, rng: Rng, card: SimIssue, now: number): void {
  const roll = rng.next();
  if (roll < 0.5) addCardComment(state, rng, card, now);
  else if (roll < 0.7 && !isDoneStatus(card.status))
    card.status = rng.pick(OPEN_CARD_STATUSES.filter((s) => s !== card.status));
  else if (roll < 0.85)
    card.priority = rng.pick(['Critical', 'Major', 'Normal', 'Minor'].filter((p) => p !== card.priority));
  else if (!card.labels.includes(SIM_DEFAULTS.trendsLabel)) card.labels.push(SIM_DEFAULTS.trendsLabel);
  else card.labels = card.labels.filter((l) => l !== SIM_DEFAULTS.trendsLabel);
}

function newCase(state: SimulatorState, rng: Rng, now: number): SimCase {
  let maxNumber = 0;
  for (const c of state.cases) maxNumber = Math.max(maxNumber, Number(c.number));
  const template = rng.pick(state.cases);
  const product = PRODUCTS.find((p) => p.name === template.product) ?? PRODUCTS[0];
  const severity = rng.weighted([
    [1, 5],
    [2, 22],
    [3, 58],
    [4, 15],
  ] as const) as SeverityLevel;
  const created = Math.floor(now / 1000) * 1000;
  const c: SimCase = {
    index: state.cases.length,
    number: String(maxNumber + rng.int(1, 37)).padStart(8, '0'),
    account: template.account,
    summary: product ? rng.pick(product.summaries).replaceAll('{ver}', template.version) : template.summary,
    status: 'Waiting on Red Hat',
    severity,
    owner: rng.pick(CASE_OWNERS),
    contactName: template.contactName,
    contactSso: template.contactSso,
    product: template.product,
    version: template.version,
    tags: [SIM_DEFAULTS.caseTag],
    tagsJoined: false,
    bugzillaNumbers: [],
    created,
    lastModified: created,
    critSit: false,
    epochTimes: false,
    forbidden: false,
    notifiedUsers: [],
    linkedIssueKeys: [],
    caseType: 'Defect / Bug',
    baseCommentCount: 1,
    commentSpanEnd: created,
    extraComments: [],
  };
  return c;
}

/** The comment `editComment` / `deleteComment` names: by id, else the issue's newest one. */
function commentToChange(
  state: SimulatorState,
  key: string,
  id: string | undefined,
): { issue: SimIssue; comment: SimJiraComment } {
  const issue = state.findIssue(key);
  if (!issue) throw new MutateError(`No issue ${key}`);
  const target = id ?? state.issueComments(issue).at(-1)?.id;
  const comment = target === undefined ? undefined : state.editableComment(issue, target);
  if (!comment)
    throw new MutateError(id ? `No comment ${id} on ${issue.key}` : `${issue.key} has no comments`);
  return { issue, comment };
}

export function applyMutation(state: SimulatorState, req: MutateRequest, sequence: number): MutateResult {
  const rng = createRng(state.seed, 'mutate', sequence);
  const now = state.now();
  const result: MutateResult = {
    changedCases: [],
    changedCards: [],
    newCases: [],
    newComments: [],
    newCardComments: [],
    closedCases: [],
    reopenedCases: [],
    changedIssues: [],
    changedBugs: [],
    deletedIssues: [],
    editedComments: [],
    deletedComments: [],
  };
  if (req.editIssue) {
    const { key, summary, status } = req.editIssue;
    const issue = state.findIssue(key);
    if (issue?.role !== 'linked') throw new MutateError(`No linked issue ${key}`);
    if (summary === undefined && status === undefined) throw new MutateError('editIssue changes nothing');
    const def = status === undefined ? undefined : statusByName(status);
    if (status !== undefined && !def) throw new MutateError(`Unknown status '${status}'`);
    if (summary !== undefined) issue.summary = summary;
    if (def) setIssueStatus(issue, def.name, now);
    issue.updated = now;
    result.changedIssues.push(issue.key);
  }
  if (req.editBug) {
    const { id, summary, status } = req.editBug;
    const bug = state.bugs.get(id);
    if (!bug) throw new MutateError(`No bug ${id}`);
    if (summary === undefined && status === undefined) throw new MutateError('editBug changes nothing');
    if (summary !== undefined) bug.summary = summary;
    if (status !== undefined) bug.status = status;
    bug.lastChange = now;
    result.changedBugs.push(bug.id);
  }
  const linked = state.issues.filter((i) => i.role === 'linked' && !result.changedIssues.includes(i.key));
  for (const issue of req.changeIssues ? pickSome(rng, linked, req.changeIssues) : []) {
    if (rng.chance(0.5)) issue.summary = `${issue.summary.replace(/ \(rev \d+\)$/, '')} (rev ${sequence})`;
    else setIssueStatus(issue, rng.pick(LINKED_STATUSES.filter((s) => s !== issue.status)), now);
    issue.updated = now;
    result.changedIssues.push(issue.key);
  }
  const linkedBugs = [...state.bugs.values()].filter(
    (b) => b.caseNumbers.length > 0 && !result.changedBugs.includes(b.id),
  );
  for (const bug of req.changeBugs ? pickSome(rng, linkedBugs, req.changeBugs) : []) {
    if (rng.chance(0.5)) bug.summary = `${bug.summary.replace(/ \(rev \d+\)$/, '')} (rev ${sequence})`;
    else bug.status = rng.pick(BUG_STATUSES.filter((s) => s !== bug.status));
    bug.lastChange = now;
    result.changedBugs.push(bug.id);
  }
  if (req.setCardStatus) {
    const card = state.findIssue(req.setCardStatus.key);
    if (!card) throw new MutateError(`No issue ${req.setCardStatus.key}`);
    const status = statusByName(req.setCardStatus.status);
    if (!status) throw new MutateError(`Unknown status '${req.setCardStatus.status}'`);
    result.cardStatus = { key: card.key, from: card.status, to: status.name };
    card.status = status.name;
    if (isDoneStatus(status.name)) card.resolutionDate = now;
    else delete card.resolutionDate;
    card.updated = now;
  }
  if (req.editComment) {
    const { key, id, body } = req.editComment;
    const { issue, comment } = commentToChange(state, key, id);
    comment.body = body ?? `${comment.body}\n\n(edited)`;
    comment.updated = Math.max(now, comment.updated + 1);
    issue.updated = Math.max(now, issue.updated + 1);
    result.editedComments.push({ key: issue.key, id: comment.id });
  }
  if (req.deleteComment) {
    const { issue, comment } = commentToChange(state, req.deleteComment.key, req.deleteComment.id);
    comment.deleted = now;
    issue.updated = Math.max(now, issue.updated + 1);
    result.deletedComments.push({ key: issue.key, id: comment.id });
  }
  if (req.deleteIssue) {
    const issue = state.findIssue(req.deleteIssue.key);
    if (!issue) throw new MutateError(`No issue ${req.deleteIssue.key}`);
    state.removeIssue(issue);
    result.deletedIssues.push(issue.key);
  }
  const fraction = req.fraction ?? 0;
  if (fraction > 0) {
    const n = Math.max(1, Math.round(state.cases.length * fraction));
    for (const c of pickSome(rng, state.cases, n)) {
      tweakCase(rng, c);
      c.lastModified = now;
      result.changedCases.push(c.number);
    }
    const cards = state.cards();
    for (const card of pickSome(rng, cards, Math.max(1, Math.round(cards.length * fraction)))) {
      tweakCard(state, rng, card, now);
      card.updated = now;
      result.changedCards.push(card.key);
    }
  }
  const open = () => state.cases.filter((c) => c.status !== 'Closed');
  for (let k = 0; k < (req.closeCases ?? 0); k++) {
    const candidates = open();
    if (candidates.length === 0) break;
    const c = rng.pick(candidates);
    c.status = 'Closed';
    c.closed = now;
    c.resolvedAt = now;
    c.lastModified = now;
    result.closedCases.push(c.number);
  }
  const carded = new Set(state.cards().map((i) => i.caseNumber));
  for (let k = 0; k < (req.reopenCases ?? 0); k++) {
    const closed = state.cases.filter((c) => c.status === 'Closed' && !result.closedCases.includes(c.number));
    if (closed.length === 0) break;
    // Prefer old cases that have a card: that is the original's "reopen the card" path.
    const preferred = closed.filter((c) => carded.has(c.number) && now - c.created > 15 * 86_400_000);
    const c = rng.pick(preferred.length > 0 ? preferred : closed);
    c.status = 'Waiting on Red Hat';
    delete c.closed;
    delete c.resolvedAt;
    c.lastModified = now;
    result.reopenedCases.push(c.number);
  }
  for (let k = 0; k < (req.newCases ?? 0); k++) {
    const c = newCase(state, rng, now);
    state.addCase(c);
    result.newCases.push(c.number);
  }
  for (let k = 0; k < (req.newComments ?? 0); k++) {
    const candidates = open();
    if (candidates.length === 0) break;
    const c = rng.pick(candidates);
    const byCustomer = rng.chance(0.5);
    const id = newCaseCommentId(rng);
    c.extraComments.push({
      id,
      caseNumber: c.number,
      commentBody: fillPlaceholders(rng.pick(byCustomer ? CUSTOMER_COMMENTS : ASSOCIATE_COMMENTS), rng, {
        case: c.number,
        ver: c.version,
      }),
      createdBy: byCustomer ? c.contactName : c.owner,
      createdByType: byCustomer ? 'Customer' : 'Associate',
      isPublic: true,
      created: now,
      lastModified: now,
    });
    c.lastModified = now;
    result.newComments.push({ caseNumber: c.number, id });
  }
  for (let k = 0; k < (req.newCardComments ?? 0); k++) {
    const cards = state.cards().filter((i) => !isDoneStatus(i.status));
    if (cards.length === 0) break;
    const card = rng.pick(cards);
    const id = addCardComment(state, rng, card, now);
    card.updated = now;
    result.newCardComments.push({ key: card.key, id });
  }
  state.touch();
  return result;
}
