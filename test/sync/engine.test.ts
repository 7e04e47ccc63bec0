import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { quarantineRecords } from '../../src/store/repositories/quarantine.js';
import { listStatsSnapshots } from '../../src/store/repositories/stats-snapshots.js';
import { getRun, type RunStatus } from '../../src/store/repositories/sync-runs.js';
import { closeOrphanedRuns } from '../../src/sync/engine/orphans.js';
import { watchRun } from '../../src/sync/engine/run-watch.js';
import { createSyncEngine, type JobDefinition, JobRegistry, type SyncEngine } from '../../src/sync/index.js';
import { statsSnapshotJob } from '../../src/sync/jobs/stats-snapshot.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import {
  eventually,
  FAST_TUNING,
  finished,
  Latch,
  parseSse,
  recordingSink,
  routesApp,
  syncConfig,
} from './support.js';

// The engine end to end on each backend: manual refresh through the HTTP routes → pg-boss → worker
// → run row, with live progress over SSE, joining, retries, alerts and the orphaned-run check.

describe.each(['pglite', 'postgres'] as const)('sync engine on %s', (backend) => {
  let t: TestStore;
  let engine: SyncEngine;
  let app: FastifyInstance;
  const { alerts, sink } = recordingSink();

  const latch = new Latch();
  let latchExecutions = 0;
  const latchJob: JobDefinition = {
    name: 'latch',
    title: 'Waits for the test',
    refresh: 'single',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    handler: async (ctx) => {
      latchExecutions += 1;
      ctx.progress({ current: 1, total: 2, phase: 'waiting' });
      await latch.wait(ctx.signal);
      ctx.counters.fetched = 5;
      ctx.progress({ current: 2, total: 2, phase: 'finishing' });
      return { changed: 2 };
    },
  };

  let flakyAttempts = 0;
  const flakyJob: JobDefinition = {
    name: 'flaky',
    title: 'Always fails',
    refresh: 'single',
    retry: { limit: 2, delaySeconds: 1, backoff: true, maxDelaySeconds: 1 },
    handler: async (ctx) => {
      flakyAttempts += 1;
      ctx.counters.upstreamRequests += 1;
      throw new Error(`upstream down (attempt ${ctx.attempt})`);
    },
  };

  let writerRuns = 0;
  // Stands for card creation / priority sync / bug tagging: never refreshed by hand, admins only.
  const writerJob: JobDefinition = {
    name: 'writer',
    title: 'Writes upstream',
    refresh: 'none',
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    handler: async () => {
      writerRuns += 1;
      return { changed: 1 };
    },
  };

  const post = async (url: string) => {
    const res = await app.inject({ method: 'POST', url });
    return { status: res.statusCode, body: res.json(), location: res.headers.location };
  };

  beforeAll(async () => {
    t = await openTestStore(backend, 'sync_engine');
    engine = createSyncEngine({
      store: t.store,
      config: syncConfig(t.databaseUrl),
      logger: silentLogger,
      role: { work: true, schedule: false },
      // Only jobs that need no upstream: the engine is under test here, not the connectors.
      registry: new JobRegistry([statsSnapshotJob, latchJob, flakyJob, writerJob]),
      alerts: sink,
      tuning: FAST_TUNING,
      progressIntervalMs: 100,
      metricsRegistry: t.metrics.registry,
    });
    await engine.start();
    app = await routesApp(t.store, engine);
  });

  afterAll(async () => {
    await app?.close();
    await engine?.stop();
    await t?.close();
  });

  it('runs a job from a manual refresh and records it: queued/running → succeeded with counts', async () => {
    const res = await post('/api/v1/refresh/stats');
    expect(res.status).toBe(202);
    expect(res.body.joined).toBe(false);
    expect(res.location).toBe(`/api/v1/runs/${res.body.id}`);
    const early = await getRun(t.store.db, res.body.id);
    expect(['queued', 'running', 'succeeded']).toContain(early?.status);

    const run = await finished(t.store, res.body.id);
    expect(run).toMatchObject({
      job: 'stats',
      trigger: 'manual',
      status: 'succeeded',
      changed: 1,
      error: null,
    });
    expect(run.finishedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt.getTime());
    expect(run.progress.phase).toBe('done');

    const day = new Date().toISOString().slice(0, 10);
    expect((await listStatsSnapshots(t.store.db)).map((s) => s.day)).toContain(day);

    const api = await app.inject({ method: 'GET', url: `/api/v1/runs/${run.id}` });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({
      id: run.id,
      job: 'stats',
      trigger: 'manual',
      status: 'succeeded',
      changed: 1,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt!.toISOString(),
    });
  });

  it('streams a running job over SSE to `done`, and a second refresh joins the same run', async () => {
    latch.reset();
    latchExecutions = 0;
    const first = await post('/api/v1/refresh/latch');
    expect(first.status).toBe(202);
    const id: string = first.body.id;
    await eventually(async () =>
      (await getRun(t.store.db, id))?.progress.phase === 'waiting' ? true : undefined,
    );

    const running = await app.inject({ method: 'GET', url: `/api/v1/runs/${id}` });
    expect(running.json()).toMatchObject({
      status: 'running',
      progress: { current: 1, total: 2, phase: 'waiting' },
    });

    const second = await post('/api/v1/refresh/latch');
    expect(second).toMatchObject({ status: 202, body: { id, joined: true } });

    const stream = app.inject({ method: 'GET', url: `/api/v1/runs/${id}/events` });
    await new Promise((r) => setTimeout(r, 200));
    latch.open();
    const res = await stream;
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(res.body);
    expect(events[0]).toMatchObject({ event: 'state', data: { id, status: 'running' } });
    expect(events.some((e) => e.event === 'progress')).toBe(true);
    expect(events.at(-1)).toMatchObject({
      event: 'done',
      data: { id, status: 'succeeded', fetched: 5, changed: 2 },
    });
    expect(latchExecutions).toBe(1);

    // A page reloaded after the end re-attaches and gets the final state at once.
    const again = parseSse((await app.inject({ method: 'GET', url: `/api/v1/runs/${id}/events` })).body);
    expect(again.map((e) => e.event)).toEqual(['state', 'done']);
  });

  it('retries a failing job with backoff, then records it failed with its error and alerts once', async () => {
    flakyAttempts = 0;
    const started = Date.now();
    const { body } = await post('/api/v1/refresh/flaky');
    const seen = new Set<RunStatus>();
    const stop = watchRun(t.store, body.id, (r) => seen.add(r.status), { pollMs: 200 });
    const run = await finished(t.store, body.id);
    stop();
    expect(run).toMatchObject({ status: 'failed', error: 'upstream down (attempt 3)', upstreamRequests: 1 });
    expect(flakyAttempts).toBe(3);
    expect(seen).toContain('retrying');
    // Two retries, each after a delay of at least a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    // The alert goes out right after the failure is recorded.
    await eventually(async () => (alerts.length > 0 ? true : undefined));
    expect(alerts).toEqual([
      { job: 'flaky', runId: body.id, error: 'upstream down (attempt 3)', attempts: 3 },
    ]);

    // Failing again inside the alert window: recorded, but no second alert.
    const next = await post('/api/v1/refresh/flaky');
    expect(next.body.id).not.toBe(body.id);
    expect((await finished(t.store, next.body.id)).status).toBe('failed');
    await new Promise((r) => setTimeout(r, 300));
    expect(alerts).toHaveLength(1);
    const throttle = await t.store.db.query<{ suppressed: number }>(
      `SELECT suppressed FROM alert_throttle WHERE job = 'flaky'`,
    );
    expect(throttle.rows[0]?.suppressed).toBe(1);

    const attempts = await t.metrics.registry.getSingleMetric('t5g_job_runs_total')!.get();
    const count = (outcome: string) =>
      attempts.values.find((v) => v.labels.job === 'flaky' && v.labels.status === outcome)?.value;
    expect([count('retrying'), count('failed')]).toEqual([4, 2]);
    const retries = await t.metrics.registry.getSingleMetric('t5g_job_retries_total')!.get();
    expect(retries.values.find((v) => v.labels.job === 'flaky')?.value).toBe(4);
  });

  it('gives a scheduled run (no row yet when it starts) its own row with trigger schedule', async () => {
    const id = await engine.boss.send('sync.stats', { trigger: 'schedule', params: {} });
    expect(id).toBeTruthy();
    const run = await finished(t.store, id!);
    expect(run).toMatchObject({ job: 'stats', trigger: 'schedule', status: 'succeeded' });
  });

  it('refreshes everything: one run per job plus a run for the whole refresh', async () => {
    const res = await post('/api/v1/refresh');
    expect(res.status).toBe(202);
    expect(Object.keys(res.body.ids)).toEqual(['stats']);
    expect(res.location).toBe(`/api/v1/runs/${res.body.id}`);
    const whole = await finished(t.store, res.body.id);
    expect(whole).toMatchObject({ job: 'refresh-all', status: 'succeeded', changed: 1 });
    expect(whole.progress).toMatchObject({ current: 1, total: 1 });
    expect((await finished(t.store, res.body.ids.stats)).status).toBe('succeeded');
  });

  it('lists runs by job and status, and answers 404 for unknown runs and sources', async () => {
    const failed = await app.inject({ method: 'GET', url: '/api/v1/runs?job=flaky&status=failed' });
    expect(failed.statusCode).toBe(200);
    const items = failed.json().items as { job: string; status: string; trigger: string }[];
    expect(items).toHaveLength(2);
    expect(items.every((r) => r.job === 'flaky' && r.status === 'failed' && r.trigger === 'manual')).toBe(
      true,
    );
    expect((await app.inject({ method: 'GET', url: '/api/v1/runs?limit=1' })).json().items).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/api/v1/runs?status=bogus' })).statusCode).toBe(400);

    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await app.inject({ method: 'GET', url: `/api/v1/runs/${unknown}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/runs/${unknown}/events` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/runs/not-a-uuid' })).statusCode).toBe(400);

    const nope = await post('/api/v1/refresh/nope');
    expect(nope.status).toBe(404);
    expect(nope.body.sources).toEqual(['stats', 'latch', 'flaky']);
    expect((await post('/api/v1/refresh/refresh-all')).status).toBe(404);
  });

  it('runs a job that writes upstream only through the admin route', async () => {
    expect((await post('/api/v1/refresh/writer')).status).toBe(404);
    expect(engine.adminJobs()).toEqual(['writer']);
    const res = await post('/api/v1/admin/jobs/writer');
    expect(res.status).toBe(202);
    expect(res.location).toBe(`/api/v1/runs/${res.body.id}`);
    expect(await finished(t.store, res.body.id)).toMatchObject({
      job: 'writer',
      trigger: 'manual',
      status: 'succeeded',
    });
    expect(writerRuns).toBe(1);
    // Reads and refreshes are not admin jobs, and neither is the whole-refresh run.
    for (const job of ['stats', 'refresh-all', 'nope']) {
      const r = await post(`/api/v1/admin/jobs/${job}`);
      expect(r.status, job).toBe(404);
      expect(r.body.sources).toEqual(['writer']);
    }
  });

  it('lists quarantined records by source with paging', async () => {
    await quarantineRecords(t.store.db, [
      { source: 'jira.card', externalId: 'K-1', payload: { key: 'K-1' }, reason: 'unknown status "Foo"' },
      { source: 'jira.card', externalId: 'K-2', payload: { key: 'K-2' }, reason: 'unknown status "Bar"' },
      { source: 'portal.comment', externalId: 'c1', payload: {}, reason: 'case 1 is not stored' },
    ]);
    const page1 = (
      await app.inject({ method: 'GET', url: '/api/v1/quarantine?source=jira.card&limit=1' })
    ).json();
    expect(page1.total).toBe(2);
    expect(page1.items).toHaveLength(1);
    const page2 = (
      await app.inject({ method: 'GET', url: '/api/v1/quarantine?source=jira.card&limit=1&offset=1' })
    ).json();
    expect(page2.items).toHaveLength(1);
    expect(new Set([page1.items[0].externalId, page2.items[0].externalId])).toEqual(new Set(['K-1', 'K-2']));
    expect(page1.items[0]).toMatchObject({
      source: 'jira.card',
      occurrences: 1,
      payload: { key: expect.any(String) },
    });
    expect((await app.inject({ method: 'GET', url: '/api/v1/quarantine' })).json().total).toBe(3);
  });

  it('closes a run whose worker vanished and alerts for it', async () => {
    const ghost = '11111111-1111-4111-8111-111111111111';
    await t.store.db.query(
      `INSERT INTO sync_runs (id, job, trigger, status, started_at) VALUES ($1, 'ghost', 'schedule', 'running', now() - interval '5 minutes')`,
      [ghost],
    );
    const closed = await closeOrphanedRuns(engine.boss, t.store, sink, silentLogger, () => true);
    expect(closed).toBe(1);
    expect(await getRun(t.store.db, ghost)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/worker lost/),
    });
    expect(alerts.at(-1)).toMatchObject({ job: 'ghost', runId: ghost });
    expect(await closeOrphanedRuns(engine.boss, t.store, sink, silentLogger, () => true)).toBe(0);
  });
});
