import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  historyQuery,
  historySchema,
  outcomesSchema,
  type StatsScope,
  scopeQuery,
  statsSchema,
} from '../../shared/api/stats.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse } from '../replies.js';
import type { ViewDeps } from '../views/deps.js';
import { history, liveStats, outcomes } from '../views/stats.js';
import '../roles.js';
import { STATS_ENTITIES } from '../../store/repositories/stats.js';

// Stats, each for everything or for one ?account= / ?engineer= (card assignee):
//   GET /api/v1/stats            live metrics and breakdowns
//   GET /api/v1/stats/history    the daily snapshots as series, ?from=&to= (UTC days), gaps as null
//   GET /api/v1/stats/outcomes   time to relief and to resolution per severity: count, mean, median,
//                                histogram buckets

export async function statsRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: StatsScope }>(
    '/api/v1/stats',
    {
      config: { role: 'viewer', cache: STATS_ENTITIES },
      schema: {
        tags: ['stats'],
        summary: 'Live stats',
        querystring: requestSchema(scopeQuery),
        response: { 200: responseSchema(statsSchema), 400: errorResponse },
      },
    },
    async (req) => liveStats(deps, req.query),
  );

  app.get<{ Querystring: z.output<typeof historyQuery> }>(
    '/api/v1/stats/history',
    {
      config: { role: 'viewer', cache: ['stats_snapshot'] },
      schema: {
        tags: ['stats'],
        summary: 'Daily stats history with missing days as null',
        querystring: requestSchema(historyQuery),
        response: { 200: responseSchema(historySchema), 400: errorResponse },
      },
    },
    async (req) => history(deps, req.query),
  );

  app.get<{ Querystring: StatsScope }>(
    '/api/v1/stats/outcomes',
    {
      config: { role: 'viewer', cache: STATS_ENTITIES },
      schema: {
        tags: ['stats'],
        summary: 'Time to relief and to resolution by severity',
        querystring: requestSchema(scopeQuery),
        response: { 200: responseSchema(outcomesSchema), 400: errorResponse },
      },
    },
    async (req) => outcomes(deps, req.query),
  );
}
