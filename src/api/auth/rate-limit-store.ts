import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Queryable } from '../../store/db.js';
import { countRequest } from '../../store/repositories/rate-limits.js';

/**
 * @fastify/rate-limit's store, in PostgreSQL: its built-in store counts per process, so with several
 * web processes a client would get N times the limit. Each route keeps its own counters, as the
 * built-in store's per-route children do.
 */
export function postgresRateLimitStore(db: Queryable): FastifyRateLimitStoreCtor {
  class PostgresRateLimitStore implements FastifyRateLimitStore {
    constructor(private readonly route = '') {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      countRequest(db, `${this.route}|${key}`, timeWindow).then(
        (r) => callback(null, { current: r.hits, ttl: r.ttlMs }),
        (err: Error) => callback(err),
      );
    }

    // The plugin passes the route's merged limit settings, the route itself under `routeInfo`.
    child(params: object): FastifyRateLimitStore {
      const route = (params as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
      return new PostgresRateLimitStore(route?.url ? `${[route.method].flat().join(',')} ${route.url}` : '');
    }
  }
  return PostgresRateLimitStore as unknown as FastifyRateLimitStoreCtor;
}
