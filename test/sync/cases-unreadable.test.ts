import { randomUUID } from 'node:crypto';
import type { RunningSimulator, SimCase } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { listQuarantined } from '../../src/store/repositories/quarantine.js';
import { getSyncState, saveSyncState } from '../../src/store/repositories/sync-state.js';
import type { JobOutcome } from '../../src/sync/engine/types.js';
import { casesJob } from '../../src/sync/jobs/cases.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

// Portal search documents without a case number (the simulator's invalid-record fault): the cases
// they belong to are read again by the next incremental pass (the cursor does not move past them),
// and their "(unknown) <hash>" quarantine rows are resolved once that pass re-read their window.

const TEAM_TAG = 'shift_telco5g';
const inQuery = (c: SimCase) => c.tags?.some((t) => t.includes(TEAM_TAG)) ?? false;
const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
const MINUTE = 60_000;

describe.each(['pglite', 'postgres'] as const)('cases job with unreadable case numbers on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  const run = async (params = {}) =>
    (await casesJob.handler(
      makeJobContext(ts.store, config, { job: 'cases', params, runId: randomUUID() }),
    )) as JobOutcome;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 200, seed: 21 });
    ts = await openTestStore(backend, 'cases_unreadable');
    config = simulatorConfig(sim, { PORTAL_PAGE_SIZE: '50' });
  });

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('re-reads the cases of number-less documents on the next pass and resolves their rows', async () => {
    await run({ full: true });
    // The previous pass ran half an hour ago; since then some cases changed early, others just now.
    const now = Date.now();
    await saveSyncState(ts.store.db, 'cases', { cursor: new Date(now - 30 * MINUTE) });
    const cases = sim.state.cases.filter(inQuery);
    const early = cases.slice(0, 40);
    const late = cases.slice(40, 60);
    for (const c of early) c.lastModified = now - 20 * MINUTE;
    for (const c of late) c.lastModified = now - 1000;

    await simControl(sim, 'faults', {
      method: 'PUT',
      body: { seed: 9, portal: { invalidRecordRate: 0.4, only: 'GET /search/cases' } },
    });
    await run();
    await simControl(sim, 'faults', { method: 'DELETE' });

    const unreadable = (await listQuarantined(ts.store.db, { source: 'portal.case' })).items.filter((r) =>
      r.externalId.startsWith('(unknown) '),
    );
    expect(unreadable.length).toBeGreaterThan(0);
    // Some valid documents of the window were stored, so the cursor would have moved past the rest.
    const stored = async () =>
      new Map(
        (
          await ts.store.db.query<{ case_number: string; last_update: Date }>(
            'SELECT case_number, last_update FROM cases',
          )
        ).rows.map((r) => [r.case_number, r.last_update.getTime()]),
      );
    const afterFaults = await stored();
    expect(late.some((c) => afterFaults.get(c.number) === seconds(c.lastModified))).toBe(true);

    const outcome = await run();
    expect(outcome.summary).toMatch(/^incremental/);
    const afterRetry = await stored();
    for (const c of [...early, ...late])
      expect(afterRetry.get(c.number), c.number).toBe(seconds(c.lastModified));
    const open = await listQuarantined(ts.store.db, { source: 'portal.case' });
    expect(open.items).toEqual([]);
    const resolved = await listQuarantined(ts.store.db, { source: 'portal.case', includeResolved: true });
    expect(resolved.items.filter((r) => r.externalId.startsWith('(unknown) ')).length).toBe(
      unreadable.length,
    );
    expect((await getSyncState(ts.store.db, 'cases'))?.cursor?.getTime()).toBeGreaterThanOrEqual(
      seconds(now - 1000),
    );
  });
});
