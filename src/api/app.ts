import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import type { CoreMetrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import './roles.js';
import type { SyncControl } from '../sync/index.js';
import { registerApiDocs } from './docs.js';
import { legacyRoutes } from './legacy.js';
import { healthRoutes } from './routes/health.js';
import { metaRoutes } from './routes/meta.js';
import { mirrorRoutes } from './routes/mirror.js';
import { refreshRoutes } from './routes/refresh.js';
import { runRoutes } from './routes/runs.js';
import { uiRoutes } from './ui.js';
import { apiV1Routes } from './v1.js';

export interface AppDeps {
  config: Config;
  store: Store;
  metrics: CoreMetrics;
  logger: Logger;
  /** Without it the app serves reads only (no manual refresh routes). */
  sync?: SyncControl;
  /** The built dashboard UI (dist/ui); without it only the API is served. */
  uiDir?: string;
}

/** The HTTP app: routes registered in data-flow order, one error handler, request metrics. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger and Fastify's base logger type differ only nominally.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    // Per-request lines would drown the sync logs; request timings go to /metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpRequests.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  // One error path: log with context, hide internals of 5xx from the client.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (status >= 500) req.log.error({ err, method: req.method, url: req.url }, 'request failed');
    return reply.code(status).send({ message: status >= 500 ? 'Internal Server Error' : err.message });
  });

  // First: the OpenAPI document only sees routes registered after it.
  await registerApiDocs(app);
  await app.register(healthRoutes, { store: deps.store, config: deps.config, sync: deps.sync });
  if (deps.sync) await app.register(refreshRoutes, { store: deps.store, sync: deps.sync });
  await app.register(runRoutes, { store: deps.store });
  await app.register(mirrorRoutes, { ...deps, registry: deps.metrics.registry });
  await app.register(metaRoutes, { store: deps.store, config: deps.config, sync: deps.sync });
  await app.register(apiV1Routes, { store: deps.store, config: deps.config });
  await app.register(legacyRoutes, { store: deps.store, config: deps.config });
  app.get('/metrics', { config: { role: 'public' } }, async (_req, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  // Last: its catch-all route serves the UI for every path no other route claims.
  if (deps.uiDir) await app.register(uiRoutes, { dir: deps.uiDir });
  return app;
}
