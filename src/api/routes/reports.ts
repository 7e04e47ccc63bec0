import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  reportParams,
  reportQuery,
  reportSchema,
  weeklyQuery,
  weeklySchema,
} from '../../shared/api/reports.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse } from '../replies.js';
import type { ViewDeps } from '../views/deps.js';
import { report, weeklyReport } from '../views/reports.js';
import { READ_ENTITIES } from '../views/tables.js';
import '../roles.js';

// Reports, grouped account → case status → cards (any case status), paged by cards:
//   GET /api/v1/reports/recent   cards with a JIRA comment in the last 7 days, with those comments
//   GET /api/v1/reports/all      every card with all its comments (cards without comments included)
//   GET /api/v1/reports/trends   cards labelled Trends, with all their comments
//   GET /api/v1/reports/weekly   ?from=&to= cards commented in the range, with the newest such comment
// Each takes the table filters (account, assignee, severity, …) too.

export async function reportRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: z.output<typeof weeklyQuery> }>(
    '/api/v1/reports/weekly',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['reports'],
        summary: 'Weekly report: cards commented in a date range, grouped, with the newest comment',
        querystring: requestSchema(weeklyQuery),
        response: { 200: responseSchema(weeklySchema), 400: errorResponse },
      },
    },
    async (req) => weeklyReport(deps, req.query),
  );

  app.get<{ Params: z.output<typeof reportParams>; Querystring: z.output<typeof reportQuery> }>(
    '/api/v1/reports/:kind',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['reports'],
        summary: 'Recent updates / all cards / trends report, grouped by account and case status',
        params: requestSchema(reportParams),
        querystring: requestSchema(reportQuery),
        response: { 200: responseSchema(reportSchema), 400: errorResponse },
      },
    },
    async (req) => report(deps, req.params.kind, req.query),
  );
}
