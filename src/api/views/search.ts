import type { Served } from '../../shared/api/common.js';
import type { searchSchema } from '../../shared/api/search.js';
import { bugzillaUrl, jiraBrowseUrl, portalCaseUrl } from '../../shared/rules.js';
import { MARK_END, MARK_START, type SearchRow, searchAll } from '../../store/queries/search.js';
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

/** `text` with each occurrence of `needle` (any case) marked: the snippet of a hit by id or name. */
export function markOccurrences(text: string, needle: string): string {
  const n = needle.trim().toLowerCase();
  if (!n) return escapeHtml(text);
  const lower = text.toLowerCase();
  let out = '';
  let at = 0;
  for (let i = lower.indexOf(n); i >= 0; i = lower.indexOf(n, at)) {
    out += `${escapeHtml(text.slice(at, i))}<mark>${escapeHtml(text.slice(i, i + n.length))}</mark>`;
    at = i + n.length;
  }
  return out + escapeHtml(text.slice(at));
}

/** What a hit found by its identifier or name reads as, before the marking. */
function plainSnippet(r: SearchRow): string {
  switch (r.kind) {
    case 'card':
      return `${r.jiraKey} · ${r.title ?? ''}`;
    case 'bug':
      return `Bug ${r.bugId}${r.title ? ` · ${r.title}` : ''}`;
    case 'engineer':
      return `${r.name} · ${r.count} card${r.count === 1 ? '' : 's'} assigned`;
    case 'account':
      return `${r.name} · ${r.count} case${r.count === 1 ? '' : 's'}`;
    default:
      return `${r.caseNumber ?? ''} · ${r.title ?? ''}`;
  }
}

export async function search(
  deps: ViewDeps,
  text: string,
  page: { limit: number; offset: number },
): Promise<Served<typeof searchSchema>> {
  const { total, rows } = await searchAll(deps.store.db, text, page);
  return {
    q: text,
    total,
    ...page,
    items: rows.map((r) => ({
      kind: r.kind,
      caseNumber: r.caseNumber,
      caseUrl: r.caseNumber ? portalCaseUrl(r.caseNumber) : null,
      jiraKey: r.jiraKey,
      jiraUrl: r.jiraKey ? jiraBrowseUrl(deps.config.jira.url, r.jiraKey) : null,
      bugId: r.bugId,
      bugUrl: r.bugId ? bugzillaUrl(deps.config.bugzilla.url, r.bugId) : null,
      name: r.name,
      title: r.title,
      account: r.account,
      status: r.status,
      date: r.date,
      count: r.count,
      rank: r.rank,
      snippet:
        r.snippet !== null
          ? markSnippet(r.snippet)
          : // A bug typed as "bz123" or "#123" is marked by its id.
            markOccurrences(plainSnippet(r), r.kind === 'bug' ? (r.bugId ?? '') : text),
    })),
  };
}
