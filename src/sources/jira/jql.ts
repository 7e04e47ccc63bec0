// JQL building blocks. Values are always quoted, so a label or project name cannot change the query's meaning.

/** A JQL string literal. */
export function jqlString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Re-read this much before a JIRA `updated >=` cursor. JQL compares at minute precision and a just-updated
 * issue may show up in search a little late, so re-reading the last couple of minutes costs little and misses
 * nothing.
 */
export const JIRA_SEARCH_OVERLAP_MS = 2 * 60_000;

/**
 * `yyyy-MM-dd HH:mm` in `timeZone`. JIRA reads JQL dates in the searching user's time zone (their profile
 * setting), not UTC, so the client asks `/myself` for it once.
 */
export function jqlDateTime(date: Date, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

/** The `updated >= "…"` clause for a cursor, minus the overlap, floored to the minute. */
export function updatedSinceClause(
  cursor: Date,
  timeZone = 'UTC',
  overlapMs = JIRA_SEARCH_OVERLAP_MS,
): string {
  return `updated >= ${jqlString(jqlDateTime(new Date(cursor.getTime() - overlapMs), timeZone))}`;
}

/** True when `timeZone` is an IANA name this runtime can format with. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function andJql(...clauses: (string | undefined | false)[]): string {
  return clauses.filter((c): c is string => Boolean(c)).join(' AND ');
}
