import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSyncState, saveSyncState } from '../../src/store/repositories/sync-state.js';
import { casesJob } from '../../src/sync/jobs/cases.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simulatorConfig, strictSimulator } from '../support/sim-config.js';

describe('the cases job when the daily reconcile was missed', () => {
  let sim: RunningSimulator;
  let t: TestStore;
  beforeAll(async () => {
    sim = await strictSimulator({ cases: 60, seed: 5 });
    t = await openTestStore('pglite', 'overdue');
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('does a full pass on the next ordinary run once the last one is over a day old', async () => {
    const config = simulatorConfig(sim);
    await casesJob.handler(makeJobContext(t.store, config, { job: 'cases' }));
    await casesJob.handler(makeJobContext(t.store, config, { job: 'cases' }));
    expect((await getSyncState(t.store.db, 'cases'))?.details).toMatchObject({ lastPass: 'incremental' });

    // As if the reconcile ticks of the last day had all collided with incremental runs.
    await saveSyncState(t.store.db, 'cases', { lastFullAt: new Date(Date.now() - 27 * 3_600_000) });
    await casesJob.handler(makeJobContext(t.store, config, { job: 'cases' }));
    const state = await getSyncState(t.store.db, 'cases');
    expect(state?.details).toMatchObject({ lastPass: 'full' });
    expect(Date.now() - state!.lastFullAt!.getTime()).toBeLessThan(60_000);
  });
});
