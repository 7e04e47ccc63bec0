import type { FastifyInstance } from 'fastify';
import { cardRoutes } from './routes/cards.js';
import { caseRoutes } from './routes/cases.js';
import type { ViewDeps } from './views/deps.js';

/**
 * The dashboard's typed read API under /api/v1. Register once on the root app (after
 * `registerApiDocs`, so the routes appear in the OpenAPI document):
 *   await app.register(apiV1Routes, { store, config });
 */
export async function apiV1Routes(app: FastifyInstance, deps: ViewDeps) {
  await app.register(cardRoutes, deps);
  await app.register(caseRoutes, deps);
}
