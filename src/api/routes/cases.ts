import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { caseDetailSchema, caseNumberParams as numberParams } from '../../shared/api/detail.js';
import { newCasesQuery, newCasesSchema } from '../../shared/api/home.js';
import { caseTableSchema, type TableQuery, tableQuery } from '../../shared/api/tables.js';
import { sendCsv, wantsCsv } from '../csv.js';
import { csvOrJson, requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse, notFound } from '../replies.js';
import type { ViewDeps } from '../views/deps.js';
import { caseDetail } from '../views/detail.js';
import { NEW_CASES_CSV, newCases } from '../views/home.js';
import { CASE_CSV, caseRowsForCsv, caseTable, READ_ENTITIES, TABLE_ENTITIES } from '../views/tables.js';
import '../roles.js';

// The case table and one case:
//   GET /api/v1/cases            page + total + facet counts (same filters as the cards); CSV as cards
//   GET /api/v1/cases/new        cases opened in the last ?days=7 (home page), most severe first
//   GET /api/v1/cases/:number    the case with its details, cards, comments, bugs, issues, escalations

export async function caseRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: TableQuery }>(
    '/api/v1/cases',
    {
      config: { role: 'viewer', cache: TABLE_ENTITIES },
      schema: {
        tags: ['tables'],
        summary: 'The case table: every stored case, with the card filters, sort, paging and facets',
        querystring: requestSchema(tableQuery),
        response: { 200: csvOrJson(caseTableSchema), 400: errorResponse },
      },
    },
    async (req, reply) =>
      wantsCsv(req)
        ? sendCsv(reply, 'cases.csv', CASE_CSV, caseRowsForCsv(deps, req.query))
        : caseTable(deps, req.query),
  );

  app.get<{ Querystring: z.output<typeof newCasesQuery> }>(
    '/api/v1/cases/new',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['home'],
        summary: 'Cases opened in the last N days, any status',
        querystring: requestSchema(newCasesQuery),
        response: { 200: csvOrJson(newCasesSchema) },
      },
    },
    async (req, reply) => {
      const list = await newCases(deps, req.query.days, req.query.limit);
      return wantsCsv(req) ? sendCsv(reply, 'new-cases.csv', NEW_CASES_CSV, list.items) : list;
    },
  );

  app.get<{ Params: z.output<typeof numberParams> }>(
    '/api/v1/cases/:number',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['detail'],
        summary: 'One case with its details, cards, comments of both sources, bugs, issues, escalations',
        params: requestSchema(numberParams),
        response: { 200: responseSchema(caseDetailSchema), 404: errorResponse },
      },
    },
    async (req, reply) =>
      (await caseDetail(deps, req.params.number)) ?? notFound(reply, `case ${req.params.number}`),
  );
}
