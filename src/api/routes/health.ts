import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config/config.js';
import type { Served } from '../../shared/api/common.js';
import { readinessSchema } from '../../shared/api/health.js';
import { SYNCED_SOURCES } from '../../shared/vocabulary.js';
import { lastSuccessPerJob } from '../../store/repositories/sync-runs.js';
import type { Store } from '../../store/store.js';
import type { SyncControl } from '../../sync/index.js';
import { responseSchema } from '../json-schema.js';
import '../roles.js';

type Readiness = Served<typeof readinessSchema>;

/**
 * Every check is bounded, and they run side by side, so /readyz answers within this even when a
 * dependency hangs rather than refuses: an orchestrator sees 503 within a few seconds of PostgreSQL
 * going away.
 */
const CHECK_TIMEOUT_MS = 2000;

/**
 * /healthz: the process is alive (liveness; no dependencies checked).
 * /readyz: can it serve? PostgreSQL and (where this process has a sync engine) the job queue are
 * required: 503 "down" when either fails. The Redis cache is optional (reads fall back to
 * PostgreSQL), so when it is down the answer is 200 "degraded", as it is when a source has not
 * synced successfully within its bound (SYNC_MAX_AGE_MINUTES).
 */
export async function healthRoutes(
  app: FastifyInstance,
  opts: { store: Store; config: Config; sync?: SyncControl | undefined },
) {
  const { store, config, sync } = opts;
  // `pid` says which process answered (several web processes share a port with `--workers`).
  app.get('/healthz', { config: { role: 'public' } }, async () => ({ status: 'ok', pid: process.pid }));

  app.get(
    '/readyz',
    {
      config: { role: 'public' },
      schema: { response: { 200: responseSchema(readinessSchema), 503: responseSchema(readinessSchema) } },
    },
    async (_req, reply) => {
      const [h, queue, sources] = await Promise.all([
        store.health(),
        queueCheck(sync),
        freshness(store, config, sync),
      ]);
      const checks: Readiness['checks'] = {
        database: { ...h.database, required: true },
        cache: { ...h.cache, required: false },
        ...(queue ? { queue } : {}),
      };
      const down = !checks.database.ok || (queue !== undefined && !queue.ok);
      const degraded = !checks.cache.ok || sources.some((s) => !s.ok);
      const status = down ? 'down' : degraded ? 'degraded' : 'ok';
      return reply.code(down ? 503 : 200).send({ status, checks, sources } satisfies Readiness);
    },
  );
}

async function queueCheck(sync: SyncControl | undefined): Promise<Readiness['checks']['queue']> {
  if (!sync?.queueHealth) return undefined;
  const started = Date.now();
  try {
    const q = await withTimeout(sync.queueHealth(), CHECK_TIMEOUT_MS);
    return { backend: 'pg-boss', required: true, latencyMs: Date.now() - started, ...q };
  } catch (err) {
    return { backend: 'pg-boss', required: true, ok: false, detail: (err as Error).message };
  }
}

/**
 * Each source this process's sync engine knows (the jobs it can refresh) against its bound; an app
 * without a sync engine has no sources to report.
 */
async function freshness(
  store: Store,
  config: Config,
  sync: SyncControl | undefined,
): Promise<Readiness['sources']> {
  if (!sync) return [];
  const known = new Set(sync.refreshableJobs());
  const jobs = SYNCED_SOURCES.filter((j) => known.has(j));
  // Unknown when the database does not answer; the database check already says so.
  const success = await withTimeout(lastSuccessPerJob(store.db), CHECK_TIMEOUT_MS).catch(() => undefined);
  if (!success) return [];
  const now = Date.now();
  return jobs.map((job) => {
    const maxAgeMinutes = config.syncMaxAgeMinutes[job];
    const at = success[job] ?? null;
    return {
      job,
      ok: at !== null && now - at.getTime() <= maxAgeMinutes * 60_000,
      lastSuccessAt: at,
      maxAgeMinutes,
    };
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
