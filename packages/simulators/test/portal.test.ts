import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../src/index.js';
import { accessToken, call, jsonInit, startTestSimulator } from './helpers.js';

type Doc = Record<string, unknown>;
type Search = { response: { numFound: number; start: number; docs: Doc[] } };

describe('SSO + Portal simulator', () => {
  let sim: RunningSimulator;
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}`, accept: 'application/json' });
  const search = (params: Record<string, string>) =>
    call<Search>(`${sim.urls.portal}/search/cases?${new URLSearchParams(params)}`, { headers: auth() });

  beforeAll(async () => {
    sim = await startTestSimulator({ cases: 300 });
    token = await accessToken(sim);
  });
  afterAll(() => sim.close());

  it('exchanges an offline token for a Keycloak token response', async () => {
    const res = await call<Record<string, unknown>>(sim.urls.ssoTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=rhsm-api&refresh_token=abc',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 300,
      refresh_expires_in: 0,
      'not-before-policy': 0,
    });
    expect(typeof res.body.access_token).toBe('string');
    const bad = await call(sim.urls.ssoTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&client_id=rhsm-api&refresh_token=',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_grant' });
    // Keycloak takes form data only: the same fields as JSON are not read.
    const asJson = await call(sim.urls.ssoTokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'refresh_token', client_id: 'rhsm-api', refresh_token: 'abc' }),
    });
    expect(asJson.status).toBe(400);
    expect(asJson.body).toMatchObject({ error: 'invalid_request' });
  });

  it('rejects missing, unknown and expired access tokens with 401', async () => {
    expect((await call(`${sim.urls.portal}/search/cases?q=*:*`)).status).toBe(401);
    expect(
      (await call(`${sim.urls.portal}/search/cases`, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);
    const short = await startTestSimulator({ cases: 10, tokenTtlSeconds: 1 });
    try {
      const shortLived = await accessToken(short);
      await new Promise((r) => setTimeout(r, 1100));
      const expired = await call<{ message: string }>(`${short.urls.portal}/v1/cases/00000000`, {
        headers: { authorization: `Bearer ${shortLived}` },
      });
      expect(expired.status).toBe(401);
      expect(expired.body.message).toMatch(/expired/);
    } finally {
      await short.close();
    }
  });

  it('searches with Solr shapes, fl, numFound and the default creation-date order', async () => {
    const fl =
      'case_number,case_summary,case_product,case_tags,case_severity,case_createdDate,case_closedDate,case_bugzillaNumber';
    const res = await search({
      q: '(case_tags:*shift_telco5g*)',
      partnerSearch: 'false',
      rows: '5000',
      fl,
      start: '0',
    });
    expect(res.status).toBe(200);
    const { numFound, docs } = res.body.response;
    expect(numFound).toBe(docs.length);
    const expected = sim.state.cases.filter((c) => c.tags?.includes('shift_telco5g')).length;
    expect(numFound).toBe(expected);
    const allowed = new Set(fl.split(','));
    for (const d of docs) {
      for (const k of Object.keys(d)) expect(allowed.has(k)).toBe(true);
      expect(d.case_severity).toMatch(/^[1-4] \((Urgent|High|Normal|Low)\)$/);
      expect(d.case_createdDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Array.isArray(d.case_product)).toBe(true);
      if ('case_closedDate' in d) expect(d.case_closedDate).toMatch(/Z$/);
    }
    const dates = docs.map((d) => String(d.case_createdDate));
    expect([...dates].sort()).toEqual(dates);
    // Optional keys are absent, not null; joined tags appear as one "a;b" element.
    expect(docs.some((d) => !('case_closedDate' in d))).toBe(true);
    expect(docs.some((d) => !('case_bugzillaNumber' in d))).toBe(true);
    expect(
      docs.some(
        (d) => Array.isArray(d.case_tags) && d.case_tags.length === 1 && String(d.case_tags[0]).includes(';'),
      ),
    ).toBe(true);
  });

  it('supports date ranges, boolean queries and sort', async () => {
    const all = await search({
      q: 'case_createdDate:[2026-01-01T00:00:00Z TO *] AND NOT case_status:Closed',
      rows: '1000',
      sort: 'case_lastModifiedDate desc',
    });
    const docs = all.body.response.docs;
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(String(d.case_createdDate) >= '2026-01-01').toBe(true);
      expect(d.case_status).not.toBe('Closed');
    }
    const mods = docs.map((d) => String(d.case_lastModifiedDate));
    expect([...mods].sort().reverse()).toEqual(mods);
    const bad = await search({ q: 'case_nope:1' });
    expect(bad.status).toBe(400);
    expect(bad.body).toHaveProperty('message');
  });

  it('enforces the 9,999 window cap while numFound stays true', async () => {
    const big = await startTestSimulator({ cases: 12_000 });
    try {
      const t = await accessToken(big);
      const get = (params: Record<string, string>) =>
        call<Search & { message?: string }>(
          `${big.urls.portal}/search/cases?${new URLSearchParams(params)}`,
          {
            headers: { authorization: `Bearer ${t}` },
          },
        );
      const page = await get({ q: '*:*', start: '9000', rows: '5000', fl: 'case_number' });
      expect(page.status).toBe(200);
      expect(page.body.response.numFound).toBe(12_000);
      expect(page.body.response.docs).toHaveLength(999);
      const beyond = await get({ q: '*:*', start: '9999', rows: '10' });
      expect(beyond.status).toBe(400);
      expect(beyond.body.message).toMatch(/9999/);
    } finally {
      await big.close();
    }
  });

  it('serves camelCase case detail, comments, jiras, 404 and 403', async () => {
    const c = sim.state.cases.find(
      (x) => !x.forbidden && x.linkedIssueKeys.length > 0 && x.bugzillaNumbers.length > 0,
    );
    if (!c) throw new Error('fixture');
    const detail = await call<Record<string, unknown>>(`${sim.urls.portal}/v1/cases/${c.number}`, {
      headers: auth(),
    });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ caseNumber: c.number, critSit: c.critSit });
    for (const key of ['comments', 'notifiedUsers', 'bugzillas', 'externalTrackers'])
      expect(Array.isArray(detail.body[key])).toBe(true);
    const comments = detail.body.comments as Record<string, unknown>[];
    expect(comments[0]).toHaveProperty('commentBody');
    expect(comments[0]).toHaveProperty('createdByType');
    // resolvedAt/reliefAt come as ISO strings on some cases and epoch-ms ints on others.
    const kinds = new Set<string>();
    for (const x of sim.state.cases.filter((y) => y.resolvedAt !== undefined && !y.forbidden).slice(0, 40)) {
      const d = await call<{ resolvedAt: unknown }>(`${sim.urls.portal}/v1/cases/${x.number}`, {
        headers: auth(),
      });
      kinds.add(typeof d.body.resolvedAt);
    }
    expect(kinds).toEqual(new Set(['string', 'number']));

    const list = await call<Record<string, unknown>[]>(`${sim.urls.portal}/v1/cases/${c.number}/comments`, {
      headers: auth(),
    });
    expect(list.body).toHaveLength(comments.length);
    const middle = String(comments[Math.floor(comments.length / 2)]?.createdDate);
    const later = await call<unknown[]>(
      `${sim.urls.portal}/v1/cases/${c.number}/comments?startDate=${middle}`,
      { headers: auth() },
    );
    expect(later.body.length).toBeLessThanOrEqual(comments.length);

    const jiras = await call<Record<string, unknown>[]>(`${sim.urls.portal}/cases/${c.number}/jiras`, {
      headers: auth(),
    });
    expect(jiras.body.length).toBe(c.linkedIssueKeys.length);
    expect(jiras.body[0]).toHaveProperty('resourceKey');
    expect(jiras.body[0]).toHaveProperty('lastModifiedDate');
    const allLinks = sim.state.cases
      .filter((x) => !x.forbidden)
      .flatMap((x) => x.linkedIssueKeys.map(() => x.number));
    expect(allLinks.length).toBeGreaterThan(20);

    expect((await call(`${sim.urls.portal}/v1/cases/09999999`, { headers: auth() })).status).toBe(404);
    const forbidden = sim.state.cases.find((x) => x.forbidden);
    if (forbidden) {
      const res = await call<{ message: string }>(`${sim.urls.portal}/v1/cases/${forbidden.number}`, {
        headers: auth(),
      });
      expect(res.status).toBe(403);
      expect(res.body.message).toBeTruthy();
    }
  });

  it('adds and removes notified users', async () => {
    const c = sim.state.cases.find((x) => !x.forbidden && x.status !== 'Closed');
    if (!c) throw new Error('fixture');
    const url = `${sim.urls.portal}/v1/cases/${c.number}/notifiedusers`;
    const add = await call(url, jsonInit('POST', { user: [{ ssoUsername: 'rhn-support-praman' }] }, auth()));
    expect(add.status).toBe(201);
    // The list is read where the real Portal has it: inside the case. No GET of the collection exists.
    const caseUrl = `${sim.urls.portal}/v1/cases/${c.number}`;
    const listed = await call<{ notifiedUsers: { ssoUsername: string }[] }>(caseUrl, { headers: auth() });
    expect(listed.body.notifiedUsers.map((u) => u.ssoUsername)).toContain('rhn-support-praman');
    expect((await call(url, { headers: auth() })).status).toBe(404);
    expect((await call(`${url}/rhn-support-praman`, { method: 'DELETE', headers: auth() })).status).toBe(204);
    const after = await call<{ notifiedUsers: { ssoUsername: string }[] }>(caseUrl, { headers: auth() });
    expect(after.body.notifiedUsers.map((u) => u.ssoUsername)).not.toContain('rhn-support-praman');
    expect((await call(url, jsonInit('POST', { nope: 1 }, auth()))).status).toBe(400);
  });

  it('breaks case JIRA links (key kept) when the invalid-record fault fires', async () => {
    const c = sim.state.cases.find((x) => x.linkedIssueKeys.some((k) => sim.state.issueByKey.has(k)));
    if (!c) throw new Error('no case with a JIRA link');
    await call(
      `${sim.url}/_sim/faults`,
      jsonInit('PUT', { portal: { invalidRecordRate: 1, only: '/jiras' } }),
    );
    const broken = await call<Record<string, unknown>[]>(`${sim.urls.portal}/cases/${c.number}/jiras`, {
      headers: auth(),
    });
    expect(broken.body.length).toBeGreaterThan(0);
    for (const link of broken.body) {
      expect(link.lastModifiedDate).toBe('yesterday-ish');
      expect(typeof link.resourceKey).toBe('string');
    }
    await call(`${sim.url}/_sim/faults`, { method: 'DELETE' });
    const fine = await call<Record<string, unknown>[]>(`${sim.urls.portal}/cases/${c.number}/jiras`, {
      headers: auth(),
    });
    expect(fine.body.every((link) => link.lastModifiedDate !== 'yesterday-ish')).toBe(true);
  });

  it('returns 429 with X-RateLimit headers when the rate-limit fault fires', async () => {
    await call(
      `${sim.url}/_sim/faults`,
      jsonInit('PUT', { portal: { rateLimitRate: 1, retryAfterSeconds: 0.25, limit: 1 } }),
    );
    const limited = await search({ q: '*:*' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-ratelimit-delay')).toBe('0.25');
    expect(limited.headers.get('x-ratelimit-limit')).toBeTruthy();
    expect(limited.headers.get('x-ratelimit-remaining')).toBeTruthy();
    expect((await search({ q: '*:*' })).status).toBe(200);
    await call(`${sim.url}/_sim/faults`, { method: 'DELETE' });
  });
});
