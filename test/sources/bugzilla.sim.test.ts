import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { createBugzillaClient } from '../../src/sources/bugzilla.js';
import { control, FAST_RETRY, type Sim, simEnv, startSim, testConfig } from './support.js';

describe('Bugzilla', () => {
  let sim: Sim;
  const sim$ = () => control(sim);
  beforeAll(async () => {
    sim = await startSim({ cases: 300, seed: 5 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await sim$().clearFaults();
    await sim$().resetCounters();
  });

  const bugzillaFor = (env: Record<string, string | undefined> = {}, fetch?: typeof globalThis.fetch) =>
    createBugzillaClient(testConfig({ ...simEnv(sim), BUGZILLA_BATCH_SIZE: '10', ...env }), {
      logger: silentLogger,
      retry: FAST_RETRY,
      ...(fetch ? { fetch } : {}),
    });

  it('fetches in batches; restricted and unknown bugs become unavailable records', async () => {
    const bugs = [...sim.state.bugs.values()];
    const privateIds = bugs.filter((b) => b.visibility === 'private').map((b) => b.id);
    expect(privateIds.length).toBeGreaterThan(0);
    const missing = 999_999_999;
    const ids = [...bugs.map((b) => b.id), missing];
    const headers: Headers[] = [];
    const recordingFetch = ((url: URL, init: RequestInit) => {
      headers.push(new Headers(init.headers));
      return fetch(url, init);
    }) as typeof globalThis.fetch;

    const result = await bugzillaFor({}, recordingFetch).getBugs(ids);

    const counters = await sim$().counters();
    expect(counters.requests['bugzilla GET /rest/bug']).toBe(Math.ceil(ids.length / 10));
    expect(result.rejected).toEqual([]);
    expect(result.items).toHaveLength(ids.length);
    const unavailable = result.items.filter((b) => b.unavailable).map((b) => b.id);
    expect(unavailable.sort()).toEqual([...privateIds, missing].sort());
    const available = result.items.find((b) => !b.unavailable && b.targetRelease !== undefined);
    expect(available).toMatchObject({ unavailable: false, lastChangedAt: expect.any(Date) });
    for (const h of headers) {
      expect(h.get('authorization')).toBe('Bearer sim-bugzilla-key');
      expect(h.get('x-bugzilla-api-key')).toBe('sim-bugzilla-key');
    }
  });

  it('without a key, internal bugs are unavailable too', async () => {
    const bugs = [...sim.state.bugs.values()];
    const result = await bugzillaFor({ BUGZILLA_API_KEY: undefined }).getBugs(bugs.map((b) => b.id));
    const hidden = bugs.filter((b) => b.visibility !== 'public').map((b) => b.id);
    expect(
      result.items
        .filter((b) => b.unavailable)
        .map((b) => b.id)
        .sort(),
    ).toEqual(hidden.sort());
  });

  it('rejects invalid bugs with reasons and still returns the rest of the batch', async () => {
    await sim$().faults({ bugzilla: { invalidRecordRate: 0.3 } });
    const ids = [...sim.state.bugs.values()].filter((b) => b.visibility === 'public').map((b) => b.id);
    const result = await bugzillaFor().getBugs(ids);
    expect(result.rejected.length).toBeGreaterThan(0);
    for (const r of result.rejected) {
      expect(r.source).toBe('bugzilla.bug');
      expect(r.reason).toMatch(/^id: /);
    }
    const available = result.items.filter((b) => !b.unavailable);
    expect(available.length).toBeGreaterThan(0);
    // A public bug is never "not returned": a record whose id is corrupt is kept as "(unknown)", and the
    // missing ids are asked for one by one, so each comes back valid or is rejected under its own id.
    expect(result.items.filter((b) => b.unavailable)).toEqual([]);
    const byId = result.rejected.filter((r) => r.externalId !== '(unknown)');
    expect(new Set([...available.map((b) => b.id), ...byId.map((r) => Number(r.externalId))])).toEqual(
      new Set(ids),
    );
    expect(result.rejected.some((r) => r.externalId === '(unknown)')).toBe(true);
  });
});
