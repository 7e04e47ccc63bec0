import { z } from 'zod';
import { dateTime, nstr, str, type Wire } from './common.js';

// Global search: full text over cases, Portal comments and JIRA comments, best first.

export const searchHitSchema = z.strictObject({
  kind: z.enum(['case', 'comment', 'jira_comment']),
  caseNumber: str,
  caseUrl: str,
  jiraKey: nstr,
  jiraUrl: nstr,
  title: nstr,
  account: nstr,
  status: nstr,
  date: dateTime,
  rank: z.number(),
  /** Escaped text with the matches in <mark>…</mark>; rendered by parsing, never as HTML. */
  snippet: str.describe('HTML: escaped text with the matches in <mark>…</mark>.'),
});

export const searchSchema = z.strictObject({ q: str, items: z.array(searchHitSchema) });

export const searchQuery = z.strictObject({
  q: z.string().min(1).max(200),
  limit: z.int().min(1).max(100).default(20),
});

export type SearchHit = Wire<typeof searchHitSchema>;
export type SearchResult = Wire<typeof searchSchema>;
