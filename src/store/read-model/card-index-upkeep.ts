import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../store.js';
import { CARD_INDEX_ENTITIES, flushCardIndex } from './card-index.js';

// Readers recompute stale card_index rows before they read; the process that writes also
// recomputes them soon after each of its writes, which keeps that work off the request path (after
// a full sync it is seconds of work). Only the process's own change events count: with several
// workers each recomputes what it wrote, instead of every process racing for every mark. A failure
// is only logged: the next reader does the work.

const FLUSH_DELAY_MS = 500;

export interface CardIndexUpkeep {
  /** Stops listening and waits for a recompute in progress. */
  stop(): Promise<void>;
}

/** Recomputes marked card_index rows now (marks left from before this process) and after each own write. */
export function keepCardIndexWarm(store: Store, logger: Logger): CardIndexUpkeep {
  const watched = new Set<string>(CARD_INDEX_ENTITIES);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const flush = () => {
    timer = undefined;
    running = flushCardIndex(store.db)
      .catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'card index refresh failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const unsubscribe = store.feed.subscribe((event) => {
    if (event.origin === store.feed.origin && watched.has(event.entity) && !timer)
      timer = setTimeout(flush, FLUSH_DELAY_MS);
  });
  flush();
  return {
    async stop() {
      unsubscribe();
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
