/**
 * The HTTP server: fastify as a router, with one dispatcher that counts each call, applies the
 * upstream's faults, runs the route's handler and writes its `SimResponse` (possibly truncated).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Upstream } from './constants.js';
import { registerControlRoutes } from './control-routes.js';
import type { Counters } from './counters.js';
import { errorResponse, rateLimitResponse } from './fault-responses.js';
import type { FaultController } from './faults.js';
import type { HandlerContext, RouteDef, SimRequest, SimResponse } from './http.js';
import { json } from './http.js';
import { type JiraWebhookSender, registerWebhookControlRoutes } from './jira-webhooks.js';
import type { ResolvedOptions } from './options.js';
import type { SimulatorState } from './state.js';
import type { TokenStore } from './tokens.js';

export interface ServerDeps {
  state: SimulatorState;
  options: ResolvedOptions;
  counters: Counters;
  faults: FaultController;
  tokens: TokenStore;
  routes: RouteDef[];
  smtpPort: () => number | undefined;
  /** Raises JIRA webhooks after every successful JIRA write and data mutation. */
  webhooks: JiraWebhookSender;
}

export interface RunningServer {
  app: FastifyInstance;
  port: number;
  close(): Promise<void>;
}

/** Resolves after `ms`, or early when the server shuts down. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function toSimRequest(request: FastifyRequest): SimRequest {
  const [path = '', search = ''] = request.url.split('?', 2);
  return {
    method: request.method,
    path,
    params: { ...(request.params as Record<string, string>) },
    query: new URLSearchParams(search),
    headers: request.headers,
    rawBody: typeof request.body === 'string' ? request.body : '',
    origin: `http://${request.headers.host ?? 'localhost'}`,
  };
}

function bodyOf(res: SimResponse): { text: string; type: string } | undefined {
  if (res.text !== undefined) return { text: res.text, type: res.contentType ?? 'text/plain;charset=UTF-8' };
  if (res.json !== undefined)
    return { text: JSON.stringify(res.json), type: res.contentType ?? 'application/json;charset=UTF-8' };
  return undefined;
}

function send(reply: FastifyReply, res: SimResponse): FastifyReply {
  reply.code(res.status);
  if (res.headers) reply.headers(res.headers);
  const body = bodyOf(res);
  if (!body) return reply.send();
  return reply.type(body.type).send(body.text);
}

/**
 * Sends a cut-off body. Variants: a Content-Length promising the full body then a dropped
 * connection; a chunked body cut mid-stream; a complete response whose JSON is simply cut.
 */
function sendTruncated(reply: FastifyReply, res: SimResponse, variant: number): void {
  const body = bodyOf(res);
  if (!body || body.text.length < 2) {
    send(reply, res);
    return;
  }
  const bytes = Buffer.from(body.text, 'utf8');
  const partial = bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2)));
  if (variant === 2) {
    reply
      .code(res.status)
      .headers(res.headers ?? {})
      .type(body.type)
      .send(partial);
    return;
  }
  reply.hijack();
  const raw = reply.raw;
  const headers: Record<string, string | number> = { ...res.headers, 'content-type': body.type };
  if (variant === 0) headers['content-length'] = bytes.length;
  raw.writeHead(res.status, headers);
  raw.write(partial, () => raw.socket?.destroy());
}

export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const { state, options, counters, faults, tokens } = deps;
  const shutdown = new AbortController();
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 10 * 1024 * 1024 });

  // Handlers parse bodies themselves so each upstream can answer malformed input in its own way.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const dispatch = async (
    def: RouteDef,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    const req = toSimRequest(request);
    counters.request(def.upstream, def.key);
    const decision = faults.decide(def.upstream, def.key);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, shutdown.signal);
    if (decision.action === 'timeout') {
      // Hold the request until the client gives up (or the simulator stops), then drop it.
      await new Promise<void>((resolve) => {
        // Not request.raw's 'close': that fires as soon as the request body has been read.
        request.raw.socket.once('close', () => resolve());
        reply.raw.once('close', resolve);
        shutdown.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      reply.hijack();
      reply.raw.destroy();
      return undefined;
    }
    let res: SimResponse;
    if (decision.action === 'rateLimit') {
      res = rateLimitResponse(def.upstream, req, decision.retryAfterSeconds, state.now());
    } else if (decision.action === 'error') {
      res = errorResponse(def.upstream, req, faults.errorStatus());
    } else {
      const ctx: HandlerContext = {
        state,
        options,
        tokens,
        faults,
        upstream: def.upstream,
        invalidRecord: () => faults.invalidRecord(def.upstream, def.key),
      };
      try {
        res = await def.handler(req, ctx);
      } catch (err) {
        res = json(500, { message: `simulator error: ${err instanceof Error ? err.message : String(err)}` });
      }
      if (res.write && res.status < 400) {
        counters.write(def.upstream, def.key);
        if (def.upstream === 'jira') deps.webhooks.afterChange();
      }
    }
    if (decision.truncate) {
      sendTruncated(reply, res, faults.variant([0, 1, 2]));
      return undefined;
    }
    return send(reply, res);
  };

  for (const def of deps.routes) {
    app.route({
      method: def.method,
      url: def.path,
      handler: (request, reply) => dispatch(def, request, reply),
    });
  }

  registerControlRoutes(app, {
    state,
    counters,
    faults,
    tokens,
    smtpPort: deps.smtpPort,
    afterMutation: () => deps.webhooks.afterChange(),
  });
  registerWebhookControlRoutes(app, deps.webhooks);

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const upstream = (['portal', 'jira', 'bugzilla', 'slack', 'sso'] as Upstream[]).find((u) =>
      path.startsWith(`/${u}/`),
    );
    if (upstream) counters.request(upstream, `${request.method} (unknown path)`);
    if (upstream === 'slack' && path.startsWith('/slack/api/'))
      return send(reply, json(200, { ok: false, error: 'unknown_method' }));
    if (upstream === 'jira')
      return send(
        reply,
        json(404, { message: `null for uri: http://${request.headers.host}${path}`, 'status-code': 404 }),
      );
    if (upstream === 'bugzilla') {
      return send(
        reply,
        json(404, {
          error: true,
          code: 32614,
          message: `A REST API resource was not found for '${request.method} ${path}'.`,
        }),
      );
    }
    return send(reply, json(404, { message: `No route for ${request.method} ${path}` }));
  });

  app.setErrorHandler((error, _request, reply) => {
    const err =
      error instanceof Error ? (error as Error & { statusCode?: unknown }) : new Error(String(error));
    const code = 'statusCode' in err ? err.statusCode : undefined;
    const status = typeof code === 'number' && code >= 400 ? code : 500;
    return reply.code(status).send({ message: err.message });
  });

  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    port,
    close: async () => {
      shutdown.abort();
      await app.close();
    },
  };
}
