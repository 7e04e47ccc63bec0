import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { cardDetailSchema, cardKeyParams as keyParams } from '../../shared/api/detail.js';
import { statusCountsSchema } from '../../shared/api/home.js';
import { cardTableSchema, type TableQuery, tableQuery } from '../../shared/api/tables.js';
import { sendCsv, wantsCsv } from '../csv.js';
import { csvOrJson, requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse, notFound } from '../replies.js';
import type { ViewDeps } from '../views/deps.js';
import { cardDetail } from '../views/detail.js';
import { cardStatusCounts } from '../views/home.js';
import { CARD_CSV, cardRowsForCsv, cardTable, READ_ENTITIES, TABLE_ENTITIES } from '../views/tables.js';
import '../roles.js';

// The card table and one card:
//   GET /api/v1/cards                 page + total + facet counts; ?format=csv (or Accept: text/csv)
//                                     streams every matching row
//   GET /api/v1/cards/status-counts   cards per internal status (home chart)
//   GET /api/v1/cards/:key            one card with its case, comments, bugs, issues, escalations

export async function cardRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: TableQuery }>(
    '/api/v1/cards',
    {
      config: { role: 'viewer', cache: TABLE_ENTITIES },
      schema: {
        tags: ['tables'],
        summary: 'The card table: filter, sort, page, facet counts',
        querystring: requestSchema(tableQuery),
        response: { 200: csvOrJson(cardTableSchema), 400: errorResponse },
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
      config: { role: 'viewer', cache: ['card'] },
      schema: {
        tags: ['home'],
        summary: 'Cards per internal status, in workflow order',
        response: { 200: responseSchema(statusCountsSchema) },
      },
    },
    async () => cardStatusCounts(deps),
  );

  app.get<{ Params: z.output<typeof keyParams> }>(
    '/api/v1/cards/:key',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['detail'],
        summary: 'One card with its case, comments of both sources, bugs, linked issues, escalations',
        params: requestSchema(keyParams),
        response: { 200: responseSchema(cardDetailSchema), 404: errorResponse },
      },
    },
    async (req, reply) =>
      (await cardDetail(deps, req.params.key)) ?? notFound(reply, `card ${req.params.key}`),
  );
}
