// The Telco tags the keyword tagging adds, as pure functions of the current value.

export const TELCO = 'Telco';
export const TELCO_CASE = 'Telco:Case';

/** Space-separated whiteboard with both tags: "Telco Telco:Case " in front, or " Telco:Case" appended. */
export function taggedWhiteboard(current: string): string | undefined {
  const words = current.split(/\s+/).filter(Boolean);
  const hasTelco = words.includes(TELCO);
  const hasCase = words.includes(TELCO_CASE);
  if (hasTelco && hasCase) return undefined;
  if (!hasTelco) return [TELCO, ...(hasCase ? [] : [TELCO_CASE]), ...words].join(' ');
  return [...words, TELCO_CASE].join(' ');
}

/** Comma-separated private keywords with both tags appended when missing. */
export function taggedKeywords(current: readonly string[]): string | undefined {
  const kept = current.map((k) => k.trim()).filter(Boolean);
  const missing = [TELCO, TELCO_CASE].filter((t) => !kept.includes(t));
  if (missing.length === 0) return undefined;
  return [...kept, ...missing].join(',');
}

export interface TaggingSummary {
  noKeywordsField: string[];
  taggedKeywords: string[];
  noWhiteboardField: string[];
  taggedWhiteboard: string[];
  nonBug: string[];
}

const section = (title: string, keys: readonly string[]) =>
  `${title}\n${keys.length ? keys.map((k) => `   - ${k}`).join('\n') : '   - No cards in this category'}\n\n`;

/** The original's summary mail sections, in its order. */
export function taggingMailBody(s: TaggingSummary, bugs: { tagged: string[]; failed: string[] }): string {
  return (
    section('Cards with No Private Keywords Field', s.noKeywordsField) +
    section('Script Tagged Private Keywords', s.taggedKeywords) +
    section('Cards with No Internal Whiteboard Field', s.noWhiteboardField) +
    section('Script Tagged Internal Whiteboard', s.taggedWhiteboard) +
    section('Non-Bug Cards Linked to Cases, Not Tagged', s.nonBug) +
    section('Bugzilla Bugs Tagged (Internal Whiteboard)', bugs.tagged) +
    (bugs.failed.length ? section('Failed', bugs.failed) : '')
  );
}

export const TAGGING_SUBJECT = 'Summary: Jira Bug Tagging';
