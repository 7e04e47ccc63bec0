import type { FastifyInstance } from 'fastify';
import { sendCsv, wantsCsv } from '../csv.js';
import { errorSchema } from '../schemas/common.js';
import { cardDetailSchema } from '../schemas/detail.js';
import { statusCountsSchema } from '../schemas/home.js';
import { cardItemSchema, csvOrJson, tableQuerystring, tableResponse } from '../schemas/tables.js';
import type { ViewDeps } from '../views/deps.js';
import { cardDetail } from '../views/detail.js';
import { cardStatusCounts } from '../views/home.js';
import { CARD_CSV, cardRowsForCsv, cardTable, type TableQuery } from '../views/tables.js';
import '../roles.js';

// The card table and one card:
//   GET /api/v1/cards                 page + total + facet counts; ?format=csv (or Accept: text/csv)
//                                     streams every matching row
//   GET /api/v1/cards/status-counts   cards per internal status (home chart)
//   GET /api/v1/cards/:key            one card with its case, comments, bugs, issues, escalations

export async function cardRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: TableQuery & { format?: 'json' | 'csv' } }>(
    '/api/v1/cards',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['tables'],
        summary: 'The card table: filter, sort, page, facet counts',
        querystring: tableQuerystring,
        response: { 200: csvOrJson(tableResponse(cardItemSchema)), 400: errorSchema },
      },
    },
    async (req, reply) =>
      wantsCsv(req)
        ? sendCsv(reply, 'cards.csv', CARD_CSV, cardRowsForCsv(deps, req.query))
        : cardTable(deps, req.query),
  );

  app.get(
    '/api/v1/cards/status-counts',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['home'],
        summary: 'Cards per internal status, in workflow order',
        response: { 200: statusCountsSchema },
      },
    },
    async () => cardStatusCounts(deps),
  );

  app.get<{ Params: { key: string } }>(
    '/api/v1/cards/:key',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['detail'],
        summary: 'One card with its case, comments of both sources, bugs, linked issues, escalations',
        params: {
          type: 'object',
          properties: { key: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]*-[0-9]+$' } },
          required: ['key'],
        },
        response: { 200: cardDetailSchema, 404: errorSchema },
      },
    },
    async (req, reply) =>
      (await cardDetail(deps, req.params.key)) ??
      reply.code(404).send({ message: `no card ${req.params.key}` }),
  );
}
