import type { Logger } from '../../lib/logger.js';
import { UpstreamContractError } from '../errors.js';
import type { Batch } from '../types.js';
import { parseEach } from '../validation.js';
import { type PortalCase, portalCaseSchema } from './schemas.js';
import {
  andQuery,
  type CreatedWindow,
  firstPageRows,
  remainingPages,
  SEARCH_EPOCH,
  SOLR_RESULT_CAP,
  splitWindow,
  windowClause,
} from './search-windows.js';

/**
 * Re-read this much before a Portal `case_lastModifiedDate >=` cursor: the Portal's clock and ours
 * differ, and its search index lags behind its writes.
 */
export const PORTAL_SEARCH_OVERLAP_MS = 5 * 60_000;

/** Rows asked for when only `numFound` matters. */
const PROBE_ROWS = 1;

export interface SolrPage {
  numFound: number;
  docs: unknown[];
}

export interface CaseSearchStats {
  numFound: number;
  requests: number;
  windows: number;
  duplicates: number;
}

export interface CaseSearchRunner {
  fetchPage(q: string, start: number, rows: number): Promise<SolrPage>;
  pageSize: number;
  nowMs(): number;
  logger: Logger;
}

/**
 * Every case matching `query`, page by page, each case once. See search-windows.ts for the strategy. Rejected docs
 * are reported with their page; the sum of items and rejections equals what the Portal returned minus duplicates.
 */
export async function* searchAllCases(
  runner: CaseSearchRunner,
  query: string,
  stats: CaseSearchStats,
): AsyncGenerator<Batch<PortalCase>> {
  const seen = new Set<string>();
  const rows = firstPageRows(runner.pageSize);

  const fetch = async (q: string, start: number, pageRows: number) => {
    stats.requests++;
    return runner.fetchPage(q, start, pageRows);
  };

  const toBatch = (docs: unknown[]): Batch<PortalCase> => {
    const parsed = parseEach(docs, portalCaseSchema, 'portal.case');
    const items = parsed.items.filter((c) => {
      if (seen.has(c.caseNumber)) {
        stats.duplicates++;
        return false;
      }
      seen.add(c.caseNumber);
      return true;
    });
    return { items, rejected: parsed.rejected };
  };

  /** Reads all pages of a query whose first page is known and within the cap. */
  async function* pageThrough(q: string, first: SolrPage): AsyncGenerator<Batch<PortalCase>> {
    yield toBatch(first.docs);
    for (const page of remainingPages(first.numFound, rows)) {
      const next = await fetch(q, page.start, page.rows);
      if (next.docs.length === 0) break;
      yield toBatch(next.docs);
    }
  }

  const first = await fetch(query, 0, rows);
  stats.numFound = first.numFound;
  if (first.numFound <= SOLR_RESULT_CAP) {
    stats.windows = 1;
    yield* pageThrough(query, first);
    return;
  }

  runner.logger.info(
    { numFound: first.numFound, cap: SOLR_RESULT_CAP },
    'case search exceeds the Portal result cap; splitting by creation date',
  );
  // Depth-first, oldest window first, so pages come out roughly in creation order. The whole range is known to be
  // too big already, so start from its halves.
  const pending: CreatedWindow[] = splitWindow({ from: SEARCH_EPOCH }, runner.nowMs()) ?? [];
  let covered = 0;
  while (pending.length > 0) {
    const window = pending.shift() as CreatedWindow;
    const q = andQuery(query, windowClause(window));
    // A one-row probe tells the window's size without downloading a page that may have to be thrown away.
    const probe = await fetch(q, 0, PROBE_ROWS);
    let page: SolrPage | undefined;
    if (probe.numFound > 0 && probe.numFound <= SOLR_RESULT_CAP) page = await fetch(q, 0, rows);
    const size = page?.numFound ?? probe.numFound;
    if (size === 0) continue;
    if (!page || size > SOLR_RESULT_CAP) {
      const halves = splitWindow(window, runner.nowMs());
      if (!halves) {
        throw new UpstreamContractError(
          'portal',
          `more than ${SOLR_RESULT_CAP} cases created within one second (${windowClause(window)}); cannot split further`,
        );
      }
      pending.unshift(...halves);
      continue;
    }
    stats.windows++;
    covered += page.numFound;
    yield* pageThrough(q, page);
  }
  if (covered !== first.numFound) {
    runner.logger.warn(
      { numFound: first.numFound, covered },
      'case windows did not add up to the total; cases changed during the search',
    );
  }
}
