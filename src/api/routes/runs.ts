import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { listQuarantined } from '../../store/repositories/quarantine.js';
import {
  getRun,
  isFinished,
  listRuns,
  RUN_STATUSES,
  type RunStatus,
  type SyncRun,
} from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import { watchRun } from '../../sync/index.js';
import '../roles.js';

// Sync runs and quarantined records, read-only:
//   GET /api/v1/runs                 recent runs, newest first; ?job= &status= &limit=
//   GET /api/v1/runs/:id             one run
//   GET /api/v1/runs/:id/events      SSE: `state` (the run now), then `progress` per change, then
//                                    `done` (the finished run) and the stream closes. A reloaded page
//                                    re-attaches by opening the stream again. The client closes its
//                                    EventSource on `done` (EventSource reconnects after any close).
//   GET /api/v1/quarantine           rejected records with their reason; ?source= &limit= &offset=
//                                    &includeResolved=

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const progressSchema = {
  type: 'object',
  properties: { current: { type: 'number' }, total: { type: 'number' }, phase: { type: 'string' } },
} as const;

export const runSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    job: { type: 'string' },
    trigger: { type: 'string', enum: ['schedule', 'manual', 'startup'] },
    status: { type: 'string', enum: RUN_STATUSES },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    fetched: { type: 'integer' },
    changed: { type: 'integer' },
    quarantined: { type: 'integer' },
    upstreamRequests: { type: 'integer' },
    progress: progressSchema,
    error: { type: ['string', 'null'] },
  },
  required: ['id', 'job', 'trigger', 'status', 'startedAt', 'finishedAt', 'progress', 'error'],
} as const;

const notFound = {
  type: 'object',
  properties: { message: { type: 'string' } },
  required: ['message'],
} as const;

const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: UUID } },
  required: ['id'],
} as const;

const quarantineItem = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    source: { type: 'string' },
    externalId: { type: 'string' },
    reason: { type: 'string' },
    payload: {},
    firstSeen: { type: 'string', format: 'date-time' },
    lastSeen: { type: 'string', format: 'date-time' },
    occurrences: { type: 'integer' },
    runId: { type: ['string', 'null'] },
    resolvedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** A run as the API shows it (dates as ISO strings). */
export function runJson(run: SyncRun) {
  return {
    ...run,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
  };
}

export async function runRoutes(app: FastifyInstance, opts: { store: Store }) {
  const { store } = opts;
  // Open event streams never end on their own while a run is going; end them when the server closes.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  app.get<{ Querystring: { job?: string; status?: RunStatus; limit: number } }>(
    '/api/v1/runs',
    {
      config: { role: 'viewer' },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            job: { type: 'string', maxLength: 100 },
            status: { type: 'string', enum: RUN_STATUSES },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: runSchema } },
            required: ['items'],
          },
        },
      },
    },
    async (req) => {
      const runs = await listRuns(store.db, req.query);
      return { items: runs.map(runJson) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/runs/:id',
    {
      config: { role: 'viewer' },
      schema: { params: idParams, response: { 200: runSchema, 404: notFound } },
    },
    async (req, reply) => {
      const run = await getRun(store.db, req.params.id);
      if (!run) return reply.code(404).send({ message: `no run ${req.params.id}` });
      return runJson(run);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/runs/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        params: idParams,
        response: {
          200: {
            description:
              'text/event-stream: `state` (the run), `progress` ({current,total,phase,status,…}) per change, `done` (the run), then closes',
            type: 'string',
          },
          404: notFound,
        },
      },
    },
    async (req, reply) => {
      const run = await getRun(store.db, req.params.id);
      if (!run) return reply.code(404).send({ message: `no run ${req.params.id}` });
      streamRun(store, run, req.raw, reply.hijack().raw, streams);
    },
  );

  app.get<{ Querystring: { source?: string; limit: number; offset: number; includeResolved: boolean } }>(
    '/api/v1/quarantine',
    {
      config: { role: 'viewer' },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            source: { type: 'string', maxLength: 100 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
            includeResolved: { type: 'boolean', default: false },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: quarantineItem }, total: { type: 'integer' } },
            required: ['items', 'total'],
          },
        },
      },
    },
    async (req) => listQuarantined(store.db, req.query),
  );
}

function streamRun(
  store: Store,
  run: SyncRun,
  req: IncomingMessage,
  res: ServerResponse,
  open: Set<() => void>,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies (nginx) would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: unknown) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  // A dropped connection is retried by the browser after 2 s, and gets the current state first.
  res.write('retry: 2000\n\n');
  send('state', runJson(run));
  if (isFinished(run.status)) {
    send('done', runJson(run));
    res.end();
    return;
  }
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), 15_000);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    open.delete(close);
    clearInterval(keepalive);
    stopWatching();
    res.end();
  };
  const stopWatching = watchRun(
    store,
    run.id,
    (next) => {
      const { current, total, phase } = next.progress;
      send('progress', {
        current,
        total,
        phase,
        status: next.status,
        fetched: next.fetched,
        changed: next.changed,
        quarantined: next.quarantined,
        upstreamRequests: next.upstreamRequests,
      });
      if (isFinished(next.status)) {
        send('done', runJson(next));
        close();
      }
    },
    { initial: run, pollMs: 2000 },
  );
  open.add(close);
  req.on('close', close);
}
