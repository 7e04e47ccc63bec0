import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { type RunningSimulator, SIM_DEFAULTS } from '@t5g/simulators';
import pg from 'pg';
import { DEMO_CREDENTIALS } from '../../src/config/demo-upstreams.js';
import { WITHOUT_SIGN_IN } from './env.js';

// Running the real `t5g` command against the simulators and a test database, for tests that need a
// separate process (signals, listeners of their own).

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The environment of a worker against `sim`, signed in as `strictSimulator` accepts by default. */
export function workerEnv(sim: RunningSimulator, databaseUrl: string, env: Record<string, string>) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_LEVEL: 'info',
    // Upstream credentials make it a non-demo install, which must choose its sign-in.
    ...WITHOUT_SIGN_IN,
    DATABASE_URL: databaseUrl,
    PORTAL_API_URL: `${sim.url}/portal/hydra/rest`,
    PORTAL_SSO_TOKEN_URL: `${sim.url}/sso/auth/realms/redhat-external/protocol/openid-connect/token`,
    PORTAL_OFFLINE_TOKEN: DEMO_CREDENTIALS.offlineToken,
    PORTAL_CASE_QUERY: SIM_DEFAULTS.caseQuery,
    JIRA_URL: `${sim.url}/jira`,
    JIRA_USER: DEMO_CREDENTIALS.jiraUser,
    JIRA_TOKEN: DEMO_CREDENTIALS.jiraToken,
    JIRA_PROJECT: SIM_DEFAULTS.jiraProject,
    JIRA_BOARD: SIM_DEFAULTS.boardName,
    JIRA_CARD_LABEL: SIM_DEFAULTS.cardLabel,
    JIRA_ESCALATIONS_PROJECT: SIM_DEFAULTS.escalationsProject,
    JIRA_ESCALATIONS_LABEL: SIM_DEFAULTS.escalationsLabel,
    BUGZILLA_URL: `${sim.url}/bugzilla`,
    BUGZILLA_API_KEY: DEMO_CREDENTIALS.bugzillaKey,
    ...env,
  };
}

/** The real `t5g` command (bin/t5g.js) with an explicit environment, its output collected. */
export function startT5g(command: string | string[], env: Record<string, string>) {
  const args = Array.isArray(command) ? command : [command];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/t5g.js'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { child, output: () => output };
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

export async function query<T>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Errors count as "not yet": the worker may still be migrating the empty database.
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
