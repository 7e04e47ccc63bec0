import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { searchQuery, searchSchema } from '../../shared/api/search.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse } from '../replies.js';
import type { ViewDeps } from '../views/deps.js';
import { search } from '../views/search.js';
import { READ_ENTITIES } from '../views/tables.js';
import '../roles.js';

// GET /api/v1/search?q=&limit=&offset=  cases by number, cards by key, bugs by id, engineers and
// accounts by name, and full text over cases and both comment kinds; best first, paged, with a total.

export async function searchRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: z.output<typeof searchQuery> }>(
    '/api/v1/search',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['search'],
        summary:
          'Search: a case by number, a card by JIRA key, a bug by id, engineers and accounts by name, and full text over cases and both comment kinds; paged, with the total',
        querystring: requestSchema(searchQuery),
        response: { 200: responseSchema(searchSchema), 400: errorResponse },
      },
    },
    async (req) => search(deps, req.query.q, { limit: req.query.limit, offset: req.query.offset }),
  );
}
