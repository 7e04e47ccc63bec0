import type { FastifyInstance } from 'fastify';
import type { DashboardFilter } from '../../store/queries/dashboard-filter.js';
import { errorSchema } from '../schemas/common.js';
import { reportQuerystring, reportSchema, weeklyQuerystring, weeklySchema } from '../schemas/reports.js';
import type { ViewDeps } from '../views/deps.js';
import { type ReportKind, report, weeklyReport } from '../views/reports.js';
import '../roles.js';

// Reports, grouped account → case status → cards (any case status), paged by cards:
//   GET /api/v1/reports/recent   cards with a JIRA comment in the last 7 days, with those comments
//   GET /api/v1/reports/all      every card with all its comments (cards without comments included)
//   GET /api/v1/reports/trends   cards labelled Trends, with all their comments
//   GET /api/v1/reports/weekly   ?from=&to= cards commented in the range, with the newest such comment
// Each takes the table filters (account, assignee, severity, …) too.

type Paged = DashboardFilter & { limit: number; offset: number };

export async function reportRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: Paged & { from?: string; to?: string } }>(
    '/api/v1/reports/weekly',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['reports'],
        summary: 'Weekly report: cards commented in a date range, grouped, with the newest comment',
        querystring: weeklyQuerystring,
        response: { 200: weeklySchema, 400: errorSchema },
      },
    },
    async (req) => weeklyReport(deps, req.query),
  );

  app.get<{ Params: { kind: ReportKind }; Querystring: Paged }>(
    '/api/v1/reports/:kind',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['reports'],
        summary: 'Recent updates / all cards / trends report, grouped by account and case status',
        params: {
          type: 'object',
          properties: { kind: { type: 'string', enum: ['recent', 'all', 'trends'] } },
          required: ['kind'],
        },
        querystring: reportQuerystring,
        response: { 200: reportSchema, 400: errorSchema },
      },
    },
    async (req) => report(deps, req.params.kind, req.query),
  );
}
