import type { RunningSimulator } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { AggregatorRegistry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { createPromUpstreamMetrics } from '../../src/sources/index.js';
import { createSyncEngine, type SyncEngine, waitForRun } from '../../src/sync/index.js';
import '../../src/sync/helpers/upstreams.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one series in Prometheus text format. */
function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

const total = (s: Sample[]) => s.reduce((n, x) => n + x.value, 0);
const where = (s: Sample[], labels: Record<string, string>) =>
  s.filter((x) => Object.entries(labels).every(([k, v]) => x.labels[k] === v));

// A demo-style sync against the simulators (with a few upstream faults, as real upstreams have),
// then one scrape: every series an operator alerts on is there, non-zero where there is data.
describe.each(['pglite', 'postgres+redis'] as const)('/metrics after a sync on %s', (backend) => {
  let sim: RunningSimulator;
  let t: TestStore;
  let sync: SyncEngine;
  let app: FastifyInstance;
  let text: string;

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 150, seed: 21, smtpPort: 0 });
    t = await openTestStore(backend, 'metrics');
    const config = simulatorConfig(sim, {
      READ_ONLY: 'true',
      BUGZILLA_API_KEY: 'key',
      METRICS_TOKEN,
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
    });
    const upstreamMetrics = createPromUpstreamMetrics(t.metrics.registry);
    sync = createSyncEngine({
      store: t.store,
      config,
      logger: silentLogger,
      role: { work: true, schedule: false },
      services: { upstreamMetrics, upstreamRetry: { baseDelayMs: 5, maxDelayMs: 50 } },
      metricsRegistry: t.metrics.registry,
    });
    await sync.start();
    // The first few Portal and JIRA requests are rate-limited or fail; the HTTP layer retries them.
    await simControl(sim, 'faults', {
      method: 'PUT',
      body: {
        seed: 4,
        portal: { rateLimitRate: 1, retryAfterSeconds: 0.01, limit: 2, invalidRecordRate: 0.2 },
        jira: { errorRate: 1, limit: 2 },
      },
    });
    const run = await waitForRun(t.store, (await sync.refreshAll({ trigger: 'startup' })).id);
    expect(run.status).toBe('succeeded');
    await simControl(sim, 'faults', { method: 'DELETE' });

    // One job waiting in the queue (due in an hour), so the depth has something to count.
    expect(
      await sync.boss.send('sync.stats', { trigger: 'schedule', params: {} }, { startAfter: 3600 }),
    ).toBeTruthy();

    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync });
    // The same read twice: a miss, then a hit.
    for (let i = 0; i < 2; i++) expect((await app.inject('/api/v1/stats')).statusCode).toBe(200);
    // Sign-in is off here (everyone is a viewer); test/api/auth.test.ts checks the token guard itself.
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    text = res.body;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await sync?.stop();
    await t?.close();
    await sim?.close();
  });

  it('counts HTTP requests by route and status', () => {
    const count = samples(text, 't5g_http_request_duration_seconds_count');
    expect(where(count, { route: '/api/v1/stats', status: '200', method: 'GET' })[0]?.value).toBe(2);
    expect(samples(text, 't5g_http_request_duration_seconds_bucket').length).toBeGreaterThan(0);
  });

  it('counts job runs by job and status, their duration, retries, queue depth and last success', async () => {
    const jobs = ['cases', 'details', 'cards', 'issues', 'bugs', 'escalations', 'stats', 'refresh-all'];
    const runs = samples(text, 't5g_job_runs_total');
    const durations = samples(text, 't5g_job_run_duration_seconds_count');
    const lastSuccess = samples(text, 't5g_job_last_success_timestamp_seconds');
    const retries = samples(text, 't5g_job_retries_total');
    for (const job of jobs) {
      expect(where(runs, { job, status: 'succeeded' })[0]?.value, job).toBeGreaterThanOrEqual(1);
      expect(where(durations, { job })[0]?.value, job).toBeGreaterThanOrEqual(1);
      expect(where(retries, { job })[0]?.value, job).toBe(0);
      const at = where(lastSuccess, { job })[0]?.value ?? 0;
      const stored = await t.store.db.query<{ at: Date }>(
        `SELECT max(finished_at) AS at FROM sync_runs WHERE job = $1 AND status = 'succeeded'`,
        [job],
      );
      expect(at, job).toBeCloseTo(stored.rows[0]!.at.getTime() / 1000, 2);
    }
    const depth = samples(text, 't5g_job_queue_depth');
    expect(where(depth, { job: 'stats', state: 'queued' })[0]?.value).toBe(1);
    expect(where(depth, { job: 'cases', state: 'queued' })[0]?.value).toBe(0);
  });

  it('counts upstream requests, errors by status, latency and rate-limit waits', () => {
    const requests = samples(text, 't5g_upstream_requests_total');
    for (const upstream of ['portal', 'jira', 'bugzilla'])
      expect(total(where(requests, { upstream })), upstream).toBeGreaterThan(0);
    const errors = samples(text, 't5g_upstream_errors_total');
    expect(where(errors, { upstream: 'portal', status: '429' })[0]?.value).toBe(2);
    expect(total(where(errors, { upstream: 'jira' }))).toBe(2);
    expect(total(samples(text, 't5g_upstream_request_duration_seconds_count'))).toBe(total(requests));
    expect(
      where(samples(text, 't5g_upstream_rate_limit_waits_total'), { upstream: 'portal' })[0]?.value,
    ).toBe(2);
    expect(total(samples(text, 't5g_upstream_retries_total'))).toBeGreaterThanOrEqual(4);
  });

  it('counts cache hits and misses, and has the fallback series', () => {
    const cache = samples(text, 't5g_cache_requests_total');
    const kind = backend === 'pglite' ? 'memory' : 'redis';
    expect(where(cache, { backend: kind, result: 'hit' })[0]?.value).toBeGreaterThanOrEqual(1);
    expect(where(cache, { backend: kind, result: 'miss' })[0]?.value).toBeGreaterThanOrEqual(1);
    if (kind === 'redis') expect(where(cache, { backend: 'redis', result: 'fallback' })[0]?.value).toBe(0);
  });

  it('sums counters but not the store-read gauges when several processes are aggregated', async () => {
    const one = await t.metrics.registry.getMetricsAsJSON();
    const both = await AggregatorRegistry.aggregate([one, one]).metrics();
    const single = await t.metrics.registry.metrics();
    const runs = (text: string) =>
      where(samples(text, 't5g_job_runs_total'), { job: 'cases', status: 'succeeded' })[0]?.value;
    expect(runs(both)).toBe(2 * runs(single)!);
    for (const name of [
      't5g_open_cases',
      't5g_open_crit_sits',
      't5g_job_queue_depth',
      't5g_job_last_success_timestamp_seconds',
    ])
      expect(total(samples(both, name)), name).toBe(total(samples(single, name)));
  });

  it('exports the business gauges as the store holds them', async () => {
    const db = t.store.db;
    const open = await db.query<{ severity: string; n: number }>(
      `SELECT severity_label AS severity, count(*)::int AS n FROM cases WHERE status <> 'Closed' GROUP BY 1`,
    );
    expect(open.rows.length).toBeGreaterThan(0);
    const gauge = samples(text, 't5g_open_cases');
    for (const r of open.rows) expect(where(gauge, { severity: r.severity })[0]?.value, r.severity).toBe(r.n);
    expect(gauge.map((g) => g.labels.severity).sort()).toEqual(['High', 'Low', 'Normal', 'Urgent']);

    const [escalations] = samples(text, 't5g_open_escalations');
    expect(escalations!.value).toBeGreaterThan(0);
    const [critSits] = samples(text, 't5g_open_crit_sits');
    const stored = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cases c JOIN case_details d
         ON d.case_number = c.case_number AND d.case_created_date = c.created_date
       WHERE c.status <> 'Closed' AND d.crit_sit`,
    );
    expect(stored.rows[0]!.n).toBeGreaterThan(0);
    expect(critSits!.value).toBe(stored.rows[0]!.n);

    const quarantined = samples(text, 't5g_quarantined_records');
    expect(total(quarantined)).toBeGreaterThan(0);
    const q = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM quarantine WHERE resolved_at IS NULL',
    );
    expect(total(quarantined)).toBe(q.rows[0]!.n);
  });
});
