import type { FastifyInstance } from 'fastify';
import { registerResponseCache } from './cached-response.js';
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
  // Whole answers of the routes that declare `config.cache`, per URL, role and data generation.
  registerResponseCache(app, deps.store);
  await app.register(cardRoutes, deps);
  await app.register(caseRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(searchRoutes, deps);
  await app.register(peopleRoutes, deps);
  await app.register(statsRoutes, deps);
  await app.register(eventRoutes, deps);
}
