import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import type { z } from 'zod';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../lib/logger.js';
import { FOLLOWER_STATE, HEARTBEAT_SECONDS } from '../../mirror/follower.js';
import { keysOf } from '../../mirror/layout.js';
import { connectMirrorRedis, createMirrorMetrics, Mirror, redisSource } from '../../mirror/mirror.js';
import {
  mirrorCompareSchema,
  mirrorKeyParams,
  mirrorStatusSchema,
  mirrorSyncSchema,
} from '../../shared/api/mirror.js';
import { mirrorCounts } from '../../store/repositories/mirror.js';
import { getSyncState } from '../../store/repositories/sync-state.js';
import type { Store } from '../../store/store.js';
import { requestSchema, responseSchema } from '../json-schema.js';
import { errorResponse } from '../replies.js';
import '../roles.js';

// The Redis mirror, operator only:
//   POST /api/v1/sync/manual      full sync of every mirrored key (200 with per-key results)
//   POST /api/v1/sync/key/:key    one key
//   GET  /api/v1/sync/status      {enabled, redis_connected, service_status, last_event_at, lag_ms,
//                                  counts, errors, …}; the follower (`t5g mirror`) reports its state
//                                  every few seconds, so a silent one reads as `stopped`
//   GET  /api/v1/sync/compare     per key: Redis count, PostgreSQL count, drift with examples
// Without REDIS_MIRROR_URL the status says `disabled` and the others answer 409.

interface FollowerState {
  heartbeatAt?: string;
  mode?: string;
  lastEventAt?: string | null;
  lastSuccessAt?: string | null;
  lagMs?: number | null;
  events?: number;
  errors?: { at: string; key: string; message: string }[];
}

const date = (s: string | null | undefined) => (s ? new Date(s) : null);

export async function mirrorRoutes(
  app: FastifyInstance,
  opts: { store: Store; config: Config; logger: Logger; registry?: Registry },
) {
  const { store, config } = opts;
  const conn = config.mirror.url
    ? connectMirrorRedis({
        url: config.mirror.url,
        username: config.mirror.username,
        password: config.mirror.password,
      })
    : null;
  conn?.on('error', () => undefined);
  if (conn) app.addHook('onClose', async () => conn.disconnect());
  const mirror = conn
    ? new Mirror({
        store,
        source: redisSource(conn),
        logger: opts.logger.child({ component: 'mirror' }),
        keys: keysOf(config.mirror.sources),
        metrics: createMirrorMetrics(opts.registry),
      })
    : null;

  const follower = async (): Promise<FollowerState> =>
    ((await getSyncState(store.db, FOLLOWER_STATE))?.details ?? {}) as FollowerState;

  if (opts.registry && mirror) {
    // The follower runs in its own process; its figures reach /metrics through its reports (the same
    // in every web process, so a cluster's aggregated registry keeps the `max`).
    new Gauge({
      name: 't5g_mirror_follower_lag_seconds',
      help: 'Lag the mirror follower last reported (Redis change → PostgreSQL commit).',
      registers: [opts.registry],
      aggregator: 'max',
      async collect() {
        const s = await follower().catch(() => ({}) as FollowerState);
        this.set((s.lagMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 't5g_mirror_follower_events_processed',
      help: 'Change events the running mirror follower has processed since it started.',
      registers: [opts.registry],
      aggregator: 'max',
      async collect() {
        const s = await follower().catch(() => ({}) as FollowerState);
        this.set(s.events ?? 0);
      },
    });
  }

  const notConfigured = (reply: FastifyReply) =>
    reply.code(409).send({ message: 'the Redis mirror is not configured (REDIS_MIRROR_URL)' });

  app.post(
    '/api/v1/sync/manual',
    {
      config: { role: 'operator' },
      schema: { response: { 200: responseSchema(mirrorSyncSchema), 409: errorResponse } },
    },
    async (_req, reply) => (mirror ? { results: await mirror.syncAll() } : notConfigured(reply)),
  );

  app.post<{ Params: z.output<typeof mirrorKeyParams> }>(
    '/api/v1/sync/key/:key',
    {
      config: { role: 'operator' },
      schema: {
        params: requestSchema(mirrorKeyParams),
        response: { 200: responseSchema(mirrorSyncSchema), 400: errorResponse, 409: errorResponse },
      },
    },
    async (req, reply) => {
      if (!mirror) return notConfigured(reply);
      if (!mirror.keys.includes(req.params.key))
        return reply
          .code(400)
          .send({ message: `key ${req.params.key} is not mirrored (REDIS_MIRROR_SOURCES)` });
      return { results: [await mirror.syncKey(req.params.key)] };
    },
  );

  app.get(
    '/api/v1/sync/compare',
    {
      config: { role: 'operator' },
      schema: { response: { 200: responseSchema(mirrorCompareSchema), 409: errorResponse } },
    },
    async (_req, reply) => {
      if (!mirror) return notConfigured(reply);
      const keys = await mirror.compare();
      return { mismatches: keys.reduce((n, k) => n + k.mismatches, 0), keys };
    },
  );

  app.get(
    '/api/v1/sync/status',
    { config: { role: 'operator' }, schema: { response: { 200: responseSchema(mirrorStatusSchema) } } },
    async () => {
      const s = await follower();
      const heartbeat = date(s.heartbeatAt);
      const alive =
        heartbeat !== null &&
        s.mode !== 'stopped' &&
        Date.now() - heartbeat.getTime() < HEARTBEAT_SECONDS * 3 * 1000;
      const connected = conn
        ? await conn.ping().then(
            (p) => p === 'PONG',
            () => false,
          )
        : false;
      return {
        enabled: conn !== null,
        redis_connected: connected,
        service_status:
          conn === null ? ('disabled' as const) : alive ? ('running' as const) : ('stopped' as const),
        mode: s.mode ?? null,
        last_event_at: date(s.lastEventAt),
        last_success_at: date(s.lastSuccessAt) ?? mirror?.lastSuccessAt ?? null,
        lag_ms: s.lagMs ?? null,
        events: s.events ?? 0,
        sources: conn ? config.mirror.sources : [],
        counts: await mirrorCounts(store.db),
        errors: [
          ...(s.errors ?? []).map((e) => ({ ...e, at: new Date(e.at) })),
          ...(mirror?.lastErrors ?? []),
        ]
          .sort((a, b) => b.at.getTime() - a.at.getTime())
          .slice(0, 20),
      };
    },
  );
}
