import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { finishRunOnce, startRunAttempt, updateRun } from '../../src/store/repositories/sync-runs.js';
import { REFRESH_ALL_JOB, type SyncControl } from '../../src/sync/index.js';
import { openTestStore, type TestStore } from '../support/backends.js';
import { testConfig } from './support.js';

// The app as the browser meets it: the built UI behind every page path (with its security headers),
// and /api/v1/meta, which the header reads for freshness, demo mode and the running refresh.

const refreshable = ['cases', 'cards'];
const sync: SyncControl = {
  refreshableJobs: () => refreshable,
  refresh: async () => ({ runId: '00000000-0000-4000-8000-000000000000', joined: false }),
  refreshAll: async () => ({ id: '00000000-0000-4000-8000-000000000000', ids: {}, joined: false }),
  adminJobs: () => [],
  runAdminJob: async () => ({ runId: '00000000-0000-4000-8000-000000000000', joined: false }),
  jobStatus: async () => [],
  retryRun: async () => ({ runId: '00000000-0000-4000-8000-000000000000', joined: false }),
};

describe.each(['pglite', 'postgres'] as const)('web app on %s', (backend) => {
  let t: TestStore;
  let app: FastifyInstance;
  let uiDir: string;

  beforeAll(async () => {
    t = await openTestStore(backend, 'api_app_ui');
    uiDir = await mkdtemp(path.join(tmpdir(), 't5g-ui-'));
    await mkdir(path.join(uiDir, 'assets'));
    await writeFile(path.join(uiDir, 'index.html'), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(uiDir, 'assets', 'index-abc123.js'), 'console.log("app")');
    await writeFile(path.join(uiDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const config = { ...testConfig(), demo: { enabled: true, cases: 10, seed: 1, simulatorPort: 0 } };
    app = await buildApp({ config, store: t.store, metrics: t.metrics, logger: silentLogger, sync, uiDir });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  it('serves the UI at every page path with a content security policy', async () => {
    for (const url of [
      '/',
      '/home',
      '/table/all?severity=High&sort=caseNumber:asc',
      '/account/Acme%20Telco',
    ]) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain("object-src 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves hashed assets with long caching, and 404s for missing ones', async () => {
    const res = await app.inject({ url: '/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log("app")');
    expect(res.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/assets/nope.js' })).statusCode).toBe(404);
  });

  it('keeps unknown API paths a JSON 404 instead of the UI page', async () => {
    const res = await app.inject({ url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ message: expect.stringContaining('/api/v1/nothing-here') });
    expect((await app.inject({ url: '/api/v1/meta' })).statusCode).toBe(200);
  });

  it('reports per-source freshness, the last failure and the refresh in progress', async () => {
    const empty = (await app.inject({ url: '/api/v1/meta' })).json();
    expect(empty).toMatchObject({
      demo: true,
      readOnly: true,
      canRefresh: true,
      refreshable,
      activeRefresh: null,
    });
    expect(empty.sources.map((s: { job: string }) => s.job)).toEqual([
      'cases',
      'details',
      'cards',
      'issues',
      'bugs',
      'escalations',
      'stats',
    ]);
    expect(empty.sources[0]).toEqual({
      job: 'cases',
      origin: 'sync',
      lastSuccessAt: null,
      lastStatus: null,
      lastError: null,
    });

    const ok = await startRunAttempt(t.store.db, { id: randomUUID(), job: 'cases', trigger: 'schedule' });
    await finishRunOnce(t.store.db, ok.id, { status: 'succeeded', error: null });
    // A later failure: freshness still dates from the success, and the failure is reported.
    await new Promise((r) => setTimeout(r, 5));
    const bad = await startRunAttempt(t.store.db, { id: randomUUID(), job: 'cases', trigger: 'schedule' });
    await finishRunOnce(t.store.db, bad.id, { status: 'failed', error: 'portal: 503 Service Unavailable' });
    const refresh = await startRunAttempt(t.store.db, {
      id: randomUUID(),
      job: REFRESH_ALL_JOB,
      trigger: 'manual',
    });
    await updateRun(t.store.db, refresh.id, { progress: { current: 2, total: 7, phase: 'running cards' } });

    const meta = (await app.inject({ url: '/api/v1/meta' })).json();
    const cases = meta.sources.find((s: { job: string }) => s.job === 'cases');
    expect(cases.lastStatus).toBe('failed');
    expect(cases.lastError).toBe('portal: 503 Service Unavailable');
    expect(Date.parse(cases.lastSuccessAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(meta.sources.find((s: { job: string }) => s.job === 'cards').lastSuccessAt).toBeNull();
    expect(meta.activeRefresh).toMatchObject({
      id: refresh.id,
      job: REFRESH_ALL_JOB,
      status: 'running',
      progress: { current: 2, total: 7, phase: 'running cards' },
    });

    await finishRunOnce(t.store.db, refresh.id, { status: 'succeeded', error: null });
    expect((await app.inject({ url: '/api/v1/meta' })).json().activeRefresh).toBeNull();
  });
});
