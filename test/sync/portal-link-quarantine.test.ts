import { randomUUID } from 'node:crypto';
import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import { listQuarantined } from '../../src/store/repositories/quarantine.js';
import type { JobDefinition, JobParams } from '../../src/sync/engine/types.js';
import { casesJob } from '../../src/sync/jobs/cases.js';
import { detailsJob } from '../../src/sync/jobs/details.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

// A case's JIRA link the Portal sent malformed is quarantined under its issue key, the case is read
// again by the next pass, and when the link arrives valid the row is resolved.

describe.each(['pglite', 'postgres'] as const)('case JIRA link quarantine on %s', (backend) => {
  let sim: RunningSimulator;
  let ts: TestStore;
  let config: Config;
  const run = (job: JobDefinition, params: JobParams = {}) =>
    job.handler(makeJobContext(ts.store, config, { job: job.name, params, runId: randomUUID() }));

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 120, seed: 8 });
    ts = await openTestStore(backend, 'link_quarantine');
    config = simulatorConfig(sim);
  });

  afterAll(async () => {
    await ts?.close();
    await sim?.close();
  });

  it('re-reads a case with a malformed link next pass and resolves the link row', async () => {
    await run(casesJob);
    await simControl(sim, 'faults', {
      method: 'PUT',
      body: { portal: { invalidRecordRate: 1, only: '/jiras' } },
    });
    await run(detailsJob);
    await simControl(sim, 'faults', { method: 'DELETE' });
    const rejected = await listQuarantined(ts.store.db, { source: 'portal.caseJiraLink' });
    expect(rejected.total).toBeGreaterThan(0);
    for (const r of rejected.items) expect(r.reason).toMatch(/lastModifiedDate/);

    // A case whose link list had malformed entries keeps its stored links and is read again by the
    // next (incremental) pass, closed or not; the links then arrive valid and their rows are resolved.
    await run(detailsJob);
    expect((await listQuarantined(ts.store.db, { source: 'portal.caseJiraLink' })).items).toEqual([]);
    const keys = [...new Set(rejected.items.map((r) => r.externalId))].sort();
    const stored = await ts.store.db.query<{ issue_key: string }>(
      'SELECT DISTINCT issue_key FROM case_issues WHERE issue_key = ANY($1::text[])',
      [keys],
    );
    expect(stored.rows.map((r) => r.issue_key).sort()).toEqual(keys);
  });
});
