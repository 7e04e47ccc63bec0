import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSimulator, SIM_DEFAULTS, type SimIssue } from '../src/index.js';
import { call, cloudAuth, dcAuth, jsonInit, startTestSimulator } from './helpers.js';

// The restricted JIRA workflow (`workflow: 'restricted'`): transitions only from the statuses a real
// workflow offers them, JIRA's 400s for one that is not available, a resolution required on the way
// to Done, and the original's hard-coded reopen id "11" still leading to To Do.

type Transition = {
  id: string;
  name: string;
  to: { name: string };
  fields?: Record<string, { required: boolean; allowedValues?: { name: string }[] }>;
};
type Error400 = { errorMessages: string[]; errors: Record<string, string> };

describe.each([
  ['cloud', cloudAuth()],
  ['dc', dcAuth()],
] as const)('restricted JIRA workflow (%s)', (flavor, auth) => {
  let sim: RunningSimulator;
  const jira = (path: string) => `${sim.urls.jira}${path}`;
  const card = (status: string): SimIssue => {
    const found = sim.state.cards().find((i) => i.status === status);
    if (!found) throw new Error(`no card in ${status}`);
    return found;
  };
  const list = (key: string, expand = '') =>
    call<{ transitions: Transition[] }>(
      jira(`/rest/api/2/issue/${key}/transitions${expand ? `?expand=${expand}` : ''}`),
      { headers: auth },
    );
  const post = (key: string, body: unknown) =>
    call<Error400>(jira(`/rest/api/2/issue/${key}/transitions`), jsonInit('POST', body, auth));

  beforeAll(async () => {
    sim = await startTestSimulator({ workflow: 'restricted', seed: flavor === 'cloud' ? 1 : 2 });
  });
  afterAll(() => sim.close());

  it('lists only the transitions from the current status, with the resolution screen on Done', async () => {
    const issue = card('In Progress');
    const res = await list(issue.key, 'transitions.fields');
    expect(res.status).toBe(200);
    const targets = res.body.transitions.map((t) => t.to.name);
    expect(targets).toContain('Done');
    expect(targets).not.toContain('In Progress');
    expect(targets).not.toContain('New');
    const done = res.body.transitions.find((t) => t.to.name === 'Done');
    expect(done?.fields?.resolution?.required).toBe(true);
    expect(done?.fields?.resolution?.allowedValues?.map((v) => v.name)).toContain('Done');
    const blocked = res.body.transitions.find((t) => t.to.name === 'Blocked');
    expect(blocked?.fields).toEqual({});
    // Without the expand there are no screens in the answer.
    expect((await list(issue.key)).body.transitions.every((t) => t.fields === undefined)).toBe(true);
  });

  it('refuses a transition not available from the current status with JIRA 400 body', async () => {
    const issue = card('New');
    const res = await post(issue.key, { transition: { id: '31' } });
    expect(res.status).toBe(400);
    expect(res.body.errorMessages[0]).toBe(
      flavor === 'dc'
        ? `It seems that you have tried to perform a workflow operation (Done) that is not valid for the current state of this issue (${issue.key}). The likely cause is that somebody has changed the issue recently, please look at the issue history for details.`
        : "Transition id '31' is not valid for this issue.",
    );
    expect(issue.status).toBe('New');
  });

  it('requires a resolution on Done, and refuses one where the screen has none', async () => {
    const issue = card('In Progress');
    const missing = await post(issue.key, { transition: { id: '31' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ errorMessages: [], errors: { resolution: 'Resolution is required.' } });
    const offScreen = await post(issue.key, {
      transition: { id: '71' },
      fields: { resolution: { name: 'Done' } },
    });
    expect(offScreen.status).toBe(400);
    expect(offScreen.body.errors.resolution).toMatch(/cannot be set/);
    const ok = await post(issue.key, {
      transition: { id: '31' },
      fields: { resolution: { name: "Won't Do" } },
    });
    expect(ok.status).toBe(204);
    expect(issue.status).toBe('Done');
    const read = await call<{ fields: { resolution: { name: string } } }>(
      jira(`/rest/api/2/issue/${issue.key}?fields=resolution`),
      { headers: auth },
    );
    expect(read.body.fields.resolution.name).toBe("Won't Do");
  });

  it('reopens a finished card with the hard-coded id "11"; an obsolete card has no way back', async () => {
    const done = card('Done');
    expect((await post(done.key, { transition: { id: SIM_DEFAULTS.reopenTransitionId } })).status).toBe(204);
    expect(done.status).toBe('To Do');
    const obsolete = card('To Do');
    obsolete.status = "Won't Fix / Obsolete";
    expect((await list(obsolete.key)).body.transitions).toEqual([]);
    expect((await post(obsolete.key, { transition: { id: '11' } })).status).toBe(400);
  });
});
