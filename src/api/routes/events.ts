import type { FastifyInstance } from 'fastify';
import type { ChangeEvent } from '../../store/change-feed.js';
import type { ViewDeps } from '../views/deps.js';
import '../roles.js';

// GET /api/v1/events: the change feed as Server-Sent Events, so open pages refresh what changed.
//   event: change   data: {"entity":"card","keys":["KNIECO-1"],"count":1,"at":"…"}  (keys null: many)
// ?entities=card,case limits the stream to those entities. A comment line every 15 s keeps proxies
// from closing an idle stream; every stream is ended when the server shuts down.

const HEARTBEAT_MS = 15_000;

export async function eventRoutes(app: FastifyInstance, deps: ViewDeps & { heartbeatMs?: number }) {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  app.get<{ Querystring: { entities?: string } }>(
    '/api/v1/events',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events of the change feed',
        querystring: {
          type: 'object',
          properties: {
            entities: {
              type: 'string',
              pattern: '^[a-z_]+(,[a-z_]+)*$',
              description: 'Comma-separated entities.',
            },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            description:
              'text/event-stream: `change` events {entity, keys, count, at}, heartbeats as comments',
            type: 'string',
          },
        },
      },
    },
    (req, reply) => {
      const only = req.query.entities ? new Set(req.query.entities.split(',')) : null;
      const res = reply.hijack().raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const unsubscribe = deps.store.feed.subscribe((e: ChangeEvent) => {
        if (only && !only.has(e.entity)) return;
        const data = { entity: e.entity, keys: e.keys, count: e.count, at: e.at };
        res.write(`event: change\ndata: ${JSON.stringify(data)}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
      let closed = false;
      const end = () => {
        if (closed) return;
        closed = true;
        open.delete(end);
        clearInterval(heartbeat);
        unsubscribe();
        res.end();
      };
      open.add(end);
      req.raw.on('close', end);
    },
  );
}
