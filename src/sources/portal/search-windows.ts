// Pure helpers for complete Solr case searches.
//
// The Portal refuses any page where `start + rows > 9999`, so one query can return at most 9,999 cases. When a
// query matches more, it is cut into `case_createdDate` windows, and a window that still matches too many is cut in
// half again, until every window fits. Creation dates never change, so a case belongs to exactly one window; the
// client still dedupes by case number in case a case is edited between two pages.

export const SOLR_RESULT_CAP = 9999;

/** Earliest creation date a window starts at; older than any case in the Portal. */
export const SEARCH_EPOCH = new Date('1970-01-01T00:00:00Z');

/** An inclusive range of creation times; `to` undefined means open-ended (`*`). */
export interface CreatedWindow {
  from: Date;
  to?: Date;
}

export interface PageRequest {
  start: number;
  rows: number;
}

/** The pages after the first one needed to read `numFound` results, each within the cap. */
export function remainingPages(numFound: number, pageSize: number): PageRequest[] {
  const reachable = Math.min(numFound, SOLR_RESULT_CAP);
  const pages: PageRequest[] = [];
  for (let start = pageSize; start < reachable; start += pageSize) {
    pages.push({ start, rows: Math.min(pageSize, SOLR_RESULT_CAP - start) });
  }
  return pages;
}

/** The largest page size whose first page is allowed. */
export function firstPageRows(pageSize: number): number {
  return Math.max(1, Math.min(pageSize, SOLR_RESULT_CAP));
}

/** Solr's date form, second precision: `2025-03-13T13:25:21Z`. */
export function solrDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function windowClause(window: CreatedWindow): string {
  return `case_createdDate:[${solrDate(window.from)} TO ${window.to ? solrDate(window.to) : '*'}]`;
}

export function andQuery(base: string, ...clauses: string[]): string {
  return [`(${base})`, ...clauses].join(' AND ');
}

/**
 * Halves a window at whole seconds (the Portal's date precision): `[from, mid]` and `[mid + 1 s, to]`, so no case is
 * in both. An open-ended window is split against `nowMs`. Returns undefined when the window is one second wide.
 */
export function splitWindow(
  window: CreatedWindow,
  nowMs: number,
): [CreatedWindow, CreatedWindow] | undefined {
  const fromSec = Math.floor(window.from.getTime() / 1000);
  const toSec = Math.floor((window.to?.getTime() ?? Math.max(nowMs, window.from.getTime())) / 1000);
  if (toSec - fromSec < 1) return undefined;
  const midSec = Math.floor((fromSec + toSec) / 2);
  const left: CreatedWindow = { from: window.from, to: new Date(midSec * 1000) };
  const right: CreatedWindow = {
    from: new Date((midSec + 1) * 1000),
    ...(window.to ? { to: window.to } : {}),
  };
  return [left, right];
}
