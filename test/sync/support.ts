import Fastify, { type FastifyInstance } from 'fastify';
import { registerAuth } from '../../src/api/auth/auth.js';
import { refreshRoutes } from '../../src/api/routes/refresh.js';
import { runRoutes } from '../../src/api/routes/runs.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import type { SyncRun } from '../../src/store/repositories/sync-runs.js';
import type { Store } from '../../src/store/store.js';
import { waitForRun } from '../../src/sync/engine/run-watch.js';
import type { SyncControl } from '../../src/sync/engine/types.js';
import type { JobAlert, WorkerTuning } from '../../src/sync/index.js';
import { WITHOUT_SIGN_IN } from '../support/env.js';

/** pg-boss at its smallest intervals, so a test waits for work, not for polling. */
export const FAST_TUNING: Partial<WorkerTuning> = {
  pollingIntervalSeconds: 0.5,
  notifyPollingIntervalSeconds: 0.5,
  cronMonitorIntervalSeconds: 1,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 2,
  poolSize: 3,
};

/** A `Config` from explicit variables only, pointing at the test store's database. */
export function syncConfig(databaseUrl: string | undefined, env: Record<string, string> = {}): Config {
  return loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      DATA_DIR: 'memory://',
      ...WITHOUT_SIGN_IN,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    },
    dotEnv: false,
  });
}

/** The two route plugins behind the access layer with sign-in off (as app.ts registers them). */
export async function routesApp(store: Store, sync: SyncControl): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: silentLogger }) as unknown as FastifyInstance;
  await registerAuth(app, { config: syncConfig(undefined), store, logger: silentLogger });
  await app.register(refreshRoutes, { store, sync });
  await app.register(runRoutes, { store });
  await app.ready();
  return app;
}

/** Alerts that reached the sink, in order. */
export function recordingSink() {
  const alerts: JobAlert[] = [];
  return { alerts, sink: { send: async (a: JobAlert) => void alerts.push(a) } };
}

/** A gate the test opens: `wait()` blocks until `open()`; `reset()` closes it again. */
export class Latch {
  private release!: () => void;
  private gate!: Promise<void>;
  constructor() {
    this.reset();
  }
  reset(): void {
    this.gate = new Promise((r) => {
      this.release = r;
    });
  }
  open(): void {
    this.release();
  }
  wait(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.gate;
    return Promise.race([
      this.gate,
      new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    ]);
  }
}

export function finished(store: Store, runId: string, timeoutMs = 20_000): Promise<SyncRun> {
  return waitForRun(store, runId, AbortSignal.timeout(timeoutMs));
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Splits an SSE body into its events. */
export function parseSse(body: string): { event: string; data: unknown }[] {
  return body
    .split('\n\n')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return event && data ? { event, data: JSON.parse(data) as unknown } : undefined;
    })
    .filter((e): e is { event: string; data: unknown } => e !== undefined);
}
