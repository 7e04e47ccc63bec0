import type { Served } from '../../shared/api/common.js';
import type { searchSchema } from '../../shared/api/search.js';
import { jiraBrowseUrl, portalCaseUrl } from '../../shared/rules.js';
import { MARK_END, MARK_START, searchAll } from '../../store/queries/search.js';
import type { ViewDeps } from './deps.js';

// Global search results. The snippet is the one place the API returns HTML: everything in it is
// escaped except the <mark> tags around the matches, so the UI can insert it as is.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

export function markSnippet(raw: string): string {
  return escapeHtml(raw).replaceAll(MARK_START, '<mark>').replaceAll(MARK_END, '</mark>');
}

export async function search(
  deps: ViewDeps,
  text: string,
  limit: number,
): Promise<Served<typeof searchSchema>> {
  const rows = await searchAll(deps.store.db, text, limit);
  return {
    q: text,
    items: rows.map((r) => ({
      kind: r.kind,
      caseNumber: r.caseNumber,
      caseUrl: portalCaseUrl(r.caseNumber),
      jiraKey: r.jiraKey,
      jiraUrl: r.jiraKey ? jiraBrowseUrl(deps.config.jira.url, r.jiraKey) : null,
      title: r.title,
      account: r.account,
      status: r.status,
      date: r.date,
      rank: r.rank,
      snippet: markSnippet(r.snippet),
    })),
  };
}
