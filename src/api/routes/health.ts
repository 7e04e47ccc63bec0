import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import '../roles.js';

const check = {
  type: 'object',
  properties: {
    backend: { type: 'string' },
    ok: { type: 'boolean' },
    required: { type: 'boolean' },
    latencyMs: { type: 'number' },
    detail: { type: 'string' },
  },
  required: ['backend', 'ok', 'required'],
} as const;

const readiness = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'down'] },
    checks: { type: 'object', properties: { database: check, cache: check } },
  },
} as const;

/**
 * /healthz: the process is alive (liveness; no dependencies checked).
 * /readyz: can it serve? PostgreSQL is required (503 when down); the Redis cache is optional, so
 * when it is down reads fall back to PostgreSQL and the status is "degraded" with 200.
 */
export async function healthRoutes(app: FastifyInstance, opts: { store: Store }) {
  app.get('/healthz', { config: { role: 'public' } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    {
      config: { role: 'public' },
      schema: { response: { 200: readiness, 503: readiness } },
    },
    async (_req, reply) => {
      const h = await opts.store.health();
      const database = { ...h.database, required: true };
      const cache = { ...h.cache, required: false };
      const status = !database.ok ? 'down' : cache.ok ? 'ok' : 'degraded';
      return reply.code(database.ok ? 200 : 503).send({ status, checks: { database, cache } });
    },
  );
}
