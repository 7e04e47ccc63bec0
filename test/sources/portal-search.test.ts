import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { type CaseSearchStats, type SolrPage, searchAllCases } from '../../src/sources/portal/case-search.js';
import {
  remainingPages,
  SOLR_RESULT_CAP,
  solrDate,
  splitWindow,
  windowClause,
} from '../../src/sources/portal/search-windows.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function doc(n: number, createdMs: number) {
  const created = solrDate(new Date(createdMs));
  return {
    case_number: String(4_000_000 + n).padStart(8, '0'),
    case_createdDate: created,
    case_lastModifiedDate: created,
    case_severity: '3 (Normal)',
    case_status: 'Waiting on Red Hat',
    case_product: ['OpenShift Container Platform'],
    case_version: '4.18',
  };
}

/** An in-memory Solr that understands only what the search sends: created-date windows and the result cap. */
function fakeSolr(docs: ReturnType<typeof doc>[]) {
  const requests: { q: string; start: number; rows: number }[] = [];
  return {
    requests,
    async fetchPage(q: string, start: number, rows: number): Promise<SolrPage> {
      requests.push({ q, start, rows });
      if (start + rows > SOLR_RESULT_CAP) throw new Error(`cap exceeded: start=${start} rows=${rows}`);
      const range = /case_createdDate:\[(\S+) TO (\S+)\]/.exec(q);
      const from = range ? Date.parse(range[1] as string) : -Infinity;
      const to = range && range[2] !== '*' ? Date.parse(range[2] as string) : Infinity;
      const hits = docs.filter((d) => {
        const t = Date.parse(d.case_createdDate);
        return t >= from && t <= to;
      });
      return { numFound: hits.length, docs: hits.slice(start, start + rows) };
    },
  };
}

async function collect(solr: ReturnType<typeof fakeSolr>, pageSize: number) {
  const stats: CaseSearchStats = { numFound: 0, requests: 0, windows: 0, duplicates: 0 };
  const numbers: string[] = [];
  let rejected = 0;
  const runner = { fetchPage: solr.fetchPage, pageSize, nowMs: () => NOW, logger: silentLogger };
  for await (const batch of searchAllCases(runner, '(case_tags:*x*)', stats)) {
    numbers.push(...batch.items.map((c) => c.caseNumber));
    rejected += batch.rejected.length;
  }
  return { numbers, rejected, stats };
}

describe('search windows', () => {
  it('plans pages that never cross the cap', () => {
    expect(remainingPages(12, 5)).toEqual([
      { start: 5, rows: 5 },
      { start: 10, rows: 5 },
    ]);
    expect(remainingPages(20_000, 5000)).toEqual([{ start: 5000, rows: 4999 }]);
    expect(remainingPages(3, 5000)).toEqual([]);
  });

  it('splits at whole seconds without overlap and refuses a one-second window', () => {
    const window = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:10Z') };
    const [left, right] = splitWindow(window, NOW) ?? [];
    expect(windowClause(left ?? window)).toBe(
      'case_createdDate:[2026-01-01T00:00:00Z TO 2026-01-01T00:00:05Z]',
    );
    expect(windowClause(right ?? window)).toBe(
      'case_createdDate:[2026-01-01T00:00:06Z TO 2026-01-01T00:00:10Z]',
    );
    const open = splitWindow({ from: new Date('2026-01-01T00:00:00Z') }, NOW);
    expect(open?.[1].to).toBeUndefined();
    expect(splitWindow({ from: window.from, to: window.from }, NOW)).toBeUndefined();
  });
});

describe('complete case search', () => {
  it('returns every case exactly once past the 9,999 cap, splitting recursively', async () => {
    // 25,000 cases, most of them in the last two years so some windows need several splits.
    const docs = Array.from({ length: 25_000 }, (_, i) =>
      doc(i, NOW - (i % 10 === 0 ? i * 3_600_000 : (i % 700) * 86_400_000 + i * 1000)),
    );
    const solr = fakeSolr(docs);
    const { numbers, stats } = await collect(solr, 5000);
    expect(numbers).toHaveLength(docs.length);
    expect(new Set(numbers).size).toBe(docs.length);
    expect(stats.numFound).toBe(25_000);
    expect(stats.windows).toBeGreaterThanOrEqual(3);
    expect(solr.requests.every((r) => r.start + r.rows <= SOLR_RESULT_CAP)).toBe(true);
  });

  it('pages normally under the cap and handles an empty result', async () => {
    const docs = Array.from({ length: 23 }, (_, i) => doc(i, NOW - i * 60_000));
    const solr = fakeSolr(docs);
    const { numbers, stats } = await collect(solr, 10);
    expect(numbers).toHaveLength(23);
    expect(solr.requests.map((r) => r.start)).toEqual([0, 10, 20]);
    expect(stats.windows).toBe(1);

    const empty = await collect(fakeSolr([]), 10);
    expect(empty.numbers).toEqual([]);
    expect(empty.stats.requests).toBe(1);
  });

  it('dedupes a case that shows up on two pages and rejects invalid docs without stopping', async () => {
    const docs = Array.from({ length: 6 }, (_, i) => doc(i, NOW - i * 60_000));
    const solr = fakeSolr([
      ...docs.slice(0, 4),
      { ...docs[1], case_severity: '9 (Bogus)' } as never,
      docs[3] as never,
    ]);
    const result = await collect(solr, 2);
    expect(result.numbers).toEqual(docs.slice(0, 4).map((d) => d.case_number));
    expect(result.rejected).toBe(1);
    expect(result.stats.duplicates).toBe(1);
  });
});
