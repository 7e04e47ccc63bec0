import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { Served } from '../../shared/api/common.js';
import {
  quarantineQuery,
  quarantineReasonsQuery,
  quarantineReasonsSchema,
  quarantineSchema,
  runListSchema,
  runParams,
  type runProgressEventSchema,
  runSchema,
  runsQuery,
} from '../../shared/api/sync.js';
import { listQuarantined, quarantineByReason } from '../../store/repositories/quarantine.js';
import { getRun, isFinished, listRuns, type SyncRun } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import { watchRun } from '../../sync/index.js';
import { eventStream, requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse, notFound } from '../replies.js';
import { type EventStream, eventStreams } from '../sse.js';
import '../roles.js';

// Sync runs and quarantined records, read-only:
//   GET /api/v1/runs                 recent runs, newest first; ?job= &status= &limit=
//   GET /api/v1/runs/:id             one run
//   GET /api/v1/runs/:id/events      SSE: `state` (the run now), then `progress` per change, then
//                                    `done` (the finished run) and the stream closes. A reloaded page
//                                    re-attaches by opening the stream again. The client closes its
//                                    EventSource on `done` (EventSource reconnects after any close).
//   GET /api/v1/quarantine           rejected records with their reason; ?source= &reason= &limit=
//                                    &offset= &includeResolved=
//   GET /api/v1/quarantine/reasons   the same grouped by source and reason, with counts (the
//                                    drill-down of a group is /quarantine?source=&reason=)

type Id = { Params: z.output<typeof runParams> };

export async function runRoutes(app: FastifyInstance, opts: { store: Store }) {
  const { store } = opts;
  const openStream = eventStreams(app);

  app.get<{ Querystring: z.output<typeof runsQuery> }>(
    '/api/v1/runs',
    {
      config: { role: 'viewer' },
      schema: { querystring: requestSchema(runsQuery), response: { 200: responseSchema(runListSchema) } },
    },
    async (req) => ({ items: await listRuns(store.db, req.query) }),
  );

  app.get<Id>(
    '/api/v1/runs/:id',
    {
      config: { role: 'viewer' },
      schema: {
        params: requestSchema(runParams),
        response: { 200: responseSchema(runSchema), 404: errorResponse },
      },
    },
    async (req, reply) => (await getRun(store.db, req.params.id)) ?? notFound(reply, `run ${req.params.id}`),
  );

  app.get<Id>(
    '/api/v1/runs/:id/events',
    {
      config: { role: 'viewer' },
      schema: {
        params: requestSchema(runParams),
        response: {
          200: eventStream(
            '`state` (the run), `progress` ({current,total,phase,status,…}) per change, `done` (the run), then closes',
          ),
          404: errorResponse,
        },
      },
    },
    async (req, reply) => {
      const run = await getRun(store.db, req.params.id);
      if (!run) return notFound(reply, `run ${req.params.id}`);
      const stream = openStream(req, reply);
      stream.send('state', run);
      if (isFinished(run.status)) {
        stream.send('done', run);
        return stream.close();
      }
      stream.onClose(
        watchRun(store, run.id, (next) => followRun(stream, next), { initial: run, pollMs: 2000 }),
      );
    },
  );

  app.get<{ Querystring: z.output<typeof quarantineQuery> }>(
    '/api/v1/quarantine',
    {
      config: { role: 'viewer' },
      schema: {
        querystring: requestSchema(quarantineQuery),
        response: { 200: responseSchema(quarantineSchema) },
      },
    },
    async (req) => {
      const list = await listQuarantined(store.db, req.query);
      // Raw upstream payloads carry customer text: admins only.
      if (req.auth?.user.role === 'admin') return list;
      return { ...list, items: list.items.map((item) => ({ ...item, payload: null })) };
    },
  );

  app.get<{ Querystring: z.output<typeof quarantineReasonsQuery> }>(
    '/api/v1/quarantine/reasons',
    {
      config: { role: 'viewer' },
      schema: {
        querystring: requestSchema(quarantineReasonsQuery),
        response: { 200: responseSchema(quarantineReasonsSchema) },
      },
    },
    async (req) => quarantineByReason(store.db, req.query),
  );
}

/** A run's change as a `progress` event, and `done` (closing the stream) once it has finished. */
function followRun(stream: EventStream, next: SyncRun) {
  const { current, total, phase } = next.progress;
  const event: Served<typeof runProgressEventSchema> = {
    current,
    total,
    phase,
    status: next.status,
    fetched: next.fetched,
    changed: next.changed,
    quarantined: next.quarantined,
    upstreamRequests: next.upstreamRequests,
  };
  stream.send('progress', event);
  if (isFinished(next.status)) {
    stream.send('done', next);
    stream.close();
  }
}
