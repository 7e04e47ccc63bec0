import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { startDemoUpstreams, wireDemoWebhooks } from '../../src/cli/demo.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/lib/logger.js';
import { openTestStore, type TestStore } from '../support/backends.js';

// Demo mode: the simulated JIRA's webhooks are signed with a secret the demo config carries and,
// once the app listens, pointed at its own receiver, so a change reaches it without any setting.

describe('demo mode JIRA webhooks', () => {
  let demo: Awaited<ReturnType<typeof startDemoUpstreams>>;
  let ts: TestStore;

  beforeAll(async () => {
    const base = loadConfig({
      env: { LOG_LEVEL: 'silent', DATA_DIR: 'memory://', DEMO_CASES: '30' },
      dotEnv: false,
    });
    demo = await startDemoUpstreams(base, silentLogger, { quiet: true });
    ts = await openTestStore('pglite', 'demo-webhooks');
  });

  afterAll(async () => {
    await ts?.close();
    await demo?.close();
  });

  it('generates a secret, wires the simulator to the app, and a signed delivery arrives', async () => {
    const config: Config = demo.config;
    expect(config.jira.webhookSecret?.length).toBeGreaterThanOrEqual(16);
    const app = await buildApp({ config, store: ts.store, metrics: ts.metrics, logger: silentLogger });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      const url = wireDemoWebhooks(demo.simulator, config, { host: '0.0.0.0', port });
      expect(url).toBe(`http://127.0.0.1:${port}/api/v1/webhooks/jira`);
      const card = demo.simulator.state.cards()[0];
      if (!card) throw new Error('fixture: no card');
      await fetch(`${demo.simulator.url}/_sim/mutate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ setCardStatus: { key: card.key, status: 'Blocked' } }),
      });
      await demo.simulator.webhooks.idle();
      const stats = demo.simulator.webhooks.status();
      expect(stats).toMatchObject({ signed: true, delivered: 1, dropped: 0 });
      const receipt = await (await fetch(`http://127.0.0.1:${port}/api/v1/webhooks`)).json();
      expect(receipt.sources[0]).toMatchObject({ lastEvent: 'jira:issue_updated', lastKey: card.key });
    } finally {
      await app.close();
    }
  });
});
