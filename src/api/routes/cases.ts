import type { FastifyInstance } from 'fastify';
import { sendCsv, wantsCsv } from '../csv.js';
import { errorSchema } from '../schemas/common.js';
import { caseDetailSchema } from '../schemas/detail.js';
import { newCasesSchema } from '../schemas/home.js';
import {
  caseItemSchema,
  csvOrJson,
  formatProperty,
  tableQuerystring,
  tableResponse,
} from '../schemas/tables.js';
import type { ViewDeps } from '../views/deps.js';
import { caseDetail } from '../views/detail.js';
import { NEW_CASES_CSV, newCases } from '../views/home.js';
import { CASE_CSV, caseRowsForCsv, caseTable, type TableQuery } from '../views/tables.js';
import '../roles.js';

// The case table and one case:
//   GET /api/v1/cases            page + total + facet counts (same filters as the cards); CSV as cards
//   GET /api/v1/cases/new        cases opened in the last ?days=7 (home page), most severe first
//   GET /api/v1/cases/:number    the case with its details, cards, comments, bugs, issues, escalations

export async function caseRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: TableQuery & { format?: 'json' | 'csv' } }>(
    '/api/v1/cases',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['tables'],
        summary: 'The case table: every stored case, with the card filters, sort, paging and facets',
        querystring: tableQuerystring,
        response: { 200: csvOrJson(tableResponse(caseItemSchema)), 400: errorSchema },
      },
    },
    async (req, reply) =>
      wantsCsv(req)
        ? sendCsv(reply, 'cases.csv', CASE_CSV, caseRowsForCsv(deps, req.query))
        : caseTable(deps, req.query),
  );

  app.get<{ Querystring: { days: number; limit: number; format?: 'json' | 'csv' } }>(
    '/api/v1/cases/new',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['home'],
        summary: 'Cases opened in the last N days, any status',
        querystring: {
          type: 'object',
          properties: {
            days: { type: 'integer', minimum: 1, maximum: 365, default: 7 },
            limit: { type: 'integer', minimum: 1, maximum: 2000, default: 500 },
            ...formatProperty,
          },
          additionalProperties: false,
        },
        response: { 200: csvOrJson(newCasesSchema) },
      },
    },
    async (req, reply) => {
      const list = await newCases(deps, req.query.days, req.query.limit);
      return wantsCsv(req) ? sendCsv(reply, 'new-cases.csv', NEW_CASES_CSV, list.items) : list;
    },
  );

  app.get<{ Params: { number: string } }>(
    '/api/v1/cases/:number',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['detail'],
        summary: 'One case with its details, cards, comments of both sources, bugs, issues, escalations',
        params: {
          type: 'object',
          properties: { number: { type: 'string', pattern: '^[0-9]{1,12}$' } },
          required: ['number'],
        },
        response: { 200: caseDetailSchema, 404: errorSchema },
      },
    },
    async (req, reply) =>
      (await caseDetail(deps, req.params.number)) ??
      reply.code(404).send({ message: `no case ${req.params.number}` }),
  );
}
