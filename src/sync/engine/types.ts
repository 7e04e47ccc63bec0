import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import type { RunOutcome } from '../../shared/api/sync.js';
import type { RunProgress, RunTrigger } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';

// The contract between the sync engine and the job handlers. A handler is a plain async function of
// a context; it throws to fail (the engine retries with backoff, then alerts), and it reports what it
// did through the counters and the progress reporter. It never touches pg-boss.

/** Every job the product knows, scheduled or not. A schedule may only name one of these. */
export const KNOWN_JOBS = [
  'cases',
  'cards',
  'details',
  'issues',
  'bugs',
  'escalations',
  'stats',
  'card-creation',
  'priority-sync',
  'bug-tagging',
] as const;
export type KnownJobName = (typeof KNOWN_JOBS)[number];

/** What a schedule or a manual refresh asks a run to do; the same for every attempt of the run. */
export interface JobParams {
  /** A full pass (daily reconcile) instead of the incremental one; each handler decides what that means. */
  full?: boolean;
}

/** What a run did, as counted by its handler; persisted with the progress and at the end. */
export interface RunCounters {
  /** Records read from upstream (or from the store, for derived jobs). */
  fetched: number;
  /** Rows inserted or updated (unchanged rows are not changes). */
  changed: number;
  /** Records rejected into `quarantine`. */
  quarantined: number;
  /** HTTP requests made to upstreams, retries included. */
  upstreamRequests: number;
}

export type ProgressReporter = (progress: RunProgress) => void;

/**
 * Dependencies the engine hands to every handler beyond the store and config. Empty today; the
 * connectors add theirs by declaration merging from their own module, e.g.
 *
 *   declare module './types.js' { interface JobServices { upstreams: Upstreams } }
 *
 * and whoever builds the engine passes them in `createSyncEngine({ services })`.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging, see above.
export interface JobServices {}

export interface JobContext {
  readonly runId: string;
  readonly job: string;
  readonly trigger: RunTrigger;
  readonly params: JobParams;
  /** 1 for the first attempt; retries count up. */
  readonly attempt: number;
  readonly store: Store;
  readonly config: Config;
  readonly logger: Logger;
  readonly services: JobServices;
  /** Aborted when the worker shuts down or the run exceeds its time limit; pass it to every request. */
  readonly signal: AbortSignal;
  /** Mutable; the engine persists the values with progress (throttled) and when the run ends. */
  readonly counters: RunCounters;
  /** Live progress for the UI; cheap to call often (writes are throttled). */
  readonly progress: ProgressReporter;
  /** `fetch` that counts into `counters.upstreamRequests` and stops on `signal`; hand it to the connectors. */
  readonly fetch: typeof globalThis.fetch;
}

/** What a handler may return: final counts (override the counters when given) and a line for the log. */
export interface JobOutcome extends Partial<RunCounters> {
  summary?: string;
  /** Jobs that write upstream: what they did, would have done (READ_ONLY) or refused; stored with the run. */
  outcome?: RunOutcome;
  /** Final progress to record instead of the last one reported (e.g. 4 of 30 done, the rest handed over). */
  finalProgress?: { current: number; total: number };
}

/** Returns nothing when the counters already say it all. */
// biome-ignore lint/suspicious/noConfusingVoidType: lets `async (ctx) => { … }` be a handler as it is.
export type JobHandler = (ctx: JobContext) => Promise<JobOutcome | void>;

/** How pg-boss retries a failed run attempt; the HTTP calls inside it have their own `HttpRetryPolicy`. */
export interface JobRetryPolicy {
  /** Retries after the first attempt; the alert goes out when the last one fails. */
  limit: number;
  /** Seconds before the first retry (an integer; pg-boss's unit). */
  delaySeconds: number;
  /** Exponential backoff with jitter from `delaySeconds`, capped at `maxDelaySeconds`. */
  backoff: boolean;
  maxDelaySeconds?: number;
}

/**
 * - `all`: part of `POST /api/v1/refresh` and refreshable alone.
 * - `single`: only `POST /api/v1/refresh/:source`.
 * - `none`: never by hand (jobs that write upstream get their own admin routes).
 */
export type ManualRefresh = 'all' | 'single' | 'none';

export interface JobDefinition {
  /** Queue and run name; a schedule names it, `POST /refresh/:source` takes it. */
  name: string;
  /** For people: "Portal cases". */
  title: string;
  handler: JobHandler;
  refresh: ManualRefresh;
  /**
   * Jobs whose runs must have finished (succeeded or failed) before this one starts in a full refresh
   * (`POST /api/v1/refresh`, the start-up sync): e.g. details after cases, stats after everything.
   * Names not in the refresh are ignored. Scheduled runs are not ordered (each works from the store).
   */
  after?: readonly string[];
  retry?: Partial<JobRetryPolicy>;
  /** Longest a single attempt may run before pg-boss fails it (and aborts `ctx.signal`). */
  timeoutSeconds?: number;
  /** Alert after the last failed attempt (default true). */
  alertOnFailure?: boolean;
  /**
   * Retries only when the attempt's worker died (its heartbeat stopped): a failure of the handler
   * itself is final. For `refresh-all`, whose failure means a run it waited for failed.
   */
  retryOnlyAfterWorkerLoss?: boolean;
}

export interface RefreshResult {
  /** The run that will do (or is doing) the work. */
  runId: string;
  /** True when the refresh joined a run that was already queued or running. */
  joined: boolean;
}

export interface RefreshAllResult {
  /** The `refresh-all` run: it starts the remaining runs in order and finishes when all have. */
  id: string;
  /** The runs started (or joined) right away: jobs with no prerequisite in the refresh. */
  ids: Record<string, string>;
  joined: boolean;
}

/** What the HTTP routes need from the engine; a web process holds one without running any job. */
export interface SyncControl {
  /** Jobs `POST /refresh/:source` accepts, in registry order. */
  refreshableJobs(): string[];
  refresh(job: string, opts?: { params?: JobParams }): Promise<RefreshResult>;
  refreshAll(opts?: { trigger?: 'manual' | 'startup' }): Promise<RefreshAllResult>;
  /** Jobs that write upstream (card creation, priority sync, bug tagging): run by admins only. */
  adminJobs(): string[];
  /** Starts (or joins) a run of one of `adminJobs()`; UnknownJobError for any other name. */
  runAdminJob(job: string): Promise<RefreshResult>;
  /** Whether the job queue answers, and how many jobs wait in it (for /readyz). */
  queueHealth?(): Promise<QueueHealth>;
  /** Every job with its schedules (next run time) and its queue: what the job monitor shows. */
  jobStatus(): Promise<JobStatus[]>;
  /**
   * Starts a new run of a failed run's job with the run's parameters (trigger `retry`), or joins
   * the run of that job already queued or running. UnknownJobError when the job is gone.
   */
  retryRun(run: { id: string; job: string }): Promise<RefreshResult>;
}

export interface JobStatus {
  job: string;
  title: string;
  /** How it is started by hand: with a full refresh, alone, only by admins (writes upstream); `refresh-all` is the full refresh itself. */
  refresh: ManualRefresh | 'full-refresh';
  writesUpstream: boolean;
  schedules: {
    key: string;
    cron: string | null;
    timezone: string | null;
    nextRunAt: Date | null;
    /** Null when the schedule applies; else why not (READ_ONLY, a missing setting). */
    inactiveBecause: string | null;
  }[];
  queue: { queued: number; deferred: number; active: number; failed: number };
}

export interface QueueHealth {
  ok: boolean;
  /** Jobs queued across every job's queue. */
  queued?: number;
  detail?: string;
}

export class UnknownJobError extends Error {
  constructor(readonly job: string) {
    super(`unknown job: ${job}`);
    this.name = 'UnknownJobError';
  }
}
