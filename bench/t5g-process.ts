// The real `t5g` command (bin/t5g.js) in a child process, for the benchmarks that measure the
// process itself (its memory, its first start): on 127.0.0.1 and a free port, its log kept for when
// it fails.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { exited, startT5g } from '../test/support/t5g-process.js';

export interface T5gProcess {
  child: ChildProcess;
  pid: number;
  base: string;
  /** What it printed (stdout and stderr), for the error when it fails. */
  log: () => string;
  /** SIGTERM, then SIGKILL after 20 s; resolves when it has exited. */
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/** Starts `t5g <command>` with `env` over a quiet base (warn-level JSON log, a free port, any simulator port). */
export async function spawnT5g(command: 'start' | 'web', env: Record<string, string>): Promise<T5gProcess> {
  const port = await freePort();
  const { child, output } = startT5g(command, {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    DEMO_SIMULATOR_PORT: '0',
    ...env,
  });
  return {
    child,
    pid: child.pid!,
    base: `http://127.0.0.1:${port}`,
    log: () => output().slice(-20_000),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** GETs `url` until `ready(body)` holds; throws after `timeoutMs` or when the process exits. */
export async function waitFor<T>(
  proc: T5gProcess,
  url: string,
  ready: (body: T) => boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null)
      throw new Error(`t5g exited with ${proc.child.exitCode}:\n${proc.log()}`);
    try {
      const res = await fetch(proc.base + url, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) {
        const body = (await res.json()) as T;
        if (ready(body)) return body;
      } else await res.arrayBuffer();
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`${url} not ready after ${timeoutMs / 1000} s:\n${proc.log()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resident memory now and at its peak, in MB (Linux /proc). */
export function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}
