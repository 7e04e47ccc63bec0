import type { RunningSimulator } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { JobMonitor, QuarantineList, QuarantineReasons, Run } from '../../src/shared/api/sync.js';
import { quarantineRecords } from '../../src/store/repositories/quarantine.js';
import { createSyncEngine, type JobDefinition, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { statsSnapshotJob } from '../../src/sync/jobs/stats-snapshot.js';
import { cardCreationJob } from '../../src/sync/upstream-writes/card-creation/job.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { simulatorConfig, strictSimulator } from '../support/sim-config.js';
import { casesWithoutCard, seedCasesAndCards } from '../sync/fixtures/card-creation-seed.js';
import { eventually, FAST_TUNING, finished } from '../sync/support.js';

// The job monitor's API on the whole app: every schedule with the next time its cron fires (from
// the schedules pg-boss holds), queue depth per job, the newest run, the route that starts each job
// and who may; retrying a failed run; the outcome a job that writes upstream stores with its run
// (here the mass-creation guard's refusal); quarantine grouped by reason with its drill-down.

describe.each(['pglite', 'postgres'] as const)('job monitor on %s', (backend) => {
  let sim: RunningSimulator;
  let t: TestStore;
  let config: Config;
  let web: SyncEngine;
  let worker: SyncEngine | undefined;
  let app: FastifyInstance;
  let broken = true;
  const flakyJob: JobDefinition = {
    name: 'flaky',
    title: 'Fails until the test mends it',
    refresh: 'single',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    handler: async () => {
      if (broken) throw new Error('upstream answered 502');
      return { changed: 1 };
    },
  };
  const registry = () => new JobRegistry([statsSnapshotJob, cardCreationJob, flakyJob]);
  const get = async <T>(url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode, url).toBe(200);
    return res.json() as T;
  };
  const post = async (url: string) => {
    const res = await app.inject({ method: 'POST', url });
    return { status: res.statusCode, body: res.json() as { id: string; joined: boolean; message?: string } };
  };
  const job = (m: JobMonitor, name: string) => {
    const j = m.items.find((i) => i.job === name);
    if (!j) throw new Error(`no ${name} in the monitor`);
    return j;
  };

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 150, seed: 11, smtpPort: 0 });
    t = await openTestStore(backend, 'job_monitor');
    config = simulatorConfig(sim, {
      READ_ONLY: 'true',
      MAX_CARDS_PER_RUN: '1',
      ALERT_EMAIL: 'alerts@example.com',
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
    });
    await seedCasesAndCards(t.store, sim.state, config);
    // The web process: it applies the schedules and enqueues, but runs nothing, so a queued run stays
    // in the queue until the worker below starts.
    web = createSyncEngine({
      store: t.store,
      config,
      logger: silentLogger,
      role: { work: false, schedule: true },
      registry: registry(),
      tuning: FAST_TUNING,
    });
    await web.start();
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync: web });
    await app.ready();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await worker?.stop();
    await web?.stop();
    await t?.close();
    await sim?.close();
  });

  it('lists every job with its schedules and their next run, and the queue depth per job', async () => {
    const queued = await post('/api/v1/refresh/flaky');
    expect(queued.status).toBe(202);
    const before = Date.now();
    const m = await get<JobMonitor>('/api/v1/jobs');
    expect(m.items.map((i) => i.job).sort()).toEqual(['card-creation', 'flaky', 'refresh-all', 'stats']);

    const stats = job(m, 'stats');
    expect(stats.schedules).toHaveLength(1);
    const schedule = stats.schedules[0]!;
    expect(schedule).toMatchObject({ key: 'default', cron: config.schedules.stats, active: true });
    // SCHEDULE_STATS is "40 4 * * *": the next 04:40 UTC, within a day.
    const next = Date.parse(schedule.nextRunAt ?? '');
    expect(next).toBeGreaterThan(before);
    expect(next - before).toBeLessThanOrEqual(86_400_000);
    expect(new Date(next).toISOString().slice(11, 19)).toBe('04:40:00');
    expect(stats).toMatchObject({
      role: 'operator',
      startPath: '/api/v1/refresh/stats',
      writesUpstream: false,
    });

    // READ_ONLY keeps the schedules of jobs that write upstream off, and says so.
    const cards = job(m, 'card-creation');
    expect(cards).toMatchObject({
      writesUpstream: true,
      role: 'admin',
      startPath: '/api/v1/admin/jobs/card-creation',
    });
    expect(cards.schedules).toEqual([
      {
        key: 'default',
        cron: null,
        timezone: null,
        nextRunAt: null,
        active: false,
        inactiveBecause: 'READ_ONLY is on',
      },
    ]);
    expect(job(m, 'refresh-all').startPath).toBe('/api/v1/refresh');
    // The refresh waits in its queue: no worker runs yet.
    expect(job(m, 'flaky').queue).toMatchObject({ queued: 1, active: 0 });
    expect(job(m, 'stats').queue).toMatchObject({ queued: 0, active: 0 });

    worker = createSyncEngine({
      store: t.store,
      config,
      logger: silentLogger,
      role: { work: true, schedule: false },
      registry: registry(),
      tuning: FAST_TUNING,
      progressIntervalMs: 100,
    });
    await worker.start();
    const failed = await finished(t.store, queued.body.id);
    expect(failed).toMatchObject({ status: 'failed', error: 'upstream answered 502' });
    const after = await get<JobMonitor>('/api/v1/jobs');
    expect(job(after, 'flaky').queue.queued).toBe(0);
    expect(job(after, 'flaky').lastRun).toMatchObject({ id: failed.id, status: 'failed' });
  }, 60_000);

  it('retries a failed run: a new run of its job (trigger retry); a run that has not failed is refused', async () => {
    const [failed] = (await get<{ items: Run[] }>('/api/v1/runs?job=flaky&status=failed')).items;
    if (!failed) throw new Error('no failed run');
    broken = false;
    const retry = await post(`/api/v1/runs/${failed.id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body.id).not.toBe(failed.id);
    const done = await finished(t.store, retry.body.id);
    expect(done).toMatchObject({ job: 'flaky', trigger: 'retry', status: 'succeeded', changed: 1 });

    const again = await post(`/api/v1/runs/${done.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('has not failed');
    expect((await post('/api/v1/runs/00000000-0000-4000-8000-00000000abcd/retry')).status).toBe(404);
    expect((await post('/api/v1/runs/not-a-run/retry')).status).toBe(400);
  }, 30_000);

  it('stores what a job that writes upstream did with its run: the mass-creation guard refused, and why', async () => {
    const started = await post('/api/v1/admin/jobs/card-creation');
    expect(started.status).toBe(202);
    await finished(t.store, started.body.id, 30_000);
    const run = await get<Run>(`/api/v1/runs/${started.body.id}`);
    const newCases = casesWithoutCard(sim.state).length;
    expect(run.status).toBe('succeeded');
    expect(run.outcome).toMatchObject({
      result: 'refused',
      did: [],
      refused: {
        reason: `${newCases} new cases > 1: mass-creation guard (MAX_CARDS_PER_RUN)`,
        // READ_ONLY is on: the alert mail itself is blocked, and the outcome says so.
        alert: 'blocked',
      },
    });
    expect(run.outcome?.summary).toContain(`refused: ${newCases} new cases > 1 (mass-creation guard)`);
    // The audit log has what the run did, beside who asked for it.
    const audit = await t.store.db.query<{ action: string; target: string; detail: Record<string, unknown> }>(
      "SELECT action, target, detail FROM audit_log WHERE detail->>'runId' = $1",
      [started.body.id],
    );
    expect(audit.rows).toEqual([
      {
        action: 'job.finished',
        target: 'card-creation',
        detail: expect.objectContaining({ runId: started.body.id, status: 'succeeded', result: 'refused' }),
      },
    ]);
    // A job that only reads stores no outcome.
    const [flaky] = (await get<{ items: Run[] }>('/api/v1/runs?job=flaky&status=succeeded')).items;
    expect(flaky?.outcome).toBeNull();
  }, 40_000);

  it('groups the quarantine by reason with counts, and drills down into one reason', async () => {
    await quarantineRecords(t.store.db, [
      { source: 'jira.comment', externalId: 'K-1#1', payload: {}, reason: 'card K-1: case not stored' },
      { source: 'jira.comment', externalId: 'K-1#2', payload: {}, reason: 'card K-1: case not stored' },
      { source: 'jira.comment', externalId: 'K-2#1', payload: {}, reason: 'card K-1: case not stored' },
      { source: 'bugzilla.bug', externalId: 'x', payload: {}, reason: 'id: not a number' },
    ]);
    const groups = await eventually(async () => {
      const g = await get<QuarantineReasons>('/api/v1/quarantine/reasons');
      return g.total >= 4 ? g : undefined;
    });
    expect(groups.items.slice(0, 2).map(({ source, reason, count }) => ({ source, reason, count }))).toEqual([
      // Record-specific parts of a reason (keys, numbers) read `#`: one group for every card.
      { source: 'jira.comment', reason: 'card #: case not stored', count: 3 },
      { source: 'bugzilla.bug', reason: 'id: not a number', count: 1 },
    ]);
    const q = new URLSearchParams({ source: 'jira.comment', reason: 'card #: case not stored' });
    const drill = await get<QuarantineList>(`/api/v1/quarantine?${q}`);
    expect(drill.total).toBe(3);
    expect(drill.items.map((i) => i.externalId).sort()).toEqual(['K-1#1', 'K-1#2', 'K-2#1']);
  });
});
