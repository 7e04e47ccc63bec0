import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@t5g/simulators';
import { withSimulatorUpstreams } from '../../src/cli/demo.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { DEMO_CREDENTIALS } from '../../src/config/demo-upstreams.js';
import { WITHOUT_SIGN_IN } from './env.js';

/**
 * A simulator on a free port as strict as the real services: only the credentials `simulatorConfig`
 * signs in with are accepted (or those `opts.credentials` names instead), and JIRA follows a restricted
 * workflow (transitions only from the statuses a real workflow allows them, a resolution required on
 * Done) unless `opts.workflow` says otherwise.
 */
export function strictSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    port: 0,
    workflow: 'restricted',
    ...opts,
    strictAuth: true,
    credentials: { ...DEMO_CREDENTIALS, ...opts.credentials },
  });
}

/** A Config whose upstreams are the given simulator; `env` adds or overrides variables (e.g. READ_ONLY). */
export function simulatorConfig(sim: RunningSimulator, env: Record<string, string> = {}): Config {
  const base = loadConfig({
    env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', ...WITHOUT_SIGN_IN, ...env },
    dotEnv: false,
  });
  return withSimulatorUpstreams(base, sim);
}

/** Calls a simulator control endpoint (`/_sim/...`) and returns its JSON. */
export async function simControl<T = unknown>(
  sim: RunningSimulator,
  path: string,
  init?: { method?: string; body?: unknown },
): Promise<T> {
  const res = await fetch(`${sim.url}/_sim/${path}`, {
    method: init?.method ?? (init?.body === undefined ? 'GET' : 'POST'),
    headers: init?.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`simulator ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
