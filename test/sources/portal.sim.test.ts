import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createPromUpstreamMetrics } from '../../src/sources/metrics.js';
import { createPortalClient } from '../../src/sources/portal/client.js';
import type { PortalCase } from '../../src/sources/portal/schemas.js';
import { control, FAST_RETRY, metricValue, type Sim, simEnv, startSim, testConfig } from './support.js';

const TEAM_TAG = 'shift_telco5g';

function expectedCaseNumbers(sim: Sim): string[] {
  return sim.state.cases.filter((c) => c.tags?.some((t) => t.includes(TEAM_TAG))).map((c) => c.number);
}

function expectEachOnce(items: PortalCase[], expected: string[]) {
  const numbers = items.map((c) => c.caseNumber);
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(new Set(numbers)).toEqual(new Set(expected));
}

describe('portal search past the 9,999-result cap (12,000 cases)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startSim({ cases: 12_000 });
  });
  afterAll(() => sim.close());

  it('returns every matching case exactly once', async () => {
    const config = testConfig({ ...simEnv(sim), PORTAL_PAGE_SIZE: '5000' });
    const portal = createPortalClient(config, { logger: silentLogger, retry: FAST_RETRY });
    const expected = expectedCaseNumbers(sim);
    expect(expected.length).toBeGreaterThan(9_999);

    const result = await portal.searchCases();
    expect(result.rejected).toEqual([]);
    expectEachOnce(result.items, expected);
    expect(result.stats.numFound).toBe(expected.length);
    expect(result.stats.windows).toBeGreaterThan(1);
  });

  it('finds what changed since a cursor, with the same completeness', async () => {
    const config = testConfig({ ...simEnv(sim), PORTAL_PAGE_SIZE: '5000' });
    const portal = createPortalClient(config, { logger: silentLogger, retry: FAST_RETRY });
    // The simulator runs on its own clock (anchored at start-up), so take the cursor from it.
    const cursor = new Date(sim.state.now() - 1000);
    const changed = (await control(sim).mutate({ fraction: 0.01, newCases: 3 })) as {
      changedCases: string[];
      newCases: string[];
    };
    const result = await portal.searchCases({ modifiedSince: cursor });
    const numbers = new Set(result.items.map((c) => c.caseNumber));
    const teamCases = new Set(expectedCaseNumbers(sim));
    for (const n of [...changed.changedCases, ...changed.newCases].filter((n) => teamCases.has(n))) {
      expect(numbers.has(n)).toBe(true);
    }
    expect(
      result.items.every((c) => c.lastModifiedAt.getTime() >= Math.floor(cursor.getTime() / 1000) * 1000),
    ).toBe(true);
    expect(result.items.length).toBeLessThan(1_000);
  });
});

describe('portal client (300 cases)', () => {
  let sim: Sim;
  const sim$ = () => control(sim);
  beforeAll(async () => {
    sim = await startSim({ cases: 300 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim$().clearFaults();
    await sim$().resetCounters();
  });

  const portalFor = (registry?: Registry) =>
    createPortalClient(testConfig({ ...simEnv(sim), PORTAL_PAGE_SIZE: '50' }), {
      logger: silentLogger,
      retry: FAST_RETRY,
      ...(registry ? { metrics: createPromUpstreamMetrics(registry) } : {}),
    });

  it('re-exchanges the token when it expires in the middle of a run', async () => {
    const portal = portalFor();
    const items: PortalCase[] = [];
    let pages = 0;
    for await (const page of portal.searchCasePages()) {
      items.push(...page.items);
      if (++pages === 2) await sim$().expireTokens();
    }
    expect(pages).toBeGreaterThan(2);
    expectEachOnce(items, expectedCaseNumbers(sim));
    const counters = await sim$().counters();
    expect(counters.upstreams.sso?.requests).toBe(2);
  });

  it('rides out a 429 storm, waiting as long as X-RateLimit-Delay says', async () => {
    const registry = new Registry();
    const portal = portalFor(registry);
    const openCases = sim.state.cases.filter((c) => c.status !== 'Closed' && !c.forbidden).slice(0, 15);
    await sim$().faults({ portal: { rateLimitRate: 0.3, retryAfterSeconds: 0.2, limit: 12 } });

    const started = Date.now();
    const search = await portal.searchCases();
    const extras = await portal.fetchCaseExtras(
      openCases.map((c) => c.number),
      ['detail', 'comments', 'links'],
    );
    const elapsed = Date.now() - started;

    expectEachOnce(search.items, expectedCaseNumbers(sim));
    expect(extras.failed).toEqual([]);
    expect(extras.byCase.size).toBe(openCases.length);
    const waits = await metricValue(registry, 't5g_upstream_rate_limit_waits_total', { upstream: 'portal' });
    const waited = await metricValue(registry, 't5g_upstream_rate_limit_wait_seconds_total', {
      upstream: 'portal',
    });
    const got429 = await metricValue(registry, 't5g_upstream_requests_total', {
      upstream: 'portal',
      outcome: '429',
    });
    expect(got429).toBe(12);
    expect(waits).toBe(12);
    expect(waited).toBeGreaterThanOrEqual(12 * 0.2);
    // Waits of concurrent callers overlap, but never less than one announced delay passed in real time.
    expect(elapsed).toBeGreaterThanOrEqual(200);
  });

  it('survives timeouts, truncated bodies and 5xx on reads', async () => {
    const registry = new Registry();
    const portal = createPortalClient(testConfig({ ...simEnv(sim), PORTAL_PAGE_SIZE: '50' }), {
      logger: silentLogger,
      retry: { ...FAST_RETRY, timeoutMs: 300 },
      metrics: createPromUpstreamMetrics(registry),
    });
    await sim$().faults({ portal: { timeoutRate: 0.1, truncateRate: 0.2, errorRate: 0.1, limit: 8 } });
    const openCases = sim.state.cases.filter((c) => c.status !== 'Closed' && !c.forbidden).slice(0, 10);
    const search = await portal.searchCases();
    const extras = await portal.fetchCaseExtras(
      openCases.map((c) => c.number),
      ['detail', 'comments'],
    );
    expectEachOnce(search.items, expectedCaseNumbers(sim));
    expect(extras.failed).toEqual([]);
    expect(await metricValue(registry, 't5g_upstream_retries_total', { upstream: 'portal' })).toBe(8);
  });

  it('rejects invalid records with reasons and still delivers the rest', async () => {
    await sim$().faults({ portal: { invalidRecordRate: 0.1, only: 'GET /search/cases' } });
    const result = await portalFor().searchCases();
    expect(result.rejected.length).toBeGreaterThan(0);
    for (const r of result.rejected) {
      expect(r.source).toBe('portal.case');
      expect(r.reason).toMatch(/case_number|case_severity|case_createdDate/);
      expect(r.payload).toBeTypeOf('object');
    }
    expect(result.items.length + result.rejected.length).toBe(result.stats.numFound);
  });

  it('reads details, comments and JIRA links with bounded concurrency; a forbidden case fails alone', async () => {
    const forbidden = sim.state.cases.find((c) => c.forbidden);
    const withLinks = sim.state.cases.find((c) => !c.forbidden && c.linkedIssueKeys.length > 0);
    const withBugs = sim.state.cases.find((c) => !c.forbidden && c.bugzillaNumbers.length > 0);
    expect(forbidden && withLinks && withBugs).toBeTruthy();
    const numbers = [forbidden, withLinks, withBugs].map((c) => c?.number as string);
    const portal = portalFor();
    const extras = await portal.fetchCaseExtras(numbers, ['detail', 'comments', 'links']);

    expect(extras.failed.map((f) => [f.caseNumber, f.extra])).toEqual(
      expect.arrayContaining([
        [forbidden?.number, 'detail'],
        [forbidden?.number, 'comments'],
        [forbidden?.number, 'links'],
      ]),
    );
    expect(extras.failed).toHaveLength(3);
    const linked = extras.byCase.get(withLinks?.number as string);
    expect(linked?.links?.length).toBeGreaterThan(0);
    expect(linked?.links?.every((l) => l.title !== '')).toBe(true);
    expect(linked?.detail?.critSit).toBeTypeOf('boolean');
    expect(linked?.comments?.every((c) => c.createdAt instanceof Date)).toBe(true);
    const bugged = extras.byCase.get(withBugs?.number as string);
    expect(bugged?.detail?.bugzillas.map((b) => b.bugzillaNumber)).toEqual(
      expect.arrayContaining(withBugs?.bugzillaNumbers ?? []),
    );
  });

  it('adds and removes notified users', async () => {
    const portal = portalFor();
    const target = sim.state.cases.find((c) => !c.forbidden && c.status !== 'Closed');
    const caseNumber = target?.number as string;
    const added = await portal.addNotifiedUser(caseNumber, 'jdoe-sim');
    expect(added.blocked).toBe(false);
    expect((await portal.listNotifiedUsers(caseNumber)).map((u) => u.ssoUsername)).toContain('jdoe-sim');
    expect(await portal.removeNotifiedUser(caseNumber, 'jdoe-sim')).toEqual({
      blocked: false,
      value: { removed: true },
    });
    expect(await portal.removeNotifiedUser(caseNumber, 'jdoe-sim')).toEqual({
      blocked: false,
      value: { removed: false },
    });
    expect((await portal.listNotifiedUsers(caseNumber)).map((u) => u.ssoUsername)).not.toContain('jdoe-sim');
  });
});
