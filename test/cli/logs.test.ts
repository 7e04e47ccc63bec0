import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prettyMessage, SIMULATED_NOTE } from '../../src/lib/logger.js';
import { createTestDatabase } from '../support/databases.js';
import { sparePort } from '../support/own-postgres.js';
import { strictSimulator } from '../support/sim-config.js';
import { exited, startT5g, until, workerEnv } from '../support/t5g-process.js';

/** The top-level keys of one JSON line in the order written, duplicates kept (JSON.parse drops them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      if (depth === 1 && line[j + 1] === ':') keys.push(line.slice(i + 1, j));
      i = j;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
  }
  return keys;
}

const duplicates = (keys: string[]) => keys.filter((k, i) => keys.indexOf(k) !== i);

describe('the pretty line', () => {
  it('puts the scope in front, each key once, the error stack and the URL on lines of their own', () => {
    const text = prettyMessage({
      level: 30,
      time: 1,
      pid: 1,
      role: 'start',
      component: 'sync',
      job: 'cases',
      runId: 'r1',
      msg: 'run failed',
      ms: 12,
      err: { message: 'boom', stack: 'Error: boom\n    at x' },
      url: 'http://localhost:8080',
    });
    const [first, ...rest] = text.split('\n');
    expect(first).toBe('[start sync cases] run failed  runId=r1 ms=12');
    expect(rest).toContain('    Error: boom');
    expect(rest).toContain('    http://localhost:8080');
  });
});

// A real `t5g start` against the simulators and PostgreSQL, logging JSON at debug: requests carry
// their id, every line of a sync run its run id and job, no key twice, and no secret ever appears.
describe('structured logs of a real process (JSON, PostgreSQL)', () => {
  const SECRETS = {
    JIRA_TOKEN: 'jira-secret-4f1c9b2e7d',
    BUGZILLA_API_KEY: 'bugzilla-secret-8a3e6c1f',
    PORTAL_OFFLINE_TOKEN: 'portal-offline-secret-2b7d9e4a',
    METRICS_TOKEN: 'metrics-secret-9c2f4e7a1b3d',
  };
  let sim: RunningSimulator;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    // Strict: only these secrets sign in, so the run below really used (and hid) each of them.
    sim = await strictSimulator({
      cases: 40,
      seed: 4,
      smtpPort: 0,
      credentials: {
        offlineToken: SECRETS.PORTAL_OFFLINE_TOKEN,
        jiraToken: SECRETS.JIRA_TOKEN,
        bugzillaKey: SECRETS.BUGZILLA_API_KEY,
      },
    });
    db = await createTestDatabase('logs');
  });
  afterAll(async () => {
    await db?.drop();
    await sim?.close();
  });

  it('has request ids, run ids, one of each key and no secret', async () => {
    const port = await sparePort();
    const base = `http://127.0.0.1:${port}`;
    const t5g = startT5g(
      'start',
      workerEnv(sim, db.url, { ...SECRETS, PORT: String(port), LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }),
    );
    try {
      await until(
        'the start-up sync to finish',
        async () =>
          t5g.child.exitCode !== null || /"job":"refresh-all".*"msg":"run succeeded"/.test(t5g.output()),
        150_000,
      );
      expect(t5g.child.exitCode, t5g.output()).toBeNull();
      // A caller's request id comes back and is on the request's log line; a made-up one is replaced.
      const given = await fetch(`${base}/api/v1/meta`, {
        headers: {
          'x-request-id': 'trace-abc.123',
          authorization: `Bearer ${SECRETS.METRICS_TOKEN}`,
          cookie: 't5g_session=session-secret-5e8a1c',
        },
      });
      expect(given.headers.get('x-request-id')).toBe('trace-abc.123');
      const odd = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'bad id <script>' } });
      expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` } });
      await until('the request lines', async () => /"reqId":"trace-abc\.123"/.test(t5g.output()), 5000);
    } finally {
      t5g.child.kill('SIGTERM');
      expect(await exited(t5g.child), t5g.output()).toBe(0);
    }
    const out = t5g.output();
    for (const secret of [...Object.values(SECRETS), 'session-secret-5e8a1c'])
      expect(out).not.toContain(secret);

    const lines = out.split('\n').filter((l) => l.trim());
    const records = lines.map((l) => {
      expect(duplicates(topLevelKeys(l)), l).toEqual([]);
      return JSON.parse(l) as Record<string, unknown>;
    });
    const request = records.find((r) => r.reqId === 'trace-abc.123' && r.msg === 'request completed');
    expect(request).toMatchObject({ route: '/api/v1/meta', status: 200 });
    // Every line written inside a run (between its start and its end) names the run and the job.
    const runLines = records.filter(
      (r) => r.msg === 'run started' || r.msg === 'run succeeded' || 'upstream' in r,
    );
    expect(runLines.length).toBeGreaterThan(10);
    for (const r of runLines) {
      if ('upstream' in r && !('runId' in r)) continue;
      expect(r.runId, JSON.stringify(r)).toEqual(expect.any(String));
      expect(r.job, JSON.stringify(r)).toEqual(expect.any(String));
    }
    const upstreamInRuns = records.filter((r) => 'upstream' in r && 'runId' in r);
    expect(upstreamInRuns.length).toBeGreaterThan(0);
  }, 240_000);
});

// `t5g start` in demo mode with LOG_FORMAT=pretty (the terminal format, forced): readable lines,
// the URL on its own line, simulated faults saying so.
describe('logs for a person (demo mode, pretty)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 't5g-logs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes readable lines with the URL to open on its own line', async () => {
    const port = await sparePort();
    const t5g = startT5g('start', {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: dir,
      PORT: String(port),
      LOG_FORMAT: 'pretty',
    });
    try {
      await until(
        'the start-up sync to finish',
        async () =>
          t5g.child.exitCode !== null || /\[start sync refresh-all\] run succeeded/.test(t5g.output()),
        150_000,
      );
      expect(t5g.child.exitCode, t5g.output()).toBeNull();
    } finally {
      t5g.child.kill('SIGTERM');
      expect(await exited(t5g.child), t5g.output()).toBe(0);
    }
    const out = t5g.output();
    const lines = out.split('\n');
    // Not JSON: time, level, scope, message.
    expect(lines.some((l) => l.trim().startsWith('{'))).toBe(false);
    expect(out).toMatch(/\d\d:\d\d:\d\d\] INFO: \[start\] t5g is listening/);
    expect(lines).toContain(`    http://localhost:${port}`);
    // Each key once: the scope is in front, so no `component=` or `role=` field repeats it.
    for (const l of lines.filter((x) => /INFO|WARN|ERROR/.test(x))) {
      const keys = [...l.matchAll(/ ([A-Za-z]+)=/g)].map((m) => m[1] ?? '');
      expect(duplicates(keys), l).toEqual([]);
      expect(l).not.toMatch(/ (role|component|job)=/);
    }
    // The demo Portal answers some case lookups with errors on purpose; the warning says so.
    const faults = lines.filter((l) => /WARN/.test(l) && /\[start sync \w+/.test(l) && /failed/.test(l));
    expect(faults.length).toBeGreaterThan(0);
    for (const l of faults) expect(l).toContain(SIMULATED_NOTE);
  }, 200_000);
});
