import { z } from 'zod';
import { SEARCH_KINDS } from '../vocabulary.js';
import { clientText, dateTime, int, nint, nstr, str, type Wire } from './common.js';

// Global search: a case by number, a card by JIRA key, a bug by id, engineers and accounts by
// name, and full text over cases, Portal comments and JIRA comments; best first, paged, with the
// total of every match.

export const searchHitSchema = z.strictObject({
  kind: z.enum(SEARCH_KINDS),
  /** The case of the hit (a card's, a comment's, the first case a bug is linked to). */
  caseNumber: nstr,
  caseUrl: nstr,
  jiraKey: nstr,
  jiraUrl: nstr,
  bugId: nstr,
  bugUrl: nstr,
  /** An engineer's or account's name. */
  name: nstr,
  title: nstr,
  account: nstr,
  status: nstr,
  date: dateTime.nullable(),
  /** An engineer's cards, an account's cases. */
  count: nint,
  rank: z.number(),
  /** Escaped text with the matches in <mark>…</mark>; rendered by parsing, never as HTML. */
  snippet: str.describe('HTML: escaped text with the matches in <mark>…</mark>.'),
});

export const searchSchema = z.strictObject({
  q: str,
  /** Every match; `items` is the page from `offset`. */
  total: int,
  limit: int,
  offset: int,
  items: z.array(searchHitSchema),
});

export const searchQuery = z.strictObject({
  q: clientText(200).min(1),
  limit: z.int().min(1).max(100).default(20),
  offset: z.int().min(0).max(100_000).default(0),
});

export type SearchHit = Wire<typeof searchHitSchema>;
export type SearchResult = Wire<typeof searchSchema>;
