import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobMonitor, QuarantineReasons, Run } from '../../src/shared/api/sync.js';
import { ensureRun, finishRunOnce } from '../../src/store/repositories/sync-runs.js';
import { waitForRun } from '../../src/sync/index.js';
import { type BrowserProduct, browserSkipReason, useBrowserProduct } from '../support/browser.js';

// The job monitor on /sync (the Flower replacement) in a real browser, on the demo product after its
// first sync: every job with its schedules and their next run, queue depth and its newest run; the
// recent runs; retrying a failed run with one click (a new run of its job that then succeeds); the
// outcome a job that writes upstream stored with its run (READ_ONLY: what it would have done, or the
// mass-creation guard's refusal); the quarantine grouped by reason with a drill-down.
// Screenshot: test-artifacts/screenshots/sync-job-monitor.png.

/** Polls until `check` gives a value (10 s at most). */
async function until<T>(check: () => Promise<T | undefined>): Promise<T | undefined> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = await check();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(browserSkipReason)('the job monitor in the browser', () => {
  // The schedules applied, as `npm start` does, so the monitor has them to show.
  const product = useBrowserProduct({ schedule: true });
  let p: BrowserProduct;

  beforeAll(() => {
    p = product();
  });

  const monitorRow = (job: string) => p.page.locator(`table.job-monitor tr[data-job="${job}"]`);

  it('lists every schedule with its next run, and the runs', async () => {
    const { page } = p;
    await p.goto('/sync');
    const monitor = await p.api<JobMonitor>('/api/v1/jobs');
    const cases = monitor.items.find((j) => j.job === 'cases');
    const incremental = cases?.schedules.find((s) => s.active);
    if (!incremental?.nextRunAt || !incremental.cron) throw new Error('the cases job has no active schedule');
    // Each active schedule: its cron expression and the next run, in UTC.
    const row = monitorRow('cases');
    await expect.poll(() => row.innerText()).toContain(incremental.cron);
    const nextShown = await row.locator('time').first().getAttribute('datetime');
    expect(Date.parse(nextShown ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(await row.innerText()).toContain(`next ${incremental.nextRunAt.slice(0, 10)}`);
    // Demo mode keeps READ_ONLY on: the jobs that write upstream are not scheduled, and say why.
    await expect.poll(() => monitorRow('card-creation').innerText()).toContain('off (READ_ONLY is on)');
    for (const j of monitor.items) await expect.poll(() => monitorRow(j.job).count()).toBe(1);

    // The recent runs: the first sync's, each with its status.
    const runs = await p.api<{ items: Run[] }>('/api/v1/runs?job=cases&limit=1');
    const last = runs.items[0];
    if (!last) throw new Error('no cases run');
    await expect.poll(() => page.locator(`tr[data-run="${last.id}"]`).innerText()).toContain('succeeded');
    await p.screenshot('sync-job-monitor');
    expect(p.problems).toEqual([]);
  });

  it('retries a failed run: the retry is a new run of the same job, and it succeeds', async () => {
    const { page, store } = p;
    // A stats run that failed on its last attempt, as the runner records one.
    const failedId = randomUUID();
    await store.write(async (tx) => {
      await ensureRun(tx, { id: failedId, job: 'stats', trigger: 'schedule', status: 'running' });
      await finishRunOnce(tx, failedId, { status: 'failed', error: 'store was unreachable for 30 s' });
    });
    await p.goto('/sync');
    const failedRow = page.locator(`tr[data-run="${failedId}"]`);
    await expect.poll(() => failedRow.innerText()).toContain('store was unreachable for 30 s');
    await failedRow.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Retry stats: started');

    const retried = await until(async () =>
      (await p.api<{ items: Run[] }>('/api/v1/runs?job=stats&limit=5')).items.find(
        (r) => r.trigger === 'retry',
      ),
    );
    if (!retried) throw new Error('no retry run');
    const done = await waitForRun(store, retried.id, AbortSignal.timeout(30_000));
    expect(done.status).toBe('succeeded');
    await p.goto('/sync');
    const retryRow = page.locator(`tr[data-run="${retried.id}"]`);
    await expect.poll(() => retryRow.innerText()).toMatch(/stats\s+retry\s+succeeded/);
    expect(p.problems).toEqual([]);
  }, 60_000);

  it('shows what a job that writes upstream did with its run, and the quarantine by reason', async () => {
    const { page, store } = p;
    await p.goto('/sync');
    page.once('dialog', (d) => void d.accept());
    await monitorRow('card-creation').getByRole('button', { name: 'Run card-creation' }).click();
    await expect.poll(() => page.getByRole('status').first().innerText()).toContain('Run card-creation');
    const [queued] = (await p.api<{ items: Run[] }>('/api/v1/runs?job=card-creation&limit=1')).items;
    if (!queued) throw new Error('no card-creation run');
    await waitForRun(store, queued.id, AbortSignal.timeout(30_000));
    const run = await p.api<Run>(`/api/v1/runs/${queued.id}`);
    // READ_ONLY (demo mode): it wrote nothing, and says what it would have done or why it refused.
    expect(['read-only', 'refused']).toContain(run.outcome?.result);
    expect(run.outcome?.did).toEqual([]);
    await p.goto('/sync');
    const row = page.locator(`tr[data-run="${queued.id}"]`);
    await expect
      .poll(() => row.locator('.run-outcome summary').innerText())
      .toBe(`${run.outcome?.result}: ${run.outcome?.summary}`);
    await row.locator('.run-outcome summary').click();
    const detail = run.outcome?.refused
      ? `Refused: ${run.outcome.refused.reason}`
      : `${run.outcome?.wouldHave[0]?.action} ${run.outcome?.wouldHave[0]?.target}`;
    await expect.poll(() => row.locator('.run-outcome').innerText()).toContain(detail);

    // The quarantine, grouped by reason; a group's button lists exactly its records.
    const groups = await p.api<QuarantineReasons>('/api/v1/quarantine/reasons');
    const group = groups.items[0];
    if (group) {
      const groupRow = page.locator('table.quarantine-reasons tbody tr').first();
      await expect.poll(() => groupRow.innerText()).toContain(group.reason);
      await groupRow.getByRole('button', { name: /^Show \d[\d,]* records?$/ }).click();
      await expect.poll(() => page.locator('main h3').innerText()).toBe(`${group.source}: ${group.reason}`);
      const shown = page.locator('table.data').last().locator('tbody tr');
      await expect.poll(() => shown.count()).toBe(Math.min(group.count, 100));
    }
    expect(p.problems).toEqual([]);
  }, 60_000);
});
