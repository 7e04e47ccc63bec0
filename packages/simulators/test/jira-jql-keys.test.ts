import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../src/index.js';
import { call, cloudAuth, dcAuth, startTestSimulator } from './helpers.js';

// Real JIRA checks every key a query names: `key in (A-1, NOPE-9)` is a 400 when NOPE-9 does not
// exist, unless (Data Center) the search is sent with `validateQuery=warn`, which runs it and
// reports the key in `warningMessages`. Cloud's enhanced search has no such parameter.

type Page = { issues: { key: string }[]; warningMessages?: string[] };
type Error400 = { errorMessages: string[]; errors: Record<string, string> };

describe('JQL key validation', () => {
  let sim: RunningSimulator;
  let known: string;
  const missing = 'NOPE-9';

  beforeAll(async () => {
    sim = await startTestSimulator();
    known = sim.state.cards()[0]?.key as string;
  });
  afterAll(() => sim.close());

  const dc = (params: Record<string, string>) =>
    call<Page & Error400>(`${sim.urls.jira}/rest/api/2/search?${new URLSearchParams(params)}`, {
      headers: dcAuth(),
    });
  const cloud = (jql: string) =>
    call<Page & Error400>(
      `${sim.urls.jira}/rest/api/3/search/jql?${new URLSearchParams({ jql, fields: 'summary' })}`,
      { headers: cloudAuth() },
    );

  it('refuses a key that does not exist, naming it, on both flavors', async () => {
    const jql = `key in (${known}, ${missing}, BAD_KEY)`;
    for (const res of [await dc({ jql }), await cloud(jql)]) {
      expect(res.status).toBe(400);
      expect(res.body.errorMessages).toEqual([
        `An issue with key '${missing}' does not exist for field 'key'.`,
        "The issue key 'BAD_KEY' for field 'key' is invalid.",
      ]);
    }
  });

  it('Data Center: validateQuery=warn runs the query and warns; none stays silent', async () => {
    const jql = `key in (${known}, ${missing})`;
    const warned = await dc({ jql, validateQuery: 'warn', fields: 'summary' });
    expect(warned.status).toBe(200);
    expect(warned.body.issues.map((i) => i.key)).toEqual([known]);
    expect(warned.body.warningMessages).toEqual([
      `An issue with key '${missing}' does not exist for field 'key'.`,
    ]);
    const silent = await dc({ jql, validateQuery: 'false', fields: 'summary' });
    expect(silent.status).toBe(200);
    expect(silent.body.warningMessages).toBeUndefined();
    expect((await dc({ jql, validateQuery: 'maybe' })).status).toBe(400);
  });

  it('a deleted issue is unknown to JQL afterwards', async () => {
    const victim = sim.state.cards()[1]?.key as string;
    expect((await dc({ jql: `key = ${victim}` })).status).toBe(200);
    expect(sim.state.removeIssue(victim)).toBe(true);
    const after = await dc({ jql: `key = ${victim}` });
    expect(after.status).toBe(400);
    expect(after.body.errorMessages).toEqual([
      `An issue with key '${victim}' does not exist for field 'key'.`,
    ]);
  });
});
