import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { registerBusinessGauges } from '../observability/business-gauges.js';
import type { CoreMetrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import './roles.js';
import type { SyncControl } from '../sync/index.js';
import { registerAuth } from './auth/auth.js';
import { registerApiDocs } from './docs.js';
import { errorAnswer } from './errors.js';
import { rejectNonFiniteNumbers } from './json-schema.js';
import { legacyRoutes } from './legacy.js';
import { accessRoutes } from './routes/access.js';
import { healthRoutes } from './routes/health.js';
import { jobRoutes } from './routes/jobs.js';
import { metaRoutes } from './routes/meta.js';
import { mirrorRoutes } from './routes/mirror.js';
import { refreshRoutes } from './routes/refresh.js';
import { runRoutes } from './routes/runs.js';
import { webhookRoutes } from './routes/webhooks.js';
import { frameworkErrors, registerSecurityHeaders } from './security-headers.js';
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

/** A hop count trusts that many proxies in front (what Fastify does with a number itself). */
const trustProxyOption = (v: Config['server']['trustProxy']) =>
  typeof v === 'number' ? (_address: string, hop: number) => hop < v : v;

/**
 * A caller's (or proxy's) `X-Request-Id` is kept when it is a plain token, so one id follows a
 * request through the proxy's log and ours; anything else gets a fresh id.
 */
const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The HTTP app: routes registered in data-flow order, one error handler, request metrics. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger and Fastify's base logger type differ only nominally.
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }),
    // Per-request lines would drown the sync logs; request timings go to /metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(deps.config.server.trustProxy),
    frameworkErrors,
    // Every line logged while serving a request carries its `reqId`.
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
  }) as unknown as FastifyInstance;
  // On the raw response, so hijacked answers (event streams) carry it too.
  app.addHook('onRequest', async (req, reply) => {
    reply.raw.setHeader('x-request-id', req.id);
  });
  await registerSecurityHeaders(app);
  rejectNonFiniteNumbers(app);

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.httpRequests.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    // At debug only: at info these lines would drown the sync logs.
    req.log.debug(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
  });

  // One error path: bad input is a 400 with its reason (logged at most as a warning); only a fault
  // of ours is logged as an error, and its internals stay out of the answer.
  app.setErrorHandler((err: Error, req, reply) => {
    const answer = errorAnswer(err);
    if (answer.status >= 500) req.log.error({ err, method: req.method, url: req.url }, 'request failed');
    else if (answer.logAsWarning)
      req.log.warn({ code: answer.code, method: req.method, route: req.routeOptions.url }, answer.message);
    if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
    return reply.code(answer.status).send({ message: answer.message });
  });

  // First: the OpenAPI document only sees routes registered after it.
  await registerApiDocs(app);
  // Second: its hooks check every route registered after it.
  await registerAuth(app, deps);
  await app.register(accessRoutes, { store: deps.store, config: deps.config });
  await app.register(healthRoutes, { store: deps.store, config: deps.config, sync: deps.sync });
  if (deps.sync) {
    await app.register(refreshRoutes, { store: deps.store, sync: deps.sync });
    await app.register(jobRoutes, { store: deps.store, sync: deps.sync, readOnly: deps.config.readOnly });
  }
  await app.register(runRoutes, { store: deps.store });
  await app.register(mirrorRoutes, { ...deps, registry: deps.metrics.registry });
  await app.register(webhookRoutes, {
    store: deps.store,
    config: deps.config,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  await app.register(metaRoutes, { store: deps.store, config: deps.config, sync: deps.sync });
  await app.register(apiV1Routes, { store: deps.store, config: deps.config });
  await app.register(legacyRoutes, { store: deps.store, config: deps.config });
  registerBusinessGauges(deps.metrics.registry, deps.store);
  app.get('/metrics', { config: { role: 'viewer', metricsToken: true } }, async (req, reply) => {
    let text: string;
    try {
      text = await deps.metrics.scrape();
    } catch (err) {
      // Several web processes: the primary gathers the figures; without its answer there is none.
      req.log.warn({ err }, 'metrics could not be gathered');
      return reply.code(503).send({ message: 'metrics are not available right now; try again' });
    }
    return reply.type(deps.metrics.registry.contentType).send(text);
  });
  // Last: its catch-all route serves the UI for every path no other route claims.
  if (deps.uiDir) await app.register(uiRoutes, { dir: deps.uiDir });
  return app;
}
