import type { FastifyInstance } from 'fastify';
import { dateTime, errorSchema, nstr, num, obj, str } from '../schemas/common.js';
import type { ViewDeps } from '../views/deps.js';
import { search } from '../views/search.js';
import '../roles.js';

// GET /api/v1/search?q=&limit=  full text over cases, Portal comments and JIRA comments, best first.

const hitSchema = obj({
  kind: { type: 'string', enum: ['case', 'comment', 'jira_comment'] },
  caseNumber: str,
  caseUrl: str,
  jiraKey: nstr,
  jiraUrl: nstr,
  title: nstr,
  account: nstr,
  status: nstr,
  date: dateTime,
  rank: num,
  snippet: { type: 'string', description: 'HTML: escaped text with the matches in <mark>…</mark>.' },
});

export async function searchRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<{ Querystring: { q: string; limit: number } }>(
    '/api/v1/search',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['search'],
        summary: 'Full-text search over cases and both comment kinds, with highlighted snippets',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', minLength: 1, maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
          required: ['q'],
          additionalProperties: false,
        },
        response: { 200: obj({ q: str, items: { type: 'array', items: hitSchema } }), 400: errorSchema },
      },
    },
    async (req) => search(deps, req.query.q, req.query.limit),
  );
}
