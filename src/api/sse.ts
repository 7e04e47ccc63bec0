import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// Server-Sent Events: one writer for every stream the API serves. A comment line every 15 s keeps
// proxies from closing an idle stream, a dropped connection is retried by the browser after 2 s,
// and every open stream is ended when the server shuts down.

const HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Proxies (nginx) would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

export const HEARTBEAT_MS = 15_000;

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Runs `cleanup` when the stream ends (at once if it already has). */
  onClose(cleanup: () => void): void;
  /** Ends the stream; later calls do nothing. */
  close(): void;
}

/** Opens event streams on routes of `app` (the reply is hijacked); `app` closing ends them. */
export function eventStreams(app: FastifyInstance, heartbeatMs = HEARTBEAT_MS) {
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  return (req: FastifyRequest, reply: FastifyReply): EventStream => {
    const res = reply.hijack().raw;
    res.writeHead(200, HEADERS);
    res.write('retry: 2000\n\n');
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    const cleanups: (() => void)[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open.delete(close);
      clearInterval(heartbeat);
      for (const cleanup of cleanups) cleanup();
      res.end();
    };
    open.add(close);
    req.raw.on('close', close);
    return {
      send: (event, data) => {
        if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      onClose: (cleanup) => (closed ? cleanup() : cleanups.push(cleanup)),
      close,
    };
  };
}
