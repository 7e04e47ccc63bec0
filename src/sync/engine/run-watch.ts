import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { ANY_ENTITY } from '../../store/change-feed.js';
import { getRun, type SyncRun } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import { RUN_ENTITY } from './progress.js';

// Follows one run from any process: the change feed says when its row changed (the worker may be
// another process), then the row is read from PostgreSQL. A slow poll covers a notification lost
// while the feed's connection was re-established.

export interface WatchOptions {
  /** The state the caller already has; only changes from it are reported. */
  initial?: SyncRun;
  pollMs?: number;
  logger?: Logger;
}

/** Calls `onChange` with the run's row each time it changes, until the returned function is called. */
export function watchRun(
  store: Store,
  id: string,
  onChange: (run: SyncRun) => void,
  opts: WatchOptions = {},
): () => void {
  let last = opts.initial ? JSON.stringify(opts.initial) : '';
  let stopped = false;
  let reading = false;
  let readAgain = false;
  const check = async () => {
    if (stopped) return;
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    try {
      do {
        readAgain = false;
        const run = await getRun(store.db, id);
        if (stopped || !run) continue;
        const snapshot = JSON.stringify(run);
        if (snapshot === last) continue;
        last = snapshot;
        onChange(run);
      } while (readAgain && !stopped);
    } catch (err) {
      opts.logger?.warn({ err: errorMessage(err), runId: id }, 'could not read run');
    } finally {
      reading = false;
    }
  };
  const unsubscribe = store.feed.subscribe((event) => {
    if (
      event.entity === ANY_ENTITY ||
      (event.entity === RUN_ENTITY && (event.keys === null || event.keys.includes(id)))
    )
      void check();
  });
  const poll = setInterval(() => void check(), opts.pollMs ?? 5000);
  poll.unref();
  void check();
  return () => {
    stopped = true;
    clearInterval(poll);
    unsubscribe();
  };
}

/** Resolves with the run once it has finished (`succeeded` or `failed`); rejects when `signal` aborts. */
export function waitForRun(
  store: Store,
  id: string,
  signal?: AbortSignal,
  onChange?: (run: SyncRun) => void,
): Promise<SyncRun> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      stop();
      reject(signal?.reason);
    };
    const stop = watchRun(
      store,
      id,
      (run) => {
        onChange?.(run);
        if (run.status === 'succeeded' || run.status === 'failed') {
          stop();
          signal?.removeEventListener('abort', onAbort);
          resolve(run);
        }
      },
      { pollMs: 1000 },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
