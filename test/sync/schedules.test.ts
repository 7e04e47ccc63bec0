import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import {
  createJobRegistry,
  createSyncEngine,
  type JobDefinition,
  JobRegistry,
  KNOWN_JOBS,
  planSchedules,
} from '../../src/sync/index.js';
import { statsSnapshotJob } from '../../src/sync/jobs/stats-snapshot.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { FAST_TUNING, syncConfig } from './support.js';

// The schedule table under each configuration, and what the schedule owner leaves in pg-boss.

/** A registry with a stand-in for every job, so the conditions (not missing handlers) decide. */
const everyJob = new JobRegistry(
  KNOWN_JOBS.map(
    (name): JobDefinition => ({ name, title: name, refresh: 'single', handler: async () => undefined }),
  ),
);

const WRITE_JOBS = ['card-creation', 'priority-sync', 'bug-tagging'];
const active = (env: Record<string, string>, registry = everyJob) =>
  planSchedules(syncConfig(undefined, env), registry).active.map((s) => `${s.job}:${s.key} ${s.cron}`);

describe('schedule table', () => {
  it('gives every default schedule (UTC) when everything is configured and writes are allowed', () => {
    expect(
      active({
        READ_ONLY: 'false',
        BUGZILLA_API_KEY: 'k',
        JIRA_ESCALATIONS_PROJECT: 'PRIO',
        JIRA_ESCALATIONS_LABEL: 'telco',
      }),
    ).toEqual([
      'cases:incremental */15 * * * *',
      'cases:reconcile 5 2 * * *',
      'cards:incremental 21 * * * *',
      'cards:full 51 2 * * *',
      'details:default 24 0,12 * * *',
      'issues:default 54 * * * *',
      'bugs:default 48 * * * *',
      'escalations:default 37 */2 * * *',
      'stats:default 40 4 * * *',
      'card-creation:default 10 * * * *',
      'priority-sync:default 12 3 * * *',
      'bug-tagging:default 33 0 * * *',
    ]);
  });

  it('leaves out the three write jobs while READ_ONLY is on, and says why', () => {
    const plan = planSchedules(syncConfig(undefined, { READ_ONLY: 'true' }), everyJob);
    expect(plan.active.map((s) => s.job)).not.toEqual(expect.arrayContaining(WRITE_JOBS));
    expect(plan.active.some((s) => WRITE_JOBS.includes(s.job))).toBe(false);
    for (const job of WRITE_JOBS)
      expect(plan.inactive).toContainEqual({ job, key: 'default', reason: 'READ_ONLY is on' });
  });

  it('schedules bugs only with a Bugzilla key and escalations only with the escalations project', () => {
    const plain = planSchedules(syncConfig(undefined, {}), everyJob);
    expect(plain.active.map((s) => s.job)).not.toContain('bugs');
    expect(plain.active.map((s) => s.job)).not.toContain('escalations');
    expect(plain.inactive).toContainEqual({
      job: 'bugs',
      key: 'default',
      reason: 'BUGZILLA_API_KEY is not set',
    });
    expect(active({ BUGZILLA_API_KEY: 'k' })).toContain('bugs:default 48 * * * *');
    expect(active({ JIRA_ESCALATIONS_PROJECT: 'PRIO', JIRA_ESCALATIONS_LABEL: 'x' })).toContain(
      'escalations:default 37 */2 * * *',
    );
  });

  it('takes each cron from its SCHEDULE_* variable', () => {
    expect(active({ SCHEDULE_STATS: '0 5 * * *', SCHEDULE_CASES: '*/5 * * * *' })).toEqual(
      expect.arrayContaining(['stats:default 0 5 * * *', 'cases:incremental */5 * * * *']),
    );
  });

  it('schedules nothing that has no handler', () => {
    const plan = planSchedules(
      syncConfig(undefined, { READ_ONLY: 'false' }),
      new JobRegistry([statsSnapshotJob]),
    );
    expect(plan.active.map((s) => s.job)).toEqual(['stats']);
    expect(plan.inactive).toContainEqual({ job: 'cases', key: 'incremental', reason: 'no handler yet' });
  });

  it('schedules every built-in job that has a handler', () => {
    const registry = createJobRegistry();
    const plan = planSchedules(syncConfig(undefined, { READ_ONLY: 'false' }), registry);
    const scheduled = new Set(plan.active.map((s) => s.job));
    for (const s of plan.inactive) expect(registry.has(s.job) && s.reason === 'no handler yet').toBe(false);
    for (const job of ['cases', 'details', 'cards', 'issues', 'stats']) expect(scheduled).toContain(job);
  });
});

describe('schedule owner', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore('pglite', 'sync_schedules');
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Starts an engine that owns the schedule under `env`, returns what pg-boss holds, stops it. */
  const applyWith = async (env: Record<string, string>, beforeStop?: (boss: unknown) => Promise<void>) => {
    const engine = createSyncEngine({
      store: t.store,
      config: syncConfig(undefined, env),
      logger: silentLogger,
      role: { work: false, schedule: true },
      registry: everyJob,
      tuning: FAST_TUNING,
    });
    await engine.start();
    try {
      await beforeStop?.(engine.boss);
      const rows = await engine.boss.getSchedules();
      return rows.map((s) => `${s.name}:${s.key} ${s.cron} ${s.timezone}`).sort();
    } finally {
      await engine.stop();
    }
  };

  it('writes the active schedules, and removes them again when the configuration turns them off', async () => {
    const writable = await applyWith({ READ_ONLY: 'false' });
    expect(writable).toContain('sync.card-creation:default 10 * * * * UTC');
    expect(writable).toContain('sync.stats:default 40 4 * * * UTC');
    expect(writable).toHaveLength(10); // all but bugs and escalations (not configured)

    const readOnly = await applyWith({ READ_ONLY: 'true' }, async (boss) => {
      // Someone else's schedule in the same pg-boss is not t5g's to remove.
      const b = boss as import('pg-boss').PgBoss;
      await b.createQueue('other');
      await b.schedule('other', '0 0 * * *');
    });
    expect(readOnly.filter((s) => s.startsWith('sync.'))).toHaveLength(7);
    expect(readOnly.some((s) => /card-creation|priority-sync|bug-tagging/.test(s))).toBe(false);

    const again = await applyWith({ READ_ONLY: 'true' });
    expect(again).toContain('other: 0 0 * * * UTC');
  });
});
