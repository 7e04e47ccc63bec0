import type { z } from 'zod';
import type { Served } from '../../shared/api/common.js';
import {
  type Grouped,
  type ReportKind,
  type reportQuery,
  type reportSchema,
  type weeklyQuery,
  weeklyRangeError,
  type weeklySchema,
} from '../../shared/api/reports.js';
import { recentWindow } from '../../shared/counted.js';
import { bugzillaUrl } from '../../shared/rules.js';
import { type CardRow, getCardRows } from '../../store/queries/card-list.js';
import { bugsOf } from '../../store/queries/legacy.js';
import {
  commentsOf,
  latestCommentsBetween,
  type ReportComment,
  reportPage,
  weeklyPage,
} from '../../store/queries/reports.js';
import { type CardItem, cardItem } from '../presenters.js';
import { BadRequestError } from '../replies.js';
import { presentContext, type ViewDeps } from './deps.js';
import { filterOf } from './tables.js';

// Reports: cards grouped account → case status, each with its bugs and JIRA comments (newest
// first). Paged by cards in group order, so a page ends mid-group at worst and the next page
// continues it. Any case status is a group (the original crashed on statuses it did not know), and
// cards without comments are included (the original hid them).

const commentItem = (m: ReportComment) => ({
  date: m.updated,
  body: m.body,
  format: m.format,
  author: m.author,
});

/** Consecutive cards (already in group order) folded into account → status groups. */
function group<T extends CardItem>(cards: T[]) {
  const accounts: Grouped<T>[] = [];
  for (const card of cards) {
    let a = accounts.at(-1);
    if (!a || a.account !== card.account) {
      a = { account: card.account, statuses: [] };
      accounts.push(a);
    }
    let s = a.statuses.at(-1);
    if (!s || s.status !== card.caseStatus) {
      s = { status: card.caseStatus, cards: [] };
      a.statuses.push(s);
    }
    s.cards.push(card);
  }
  return accounts;
}

const inOrder = (rows: CardRow[], keys: string[]) => {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  return keys.flatMap((k) => byKey.get(k) ?? []);
};

export async function report(
  deps: ViewDeps,
  kind: ReportKind,
  query: z.output<typeof reportQuery>,
): Promise<Served<typeof reportSchema>> {
  const ctx = presentContext(deps);
  const filter = filterOf(query);
  if (kind === 'recent') filter.recent = true;
  if (kind === 'trends') filter.label = ['Trends'];
  const db = deps.store.db;
  const { keys, total } = await reportPage(db, {
    filter,
    limit: query.limit,
    offset: query.offset,
    now: ctx.now,
  });
  const rows = inOrder(await getCardRows(db, keys, deps.config.jira.escalations?.project), keys);
  const refs = rows.flatMap((r) =>
    r.caseNumber && r.caseCreated ? [{ caseNumber: r.caseNumber, createdDate: r.caseCreated }] : [],
  );
  // "Recent updates" shows only the comments of the last 7 days, as the original did.
  const since = kind === 'recent' ? recentWindow(ctx.now).from : null;
  const [comments, bugs] = await Promise.all([commentsOf(db, keys, since), bugsOf(db, refs)]);
  const cards = rows.map((r) => ({
    ...cardItem(r, ctx),
    bugs: bugs
      .filter((b) => b.caseNumber === r.caseNumber)
      .map((b) => ({
        id: b.bugId,
        url: bugzillaUrl(deps.config.bugzilla.url, b.bugId),
        summary: b.summary,
        targetRelease: b.targetRelease ?? [],
        assignee: b.assignee,
        qaContact: b.qaContact,
        lastChange: b.lastChangeTime,
        status: b.status,
        severity: b.severity,
      })),
    comments: comments.filter((m) => m.jiraKey === r.key).map(commentItem),
  }));
  return { kind, total, limit: query.limit, offset: query.offset, accounts: group(cards) };
}

export async function weeklyReport(
  deps: ViewDeps,
  query: z.output<typeof weeklyQuery>,
): Promise<Served<typeof weeklySchema>> {
  const ctx = presentContext(deps);
  const to = query.to ? new Date(query.to) : ctx.now;
  // By default the same window as the recent-updates views, so "last 7 days" counts the same cards.
  const from = query.from ? new Date(query.from) : recentWindow(to, query.days).from;
  const rangeError = weeklyRangeError(from.toISOString(), to.toISOString());
  if (rangeError) throw new BadRequestError(rangeError);
  const db = deps.store.db;
  const filter = filterOf(query);
  const { keys, total } = await weeklyPage(db, {
    from,
    to,
    filter,
    limit: query.limit,
    offset: query.offset,
    now: ctx.now,
  });
  const [rows, latest] = await Promise.all([
    getCardRows(db, keys, deps.config.jira.escalations?.project),
    latestCommentsBetween(db, keys, from, to),
  ]);
  const commentBy = new Map(latest.map((m) => [m.jiraKey, commentItem(m)]));
  const cards = inOrder(rows, keys).map((r) => ({
    ...cardItem(r, ctx),
    comment: commentBy.get(r.key) ?? null,
  }));
  return { from, to, total, limit: query.limit, offset: query.offset, accounts: group(cards) };
}
