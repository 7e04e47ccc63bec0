// The sync engine: pg-boss queues (one per job, single-flight), the schedule table, run records with
// live progress, retries and rate-limited alerts. See engine/engine.ts for how processes share the work.
export {
  type AlertGate,
  type AlertSink,
  createLoggingAlertSink,
  createMemoryAlertGate,
  createStoreAlertGate,
  type JobAlert,
  rateLimitAlerts,
} from './engine/alerts.js';
export { createBoss, DEFAULT_TUNING, queueName, type WorkerTuning } from './engine/boss.js';
export { createSyncEngine, type SyncEngine, type SyncEngineOptions, type SyncRole } from './engine/engine.js';
export { RUN_ENTITY } from './engine/progress.js';
export { REFRESH_ALL_JOB } from './engine/refresh-all.js';
export { BUILT_IN_JOBS, createJobRegistry, JobRegistry } from './engine/registry.js';
export { waitForRun, watchRun } from './engine/run-watch.js';
export { planSchedules, SCHEDULES, type ScheduleEntry, type SchedulePlan } from './engine/schedules.js';
export * from './engine/types.js';
