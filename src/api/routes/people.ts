import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import {
  accountListSchema,
  accountPageSchema,
  engineerListSchema,
  engineerPageSchema,
  formatQuery,
  nameParams,
} from '../../shared/api/people.js';
import { type CsvColumn, sendCsv, wantsCsv } from '../csv.js';
import { csvOrJson, requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse, notFound } from '../replies.js';
import type { ViewDeps } from '../views/deps.js';
import { account, accounts, engineer, engineers } from '../views/people.js';
import { READ_ENTITIES } from '../views/tables.js';
import '../roles.js';

// Account and engineer pages:
//   GET /api/v1/accounts           every account: cases, open, high priority, escalated, crit sit, cards
//   GET /api/v1/accounts/:name     one account: summary, stats, outcomes, pie breakdowns, bugs + issues
//   GET /api/v1/engineers          card assignees and idle team members, with their counts
//   GET /api/v1/engineers/:name    one engineer: summary, stats, outcomes, pie breakdowns

type Format = { Querystring: z.output<typeof formatQuery> };
type Name = { Params: z.output<typeof nameParams> };

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
  { header: 'Open Cases', value: (e) => e.openCases },
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
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['accounts'],
        summary: 'Accounts with their case and card counts',
        querystring: requestSchema(formatQuery),
        response: { 200: csvOrJson(accountListSchema) },
      },
    },
    async (req, reply) => {
      const items = await accounts(deps);
      return wantsCsv(req) ? sendCsv(reply, 'accounts.csv', ACCOUNT_CSV, items) : { items };
    },
  );

  app.get<Name>(
    '/api/v1/accounts/:name',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['accounts'],
        summary: 'One account: counts, stats, outcomes, breakdowns, bugs and JIRA issues',
        params: requestSchema(nameParams),
        response: { 200: responseSchema(accountPageSchema), 404: errorResponse },
      },
    },
    async (req, reply) =>
      (await account(deps, req.params.name)) ?? notFound(reply, `account ${req.params.name}`),
  );

  app.get<Format>(
    '/api/v1/engineers',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['engineers'],
        summary: 'Card assignees and team members with their card counts',
        querystring: requestSchema(formatQuery),
        response: { 200: csvOrJson(engineerListSchema) },
      },
    },
    async (req, reply) => {
      const list = await engineers(deps);
      return wantsCsv(req) ? sendCsv(reply, 'engineers.csv', ENGINEER_CSV, list.items) : list;
    },
  );

  app.get<Name>(
    '/api/v1/engineers/:name',
    {
      config: { role: 'viewer', cache: READ_ENTITIES },
      schema: {
        tags: ['engineers'],
        summary: 'One engineer: counts, stats, outcomes, breakdowns',
        params: requestSchema(nameParams),
        response: { 200: responseSchema(engineerPageSchema), 404: errorResponse },
      },
    },
    async (req, reply) =>
      (await engineer(deps, req.params.name)) ?? notFound(reply, `engineer ${req.params.name}`),
  );
}
