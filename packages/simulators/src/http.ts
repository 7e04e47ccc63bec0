/**
 * The small request/response model every route module uses. Handlers return a `SimResponse`
 * instead of writing to the socket, so server.ts can apply faults (truncation, delays) and
 * counters uniformly and the handlers stay plain functions.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Upstream } from './constants.js';
import type { FaultController } from './faults.js';
import type { ResolvedOptions } from './options.js';
import type { SimulatorState } from './state.js';
import type { TokenStore } from './tokens.js';

export interface SimRequest {
  method: string;
  /** Path without the query string, as received. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** `http://host:port` as the client addressed us; used for `self` links. */
  origin: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON unless `text` is given. */
  json?: unknown;
  text?: string;
  contentType?: string;
  /** True when the call changed upstream state (counted as a write). */
  write?: boolean;
}

export interface HandlerContext {
  state: SimulatorState;
  options: ResolvedOptions;
  tokens: TokenStore;
  faults: FaultController;
  upstream: Upstream;
  /** Rolls the invalid-record fault for one record of this request's upstream. */
  invalidRecord(): boolean;
}

export type Handler = (req: SimRequest, ctx: HandlerContext) => SimResponse | Promise<SimResponse>;

export interface RouteDef {
  upstream: Upstream;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full path served, with fastify `:param` placeholders. */
  path: string;
  /** Counter key: method plus the upstream's own path (no simulator prefix). */
  key: string;
  handler: Handler;
}

export class RouteTable {
  readonly routes: RouteDef[] = [];

  constructor(
    private readonly upstream: Upstream,
    private readonly prefix: string,
  ) {}

  add(method: RouteDef['method'], path: string, handler: Handler): void {
    this.routes.push({
      upstream: this.upstream,
      method,
      path: `${this.prefix}${path}`,
      key: `${method} ${path}`,
      handler,
    });
  }
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function html(status: number, body: string, headers?: Record<string, string>): SimResponse {
  return { status, text: body, contentType: 'text/html;charset=UTF-8', ...(headers ? { headers } : {}) };
}

export function noContent(write = false): SimResponse {
  return { status: 204, write };
}

/** Parses a JSON body; `undefined` for an empty body, an `Error` for malformed JSON. */
export function parseJsonBody(req: SimRequest): unknown {
  if (req.rawBody.trim() === '') return undefined;
  try {
    return JSON.parse(req.rawBody) as unknown;
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Form-urlencoded or JSON body as flat string params (Slack and SSO accept both kinds). */
export function bodyParams(req: SimRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    const parsed = parseJsonBody(req);
    return isRecord(parsed) ? parsed : {};
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(req.rawBody)) out[k] = v;
  return out;
}

/** Bearer token from the Authorization header, if any. */
export function bearerToken(req: SimRequest): string | undefined {
  const auth = req.headers.authorization;
  if (!auth) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
  return m?.[1]?.trim() || undefined;
}

/** Comma-separated and repeated query values, flattened (`id=1,2&id=3` → 1,2,3). */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function intParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}
