import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterSnapshot, MutateResult, RunningSimulator, StateSummary } from '../src/index.js';
import { ANCHOR, accessToken, call, cloudAuth, jsonInit, startTestSimulator } from './helpers.js';

type Search = { response: { numFound: number; docs: Record<string, unknown>[] } };

describe('simulator control endpoints', () => {
  let sim: RunningSimulator;
  let token: string;
  const portal = (path: string) =>
    call<Search>(`${sim.urls.portal}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const faults = (body: unknown) => call(`${sim.url}/_sim/faults`, jsonInit('PUT', body));

  beforeAll(async () => {
    sim = await startTestSimulator({ cases: 500 });
    token = await accessToken(sim);
  });
  afterAll(() => sim.close());

  it('counts requests and writes per endpoint, per upstream and in total', async () => {
    await call(`${sim.url}/_sim/counters/reset`, { method: 'POST' });
    await portal('/search/cases?q=*:*&rows=1');
    await portal('/search/cases?q=*:*&rows=1');
    const c = sim.state.cases.find((x) => !x.forbidden);
    await call(
      `${sim.urls.portal}/v1/cases/${c?.number}/notifiedusers`,
      jsonInit('POST', { user: [{ ssoUsername: 'x' }] }, { authorization: `Bearer ${token}` }),
    );
    await call(`${sim.urls.jira}/rest/api/3/search/jql?jql=project=KNIECO`, { headers: cloudAuth() });
    const snap = (await call<CounterSnapshot>(`${sim.url}/_sim/counters`)).body;
    expect(snap.requests['portal GET /search/cases']).toBe(2);
    expect(snap.requests['portal POST /v1/cases/:caseNumber/notifiedusers']).toBe(1);
    expect(snap.writes['portal POST /v1/cases/:caseNumber/notifiedusers']).toBe(1);
    expect(snap.requests['jira GET /rest/api/3/search/jql']).toBe(1);
    expect(snap.upstreams.portal).toEqual({ requests: 3, writes: 1 });
    expect(snap.totals).toEqual({ requests: 4, writes: 1 });
    const reset = (await call<CounterSnapshot>(`${sim.url}/_sim/counters/reset`, { method: 'POST' })).body;
    expect(reset.totals).toEqual({ requests: 0, writes: 0 });
  });

  it('injects 5xx errors, latency, timeouts, truncation and invalid records', async () => {
    await faults({ portal: { errorRate: 1, limit: 3 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await portal('/search/cases?rows=1')).status);
    for (const s of statuses) expect([500, 502, 503]).toContain(s);
    expect((await portal('/search/cases?rows=1')).status).toBe(200);

    await faults({ portal: { latencyMs: 150 } });
    const t = Date.now();
    await portal('/search/cases?rows=1');
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);

    await faults({ portal: { latencyMs: 0, timeoutRate: 1, limit: 1 } });
    // The request is held, not refused: the client's own timeout is what ends it.
    const held = Date.now();
    await expect(
      fetch(`${sim.urls.portal}/search/cases?rows=1`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - held).toBeGreaterThanOrEqual(290);
    expect((await portal('/search/cases?rows=1')).status).toBe(200);

    await faults({ jira: { truncateRate: 1, limit: 6 } });
    let failures = 0;
    for (let i = 0; i < 6; i++) {
      try {
        const res = await fetch(`${sim.urls.jira}/rest/api/3/search/jql?jql=project=KNIECO&fields=summary`, {
          headers: cloudAuth(),
        });
        JSON.parse(await res.text());
      } catch {
        failures++;
      }
    }
    expect(failures).toBe(6);

    await call(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    await faults({ portal: { invalidRecordRate: 0.5 } });
    const docs = (await portal('/search/cases?q=*:*&rows=100&fl=case_number,case_severity,case_createdDate'))
      .body.response.docs;
    const broken = docs.filter(
      (d) =>
        !('case_number' in d) ||
        !/^[1-4] \(/.test(String(d.case_severity)) ||
        !String(d.case_createdDate).endsWith('Z'),
    );
    expect(broken.length).toBeGreaterThan(20);
    expect(broken.length).toBeLessThan(80);
    const cleared = await call<Record<string, { errorRate: number }>>(`${sim.url}/_sim/faults`, {
      method: 'DELETE',
    });
    expect(cleared.body.portal?.errorRate).toBe(0);
    expect((await faults({ portal: { errorRate: 2 } })).status).toBe(400);
  });

  it('mutates a fraction of cases and cards so incremental queries see only those', async () => {
    await new Promise((r) => setTimeout(r, 1100));
    const before = new Date(sim.state.now()).toISOString().slice(0, 19) + 'Z';
    const res = await call<MutateResult>(
      `${sim.url}/_sim/mutate`,
      jsonInit('POST', { fraction: 0.01, newCases: 2, newComments: 3, closeCases: 1, reopenCases: 1 }),
    );
    expect(res.status).toBe(200);
    const m = res.body;
    expect(m.changedCases).toHaveLength(5);
    expect(m.changedCards.length).toBeGreaterThan(0);
    expect(m.newCases).toHaveLength(2);
    const changed = new Set([
      ...m.changedCases,
      ...m.newCases,
      ...m.newComments.map((c) => c.caseNumber),
      ...m.closedCases,
      ...m.reopenedCases,
    ]);
    const inc = await portal(
      `/search/cases?${new URLSearchParams({ q: `case_lastModifiedDate:[${before} TO *]`, rows: '1000', fl: 'case_number' })}`,
    );
    expect(new Set(inc.body.response.docs.map((d) => String(d.case_number)))).toEqual(changed);

    // JQL has minute precision: the minute of `before` covers everything changed since then. JIRA reads
    // the date in the searching account's zone (the bot's, America/New_York by default), so it is written in it.
    const minute = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/New_York',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(before));
    const jql = `project = KNIECO AND updated >= "${minute}"`;
    const cards = await call<{ issues: { key: string }[] }>(
      `${sim.urls.jira}/rest/api/3/search/jql?${new URLSearchParams({ jql, fields: 'updated', maxResults: '100' })}`,
      { headers: cloudAuth() },
    );
    expect(cards.body.issues.map((i) => i.key).sort()).toEqual([...m.changedCards].sort());

    const summary = (await call<StateSummary>(`${sim.url}/_sim/state/summary`)).body;
    expect(summary.cases).toBe(502);
    expect(summary.openCasesWithoutCard).toBeGreaterThanOrEqual(2);
    const open = await portal(
      `/search/cases?${new URLSearchParams({ q: 'NOT case_status:Closed', rows: '0' })}`,
    );
    expect(open.body.response.numFound).toBe(summary.openCases);

    const card = sim.state.cards()[0];
    const set = await call<MutateResult>(
      `${sim.url}/_sim/mutate`,
      jsonInit('POST', { setCardStatus: { key: card?.key, status: 'Blocked' } }),
    );
    expect(set.body.cardStatus?.to).toBe('Blocked');
    expect(
      (
        await call(
          `${sim.url}/_sim/mutate`,
          jsonInit('POST', { setCardStatus: { key: card?.key, status: 'Nope' } }),
        )
      ).status,
    ).toBe(400);
  });

  it('expires every issued token on demand', async () => {
    expect((await portal('/search/cases?rows=0')).status).toBe(200);
    const res = await call<{ expired: number }>(`${sim.url}/_sim/tokens/expire`, { method: 'POST' });
    expect(res.body.expired).toBeGreaterThan(0);
    expect((await portal('/search/cases?rows=0')).status).toBe(401);
    token = await accessToken(sim);
    expect((await portal('/search/cases?rows=0')).status).toBe(200);
  });

  it('serves identical data for the same seed and anchor', async () => {
    const a = await startTestSimulator({ cases: 50, seed: 42, now: ANCHOR });
    const b = await startTestSimulator({ cases: 50, seed: 42, now: ANCHOR });
    try {
      const fetchAll = async (s: RunningSimulator) => {
        const t = await accessToken(s);
        const cases = await call(`${s.urls.portal}/search/cases?q=*:*&rows=100`, {
          headers: { authorization: `Bearer ${t}` },
        });
        const cards = await call(
          `${s.urls.jira}/rest/api/2/search?jql=project=KNIECO&maxResults=100&fields=*all`,
          { headers: { authorization: 'Bearer pat' } },
        );
        return cases.text + cards.text.replaceAll(s.url, '');
      };
      expect(await fetchAll(a)).toBe(await fetchAll(b));
      expect(a.team).toEqual(b.team);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
