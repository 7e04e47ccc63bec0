/**
 * Deterministic, lazily generated text: case descriptions and both comment threads. Each function
 * derives its own RNG from (seed, entity id), so the output never depends on request order and
 * nothing has to be held in memory for 100k cases.
 */
import type { SimCase, SimCaseComment, SimIssue, SimJiraComment, SimUser } from './model.js';
import { createRng, type Rng } from './rng.js';
import {
  ASSOCIATE_COMMENTS,
  CARD_COMMENTS,
  CUSTOMER_COMMENTS,
  DESCRIPTION_SENTENCES,
  HOSTILE_TEXTS,
  LOCALIZED_COMMENTS,
} from './vocab-text.js';

/** Roughly 1 in 120 comments carries a hostile payload. */
const HOSTILE_RATE = 1 / 120;

export function fillPlaceholders(
  template: string,
  rng: Rng,
  values: { case?: string; ver?: string; bug?: string },
): string {
  return template
    .replaceAll('{case}', values.case ?? '04000000')
    .replaceAll('{ver}', values.ver ?? '4.16')
    .replaceAll('{bug}', values.bug ?? `OCPBUGS-${rng.int(10000, 59999)}`)
    .replaceAll('{n}', String(rng.int(1000, 99999)));
}

export function caseDescription(seed: number, c: SimCase): string {
  const rng = createRng(seed, 'case-description', c.number);
  const sentences = rng.sample(DESCRIPTION_SENTENCES, rng.int(2, 4));
  return `${c.summary}.\n\n${sentences.join(' ')}\n\nEnvironment: ${c.product} ${c.version}`;
}

/** Salesforce-style 18-character ids (`a0aHn000…`). */
function salesforceId(rng: Rng): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let id = 'a0a';
  for (let i = 0; i < 15; i++) id += alphabet[rng.int(0, alphabet.length - 1)];
  return id;
}

export function newCaseCommentId(rng: Rng): string {
  return salesforceId(rng);
}

/** Comment i of n is placed in the i-th slice of [start, end] so threads stay chronological. */
function spreadTime(rng: Rng, start: number, end: number, i: number, n: number): number {
  const span = Math.max(0, end - start);
  const slice = span / n;
  return Math.floor(start + slice * i + rng.next() * slice);
}

export function generateCaseComments(seed: number, c: SimCase): SimCaseComment[] {
  const rng = createRng(seed, 'case-comments', c.number);
  const out: SimCaseComment[] = [];
  const n = c.baseCommentCount;
  for (let i = 0; i < n; i++) {
    // The customer opens the case; after that both sides alternate, with some noise.
    const byCustomer = i === 0 || rng.chance(0.45);
    let body: string;
    if (rng.chance(HOSTILE_RATE)) body = rng.pick(HOSTILE_TEXTS);
    else if (byCustomer && c.account.locale !== 'en' && rng.chance(0.3)) body = rng.pick(LOCALIZED_COMMENTS);
    else body = rng.pick(byCustomer ? CUSTOMER_COMMENTS : ASSOCIATE_COMMENTS);
    const bug = c.linkedIssueKeys[0];
    const created = spreadTime(rng, c.created, c.commentSpanEnd, i, n);
    out.push({
      id: salesforceId(rng),
      caseNumber: c.number,
      commentBody: fillPlaceholders(body, rng, { case: c.number, ver: c.version, ...(bug ? { bug } : {}) }),
      createdBy: byCustomer ? c.contactName : c.owner,
      createdByType: byCustomer ? 'Customer' : 'Associate',
      isPublic: byCustomer || !rng.chance(0.15),
      created,
      lastModified: created,
    });
  }
  return out;
}

export function generateIssueComments(
  seed: number,
  issue: SimIssue,
  authors: readonly SimUser[],
): SimJiraComment[] {
  const rng = createRng(seed, 'issue-comments', issue.key);
  const out: SimJiraComment[] = [];
  const n = issue.baseCommentCount;
  for (let i = 0; i < n; i++) {
    const author = issue.assignee && rng.chance(0.6) ? issue.assignee : rng.pick(authors);
    const template = rng.chance(HOSTILE_RATE) ? rng.pick(HOSTILE_TEXTS) : rng.pick(CARD_COMMENTS);
    const created = spreadTime(rng, issue.commentSpanStart, issue.commentSpanEnd, i, n);
    // Comment ids are unique across issues: issue id * 1000 + position.
    const comment: SimJiraComment = {
      id: String(issue.id * 1000 + i),
      author,
      body: fillPlaceholders(template, rng, { case: issue.caseNumber ?? '04000000' }),
      created,
      updated: created,
    };
    if (rng.chance(0.1)) comment.visibility = { type: 'group', value: 'Red Hat Employee' };
    out.push(comment);
  }
  return out;
}
