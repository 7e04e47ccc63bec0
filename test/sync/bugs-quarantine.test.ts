import { randomUUID } from 'node:crypto';
import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { JobOutcome } from '../../src/sync/engine/types.js';
import { bugsJob } from '../../src/sync/jobs/bugs.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { seedFromSimulator } from './fixtures/sim-seed.js';

// Bugzilla answering with malformed bugs (the simulator's invalid-record fault: a bug whose id is
// "not-a-number", among others): every rejected payload keeps its own quarantine row, a malformed
// bug is not recorded as "not returned", and the next incremental pass reads it again and resolves it.

const CASES = 120;
const BATCH = 20;

describe.each(['pglite', 'postgres'] as const)(
  'bugs job with malformed Bugzilla records on %s',
  (backend) => {
    let sim: RunningSimulator;
    let ts: TestStore;
    let config: Config;
    const rows = async <T>(sql: string, params: unknown[] = []) =>
      (await ts.store.db.query<T>(sql, params)).rows;
    const run = async () =>
      (await bugsJob.handler(
        makeJobContext(ts.store, config, { job: 'bugs', params: {}, runId: randomUUID() }),
      )) as JobOutcome;

    beforeAll(async () => {
      sim = await strictSimulator({ cases: CASES, seed: 5 });
      ts = await openTestStore(backend, 'bugs-quarantine');
      config = simulatorConfig(sim, { BUGZILLA_BATCH_SIZE: String(BATCH) });
      await seedFromSimulator(ts.store, sim.state);
    });

    afterAll(async () => {
      await ts?.close();
      await sim?.close();
    });

    it('keeps every malformed payload, never calls a malformed bug "not returned", and retries it next pass', async () => {
      const linked = new Set(
        (await rows<{ bug_id: string }>('SELECT DISTINCT bug_id FROM case_bugs')).map((r) =>
          Number(r.bug_id),
        ),
      );
      const restricted = [...sim.state.bugs.values()]
        .filter((b) => b.visibility === 'private' && linked.has(b.id))
        .map((b) => String(b.id))
        .sort();

      await simControl(sim, 'faults', {
        method: 'PUT',
        body: { seed: 3, bugzilla: { invalidRecordRate: 1, only: 'GET /rest/bug' } },
      });
      await run();

      // Each payload whose id could not be read has a row of its own, payload included.
      const badIds = await rows<{ external_id: string; payload: { id: unknown; summary: string } }>(
        `SELECT external_id, payload FROM quarantine
       WHERE source = 'bugzilla.bug' AND payload->>'id' = 'not-a-number'`,
      );
      const unreadable = badIds.filter((r) => r.external_id.startsWith('(unknown)'));
      expect(unreadable.length).toBeGreaterThan(1);
      expect(new Set(unreadable.map((r) => r.external_id)).size).toBe(unreadable.length);

      // Only bugs Bugzilla really left out are "unavailable"; the malformed ones are quarantined by id.
      const unavailable = await rows<{ bug_id: string }>(
        'SELECT bug_id FROM bugs WHERE unavailable ORDER BY bug_id',
      );
      expect(unavailable.map((r) => r.bug_id).sort()).toEqual(restricted);
      const byId = await rows<{ external_id: string; reason: string }>(
        `SELECT external_id, reason FROM quarantine
       WHERE source = 'bugzilla.bug' AND resolved_at IS NULL AND external_id ~ '^[0-9]+$'`,
      );
      expect(byId.length).toBeGreaterThan(0);
      expect(byId.every((r) => /id/.test(r.reason))).toBe(true);
      const stored = new Set(
        (await rows<{ bug_id: string }>('SELECT bug_id FROM bugs')).map((r) => r.bug_id),
      );
      for (const r of byId) expect(stored.has(r.external_id)).toBe(false);

      // Bugzilla answers properly again: the next (incremental) pass reads those bugs and resolves their rows.
      await simControl(sim, 'faults', { method: 'DELETE' });
      const outcome = await run();
      expect(outcome.summary).toMatch(/^incremental/);
      for (const r of byId) {
        const [bug] = await rows<{ unavailable: boolean }>('SELECT unavailable FROM bugs WHERE bug_id = $1', [
          r.external_id,
        ]);
        expect(bug).toEqual({ unavailable: false });
      }
      const open = await rows(
        `SELECT 1 FROM quarantine WHERE source = 'bugzilla.bug' AND resolved_at IS NULL AND external_id ~ '^[0-9]+$'`,
      );
      expect(open).toEqual([]);
      expect(await rows('SELECT bug_id FROM bugs WHERE unavailable ORDER BY bug_id')).toHaveLength(
        restricted.length,
      );

      // Payloads whose id was unreadable cannot be matched to a bug; the full pass (every bug read) settles them.
      expect(await rows('SELECT 1 FROM quarantine WHERE resolved_at IS NULL')).toHaveLength(
        unreadable.length,
      );
      await bugsJob.handler(
        makeJobContext(ts.store, config, { job: 'bugs', params: { full: true }, runId: randomUUID() }),
      );
      expect(await rows('SELECT 1 FROM quarantine WHERE resolved_at IS NULL')).toEqual([]);
    });
  },
);
