import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { type changeEventSchema, eventsQuery } from '../../shared/api/events.js';
import { ANY_ENTITY, type ChangeEvent } from '../../store/change-feed.js';
import { eventStream, requestSchema } from '../json-schema.js';
import { eventStreams } from '../sse.js';
import type { ViewDeps } from '../views/deps.js';
import '../roles.js';

// GET /api/v1/events: the change feed as Server-Sent Events, so open pages refresh what changed.
//   event: change   data: {"entity":"card","keys":["KNIECO-1"],"count":1,"at":"…"}  (keys null: many)
// ?entities=card,case limits the stream to those entities.

export async function eventRoutes(app: FastifyInstance, deps: ViewDeps & { heartbeatMs?: number }) {
  const openStream = eventStreams(app, deps.heartbeatMs);

  app.get<{ Querystring: z.output<typeof eventsQuery> }>(
    '/api/v1/events',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events of the change feed',
        querystring: requestSchema(eventsQuery),
        response: { 200: eventStream('`change` events {entity, keys, count, at}, heartbeats as comments') },
      },
    },
    (req, reply) => {
      const only = req.query.entities ? new Set(req.query.entities.split(',')) : null;
      const stream = openStream(req, reply);
      stream.onClose(
        deps.store.feed.subscribe((e: ChangeEvent) => {
          if (only && e.entity !== ANY_ENTITY && !only.has(e.entity)) return;
          const data: z.input<typeof changeEventSchema> = {
            entity: e.entity,
            keys: e.keys,
            count: e.count,
            at: e.at,
          };
          stream.send('change', data);
        }),
      );
    },
  );
}
