import type { FastifyInstance } from 'fastify';
import type { StatsFilter } from '../../store/repositories/stats.js';
import { errorSchema } from '../schemas/common.js';
import {
  historyQuerystring,
  historySchema,
  outcomesSchema,
  scopeQuerystring,
  statsSchema,
} from '../schemas/stats.js';
import type { ViewDeps } from '../views/deps.js';
import { history, liveStats, outcomes } from '../views/stats.js';
import '../roles.js';

// Stats, each for everything or for one ?account= / ?engineer= (card assignee):
//   GET /api/v1/stats            live metrics and breakdowns (inventory §6.1, with its bugs fixed)
//   GET /api/v1/stats/history    the daily snapshots as series, ?from=&to= (UTC days), gaps as null
//   GET /api/v1/stats/outcomes   time to relief and to resolution per severity: count, mean, median,
//                                histogram buckets

export async function statsRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: StatsFilter }>(
    '/api/v1/stats',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['stats'],
        summary: 'Live stats',
        querystring: scopeQuerystring,
        response: { 200: statsSchema, 400: errorSchema },
      },
    },
    async (req) => liveStats(deps, req.query),
  );

  app.get<{ Querystring: StatsFilter & { from?: string; to?: string } }>(
    '/api/v1/stats/history',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['stats'],
        summary: 'Daily stats history with missing days as null',
        querystring: historyQuerystring,
        response: { 200: historySchema, 400: errorSchema },
      },
    },
    async (req) => history(deps, req.query),
  );

  app.get<{ Querystring: StatsFilter }>(
    '/api/v1/stats/outcomes',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['stats'],
        summary: 'Time to relief and to resolution by severity',
        querystring: scopeQuerystring,
        response: { 200: outcomesSchema, 400: errorSchema },
      },
    },
    async (req) => outcomes(deps, req.query),
  );
}
