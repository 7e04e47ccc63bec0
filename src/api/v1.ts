import type { FastifyInstance } from 'fastify';
import { CARD_INDEX_ENTITIES, flushCardIndex } from '../store/read-model/card-index.js';
import { cardRoutes } from './routes/cards.js';
import { caseRoutes } from './routes/cases.js';
import { eventRoutes } from './routes/events.js';
import { peopleRoutes } from './routes/people.js';
import { reportRoutes } from './routes/reports.js';
import { searchRoutes } from './routes/search.js';
import { statsRoutes } from './routes/stats.js';
import type { ViewDeps } from './views/deps.js';

/**
 * The dashboard's typed read API under /api/v1. Register once on the root app (after
 * `registerApiDocs`, so the routes appear in the OpenAPI document):
 *   await app.register(apiV1Routes, { store, config });
 */
export async function apiV1Routes(app: FastifyInstance, deps: ViewDeps) {
  keepCardIndexWarm(app, deps);
  await app.register(cardRoutes, deps);
  await app.register(caseRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(searchRoutes, deps);
  await app.register(peopleRoutes, deps);
  await app.register(statsRoutes, deps);
  await app.register(eventRoutes, deps);
}

const FLUSH_DELAY_MS = 500;

/**
 * Readers recompute stale card_index rows before they read; recomputing them soon after each write
 * as well keeps that off the request path (after a full sync it is seconds of work). A failure is
 * only logged: the next reader does the work.
 */
function keepCardIndexWarm(app: FastifyInstance, deps: ViewDeps) {
  const watched = new Set<string>(CARD_INDEX_ENTITIES);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const flush = () => {
    timer = undefined;
    running = flushCardIndex(deps.store.db)
      .catch((err: Error) => app.log.warn({ err: err.message }, 'card index refresh failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const unsubscribe = deps.store.feed.subscribe((event) => {
    if (watched.has(event.entity) && !timer) timer = setTimeout(flush, FLUSH_DELAY_MS);
  });
  app.addHook('onReady', async () => flush());
  app.addHook('onClose', async () => {
    unsubscribe();
    clearTimeout(timer);
    await running;
  });
}
