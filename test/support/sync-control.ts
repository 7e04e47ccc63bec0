import type { SyncControl } from '../../src/sync/index.js';

/** The run id every start answers with. */
export const FAKE_RUN_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The sync engine's face to the web app, for tests of the app alone (sign-in, roles, CSRF): cases
 * is refreshable, card creation is the admin job, every start answers FAKE_RUN_ID, and `started`
 * records which jobs were asked for.
 */
export function fakeSyncControl(started: string[] = []): SyncControl {
  const start = (job: string) => {
    started.push(job);
    return { runId: FAKE_RUN_ID, joined: false };
  };
  return {
    refreshableJobs: () => ['cases'],
    refresh: async (job) => start(job),
    refreshAll: async () => ({ id: FAKE_RUN_ID, ids: {}, joined: false }),
    adminJobs: () => ['card-creation'],
    runAdminJob: async (job) => start(job),
    jobStatus: async () => [],
    retryRun: async (run) => start(run.job),
  };
}
