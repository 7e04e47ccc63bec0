import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { type RunProgress, updateRun } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import type { RunCounters } from './types.js';

// Live progress of a run: handlers may report on every record, but the row is written at most every
// `minIntervalMs` (a trailing write makes sure the last report lands). Every write is announced on
// the change feed (entity `sync_run`, key = run id), which is how a web process in front of a
// separate worker follows a run.

export const RUN_ENTITY = 'sync_run';

export class ProgressWriter {
  private latest: RunProgress | undefined;
  private lastWriteAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly runId: string,
    private readonly counters: RunCounters,
    private readonly logger: Logger,
    private readonly minIntervalMs = 500,
  ) {}

  /** The last progress reported, for the final write. */
  get current(): RunProgress | undefined {
    return this.latest;
  }

  report(progress: RunProgress): void {
    // A straggling report after the run ended must not overwrite its final state.
    if (this.closed) return;
    this.latest = { ...progress };
    if (this.timer) return;
    const wait = this.lastWriteAt + this.minIntervalMs - Date.now();
    if (wait <= 0) this.write();
    else this.timer = setTimeout(() => this.write(), wait);
  }

  /** Writes what is pending and waits for every write so far; call before the run's final update. */
  async flush(): Promise<void> {
    if (this.timer) this.write();
    await this.chain;
  }

  /** Drops a pending write (the final update carries the same values). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
  }

  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastWriteAt = Date.now();
    const progress = this.latest;
    const counters = { ...this.counters };
    // Serialised, so writes land in the order they were made.
    this.chain = this.chain.then(async () => {
      try {
        await this.store.write(async (tx, changes) => {
          await updateRun(tx, this.runId, { progress, ...counters });
          changes.add(RUN_ENTITY, [this.runId]);
        });
      } catch (err) {
        // Progress is best effort: a lost update must not fail the run.
        // The run's logger already carries runId and job.
        this.logger.warn({ err: errorMessage(err) }, 'could not save run progress');
      }
    });
  }
}
