import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config/config.js';
import type { Logger } from '../lib/logger.js';
import { serveClusterMetrics } from '../observability/cluster-metrics.js';

// `t5g web --workers N`: the primary forks N web workers that share the port (node:cluster hands
// each connection to one of them) and only supervises: it opens no database and serves nothing
// itself but the cluster's aggregated metrics, which a worker asks it for on /metrics.

/** A worker tells the primary it listens; the primary logs the address once for all of them. */
export const WORKER_READY = 't5g:web-ready';

/** Restart delays double from this… */
const RESTART_BASE_MS = 500;
/** …up to this. */
const RESTART_MAX_MS = 30_000;
/** More deaths than this within the window: something is wrong with every worker; give up. */
const MAX_DEATHS = 10;
const DEATH_WINDOW_MS = 5 * 60_000;
/** After SIGTERM each worker drains within SHUTDOWN_TIMEOUT_SECONDS; this much more, then SIGKILL. */
const KILL_MARGIN_MS = 10_000;

export interface ClusterOptions {
  config: Config;
  logger: Logger;
  workers: number;
}

/** Runs the primary until it is told to stop (SIGTERM/SIGINT) or its workers cannot stay up. */
export function superviseWebWorkers({ config, logger, workers }: ClusterOptions): Promise<number> {
  serveClusterMetrics();
  const log = logger.child({ component: 'cluster' });
  const ready = new Set<number>();
  const deaths: number[] = [];
  let everReady = false;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let pendingRestarts = 0;
  let announced = false;

  return new Promise<number>((resolve) => {
    const finish = (code: number) => {
      if (restartTimer) clearTimeout(restartTimer);
      resolve(code);
    };

    const fork = () => {
      const worker = cluster.fork();
      worker.on('message', (m: unknown) => {
        if ((m as { type?: string } | null)?.type !== WORKER_READY) return;
        ready.add(worker.id);
        everReady = true;
        if (!announced && ready.size === workers) {
          announced = true;
          log.info(
            {
              workers,
              pids: [...Object.values(cluster.workers ?? {})].map((w) => w?.process.pid),
              url: `http://localhost:${config.server.port}`,
            },
            't5g is listening',
          );
        }
      });
      return worker;
    };

    const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

    const stopAll = (reason: string, code: number) => {
      if (stopping) return;
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      const running = live();
      log.info({ reason, workers: running.length }, 'stopping the web workers');
      if (running.length === 0) return finish(code);
      // Each worker runs its own graceful shutdown (stop accepting, end event streams, drain).
      for (const w of running) w.process.kill('SIGTERM');
      const killTimer = setTimeout(
        () => {
          for (const w of live()) {
            log.warn({ pid: w.process.pid }, 'web worker did not stop in time; killing it');
            w.process.kill('SIGKILL');
          }
        },
        config.server.shutdownTimeoutSeconds * 1000 + KILL_MARGIN_MS,
      );
      killTimer.unref();
      let failed = code !== 0;
      cluster.on('exit', (_w, exitCode) => {
        if (exitCode !== 0) failed = true;
        if (live().length === 0) {
          clearTimeout(killTimer);
          finish(failed ? 1 : 0);
        }
      });
    };

    cluster.on('exit', (worker, code, signal) => {
      ready.delete(worker.id);
      if (stopping) return;
      if (!everReady) {
        // No worker has ever come up: a start-up failure (configuration, port, database) that a
        // restart would only repeat. The worker has said why; stop with its exit code.
        log.error({ pid: worker.process.pid, code, signal }, 'a web worker failed to start');
        stopAll('start-up failed', code || 1);
        return;
      }
      const now = Date.now();
      deaths.push(now);
      while (deaths.length && (deaths[0] ?? 0) < now - DEATH_WINDOW_MS) deaths.shift();
      if (deaths.length > MAX_DEATHS) {
        log.error(
          { deaths: deaths.length, windowMinutes: DEATH_WINDOW_MS / 60_000 },
          'web workers keep dying; giving up',
        );
        stopAll('too many worker deaths', 1);
        return;
      }
      const delay = Math.min(RESTART_BASE_MS * 2 ** (deaths.length - 1), RESTART_MAX_MS);
      log.warn(
        { pid: worker.process.pid, code, signal, restartInMs: delay },
        'a web worker died; restarting it',
      );
      pendingRestarts++;
      // One timer at a time: restarts queued behind it start together when it fires.
      if (!restartTimer)
        restartTimer = setTimeout(() => {
          restartTimer = undefined;
          const n = pendingRestarts;
          pendingRestarts = 0;
          if (!stopping) for (let i = 0; i < n; i++) fork();
        }, delay);
    });

    process.once('SIGTERM', () => stopAll('SIGTERM', 0));
    // A terminal's Ctrl-C reaches the workers too; they ignore the repeated signal.
    process.once('SIGINT', () => stopAll('SIGINT', 0));

    log.info({ workers, port: config.server.port }, 'starting web workers');
    for (let i = 0; i < workers; i++) fork();
  });
}

/** Inside a cluster worker: tell the primary this one listens. */
export function announceReady(): void {
  if (cluster.isWorker) process.send?.({ type: WORKER_READY });
}
