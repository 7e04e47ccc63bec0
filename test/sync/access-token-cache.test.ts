import type { CounterSnapshot, RunningSimulator } from '@t5g/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.js';
import type { Logger } from '../../src/lib/logger.js';
import { openStore } from '../../src/store/store.js';
import { withUpstreams } from '../../src/sync/helpers/upstreams.js';
import { memoryLogger } from '../sources/support.js';
import { openTestStore, storageConfig, type TestStore } from '../support/backends.js';
import { makeJobContext } from '../support/job-context.js';
import { simControl, simulatorConfig, strictSimulator } from '../support/sim-config.js';

// The Portal's SSO access token is exchanged once and reused by later runs and by other processes
// (the `access_tokens` table) until shortly before it expires; a refused (expired) token is
// exchanged again. The simulator's request counters count the exchanges.

describe.each(['pglite', 'postgres'] as const)('the SSO access token shared on %s', (backend) => {
  let sim: RunningSimulator;
  let t: TestStore;
  let config: Config;
  const exchanges = async () => (await simControl<CounterSnapshot>(sim, 'counters')).upstreams.sso.requests;

  /** One run's worth of Portal work: a new connector set, as every job run builds. */
  async function portalCall(store = t.store, logger?: Logger) {
    const ctx = makeJobContext(store, config);
    const run = logger ? { ...ctx, logger } : ctx;
    const number = sim.state.cases.find((c) => !c.forbidden)?.number as string;
    return withUpstreams(run, (up) => up.portal.listComments(number, run.signal));
  }

  beforeAll(async () => {
    sim = await strictSimulator({ cases: 20, seed: 3 });
    t = await openTestStore(backend, 'access_tokens');
    config = simulatorConfig(sim);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('many runs in a row make one token exchange, and the token is never logged', async () => {
    await simControl(sim, 'counters/reset', { method: 'POST' });
    const { logger, lines } = memoryLogger();
    for (let i = 0; i < 8; i++) await portalCall(t.store, logger);
    expect(await exchanges()).toBe(1);
    const [row] = (await t.store.db.query<{ access_token: string }>('SELECT access_token FROM access_tokens'))
      .rows;
    expect(row?.access_token.length).toBeGreaterThan(20);
    expect(lines.join('\n')).not.toContain(row?.access_token);
  });

  it('an expired token the Portal refuses is exchanged again, once, and replaces the stored one', async () => {
    const before = (
      await t.store.db.query<{ access_token: string }>('SELECT access_token FROM access_tokens')
    ).rows[0]?.access_token;
    await simControl(sim, 'tokens/expire', { method: 'POST' });
    await simControl(sim, 'counters/reset', { method: 'POST' });
    await portalCall();
    await portalCall();
    expect(await exchanges()).toBe(1);
    const after = (await t.store.db.query<{ access_token: string }>('SELECT access_token FROM access_tokens'))
      .rows[0]?.access_token;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it.runIf(backend === 'postgres')('a second process on the same database reuses the token', async () => {
    const other = await openStore(storageConfig({ DATABASE_URL: t.databaseUrl as string }), {
      logger: memoryLogger().logger,
    });
    try {
      await simControl(sim, 'counters/reset', { method: 'POST' });
      await portalCall(other);
      await portalCall(t.store);
      expect(await exchanges()).toBe(0);
    } finally {
      await other.close();
    }
  });
});
