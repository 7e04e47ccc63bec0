import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import type { CoreMetrics } from '../observability/metrics.js';
import { sameText } from './auth/auth.js';

/**
 * `/metrics` alone, for processes without the web app (`t5g worker`, `t5g scheduler`): their job and
 * upstream counters live in their own memory, so Prometheus scrapes each of them. Only
 * `Authorization: Bearer $METRICS_TOKEN` opens it; the config refuses a port without a token.
 */
export async function buildMetricsApp(deps: {
  config: Config;
  metrics: CoreMetrics;
  logger: Logger;
}): Promise<FastifyInstance> {
  const token = deps.config.auth.metricsToken;
  if (!token) throw new Error('the worker metrics listener needs METRICS_TOKEN');
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'metrics' }),
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;
  app.get('/metrics', async (req, reply) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ') || !sameText(header.slice(7).trim(), token))
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ message: 'the metrics token is required' });
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.scrape());
  });
  return app;
}
