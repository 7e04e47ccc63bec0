import type { FastifyInstance } from 'fastify';
import { type CsvColumn, sendCsv, wantsCsv } from '../csv.js';
import { bool, errorSchema, int, mapOf, ndateTime, nstr, obj, str, strings } from '../schemas/common.js';
import { outcomesSchema, statsSchema } from '../schemas/stats.js';
import { csvOrJson, formatProperty } from '../schemas/tables.js';
import type { ViewDeps } from '../views/deps.js';
import { account, accounts, engineer, engineers } from '../views/people.js';
import '../roles.js';

// Account and engineer pages:
//   GET /api/v1/accounts           every account: cases, open, high priority, escalated, crit sit, cards
//   GET /api/v1/accounts/:name     one account: summary, stats, outcomes, pie breakdowns, bugs + issues
//   GET /api/v1/engineers          card assignees and idle team members, with their counts
//   GET /api/v1/engineers/:name    one engineer: summary, stats, outcomes, pie breakdowns

const accountSummary = obj({
  name: str,
  cases: int,
  openCases: int,
  highPriority: int,
  escalated: int,
  critSit: int,
  cards: int,
  lastUpdate: ndateTime,
});

const engineerSummary = obj({
  name: str,
  cards: int,
  openCards: int,
  highPriority: int,
  escalated: int,
  critSit: int,
  lastCommentAt: ndateTime,
});

const linkSchema = obj({
  kind: { type: 'string', enum: ['bug', 'issue'] },
  id: str,
  url: nstr,
  summary: nstr,
  priority: nstr,
  severity: nstr,
  targetRelease: strings,
  assignee: nstr,
  qaContact: nstr,
  updated: ndateTime,
  status: nstr,
  caseNumber: str,
});

const nameParams = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 300 } },
  required: ['name'],
} as const;

const counts = mapOf(int);

const formatQuerystring = {
  type: 'object',
  properties: formatProperty,
  additionalProperties: false,
} as const;
type Format = { Querystring: { format?: 'json' | 'csv' } };

const ACCOUNT_CSV: CsvColumn<Awaited<ReturnType<typeof accounts>>[number]>[] = [
  { header: 'Account', value: (a) => a.name },
  { header: 'Cases', value: (a) => a.cases },
  { header: 'Open Cases', value: (a) => a.openCases },
  { header: 'High Priority', value: (a) => a.highPriority },
  { header: 'On Prio-list', value: (a) => a.escalated },
  { header: 'Crit Sit', value: (a) => a.critSit },
  { header: 'Cards', value: (a) => a.cards },
  { header: 'Last Update', value: (a) => a.lastUpdate },
];

const ENGINEER_CSV: CsvColumn<Awaited<ReturnType<typeof engineers>>['items'][number]>[] = [
  { header: 'Engineer', value: (e) => e.name },
  { header: 'Cards', value: (e) => e.cards },
  { header: 'Open Cards', value: (e) => e.openCards },
  { header: 'High Priority', value: (e) => e.highPriority },
  { header: 'On Prio-list', value: (e) => e.escalated },
  { header: 'Crit Sit', value: (e) => e.critSit },
  { header: 'Last Comment', value: (e) => e.lastCommentAt },
  { header: 'Team Member', value: (e) => (e.team ? 'Yes' : 'No') },
];

export async function peopleRoutes(app: FastifyInstance, deps: ViewDeps) {
  app.get<Format>(
    '/api/v1/accounts',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['accounts'],
        summary: 'Accounts with their case and card counts',
        querystring: formatQuerystring,
        response: { 200: csvOrJson(obj({ items: { type: 'array', items: accountSummary } })) },
      },
    },
    async (req, reply) => {
      const items = await accounts(deps);
      return wantsCsv(req) ? sendCsv(reply, 'accounts.csv', ACCOUNT_CSV, items) : { items };
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/accounts/:name',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['accounts'],
        summary: 'One account: counts, stats, outcomes, breakdowns, bugs and JIRA issues',
        params: nameParams,
        response: {
          200: obj({
            name: str,
            summary: accountSummary,
            stats: statsSchema,
            outcomes: outcomesSchema,
            cardsBySeverity: counts,
            cardsByCaseStatus: counts,
            bugs: { type: 'array', items: linkSchema },
          }),
          404: errorSchema,
        },
      },
    },
    async (req, reply) =>
      (await account(deps, req.params.name)) ??
      reply.code(404).send({ message: `no account ${req.params.name}` }),
  );

  app.get<Format>(
    '/api/v1/engineers',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['engineers'],
        summary: 'Card assignees and team members with their card counts',
        querystring: formatQuerystring,
        response: {
          200: csvOrJson(
            obj({
              items: {
                type: 'array',
                items: {
                  ...engineerSummary,
                  properties: {
                    ...engineerSummary.properties,
                    team: bool,
                    active: { type: ['boolean', 'null'] },
                  },
                },
              },
            }),
          ),
        },
      },
    },
    async (req, reply) => {
      const list = await engineers(deps);
      return wantsCsv(req) ? sendCsv(reply, 'engineers.csv', ENGINEER_CSV, list.items) : list;
    },
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/engineers/:name',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['engineers'],
        summary: 'One engineer: counts, stats, outcomes, breakdowns',
        params: nameParams,
        response: {
          200: obj({
            name: str,
            summary: engineerSummary,
            team: bool,
            stats: statsSchema,
            outcomes: outcomesSchema,
            cardsBySeverity: counts,
            cardsByCaseStatus: counts,
          }),
          404: errorSchema,
        },
      },
    },
    async (req, reply) =>
      (await engineer(deps, req.params.name)) ??
      reply.code(404).send({ message: `no engineer ${req.params.name}` }),
  );
}
