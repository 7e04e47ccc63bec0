import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startDemoUpstreams } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config/config.js';
import type { Logger } from '../../src/lib/logger.js';
import { bugzillaUrl, jiraBrowseUrl } from '../../src/shared/rules.js';

// Demo links stay the same across starts: the simulators listen on DEMO_SIMULATOR_PORT, so the
// JIRA and Bugzilla links built from their URLs (and stored with the data) open after a restart.

async function sparePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function recordingLogger() {
  const lines: { msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, sink) as unknown as Logger, lines };
}

const demoConfig = (port: number) =>
  loadConfig({
    env: { DATA_DIR: 'memory://', DEMO_CASES: '10', DEMO_SIMULATOR_PORT: String(port), LOG_LEVEL: 'silent' },
    dotEnv: false,
  });

describe('demo upstream URLs', () => {
  it('are the same at every start, and the links built on them open', async () => {
    const port = await sparePort();
    const config = demoConfig(port);
    expect(config.demo.simulatorPort).toBe(port);
    const links: string[][] = [];
    for (let start = 0; start < 2; start++) {
      const { logger } = recordingLogger();
      const demo = await startDemoUpstreams(config, logger, { quiet: true });
      try {
        const jira = jiraBrowseUrl(demo.config.jira.url, 'KNIECO-1')!;
        const bug = bugzillaUrl(demo.config.bugzilla.url, '2000001');
        links.push([jira, bug]);
        expect(new URL(jira).port).toBe(String(port));
        // The link is served by the simulator (its browse page), not only well-formed.
        expect((await fetch(jira)).status).toBeLessThan(500);
      } finally {
        await demo.close();
      }
    }
    expect(links[1]).toEqual(links[0]);
  });

  it('takes a free port with a warning when the port is in use, and a tool never takes it', async () => {
    const port = await sparePort();
    const config = demoConfig(port);
    const first = await startDemoUpstreams(config, recordingLogger().logger, { quiet: true });
    try {
      const { logger, lines } = recordingLogger();
      const second = await startDemoUpstreams(config, logger, { quiet: true });
      try {
        expect(new URL(second.config.jira.url!).port).not.toBe(String(port));
        expect(lines.map((l) => l.msg)).toEqual([
          expect.stringMatching(/^DEMO_SIMULATOR_PORT \d+ is in use/),
        ]);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
    // A card tool (anyPort) leaves the port to the dashboard.
    const tool = await startDemoUpstreams(config, recordingLogger().logger, { quiet: true, anyPort: true });
    try {
      expect(new URL(tool.config.jira.url!).port).not.toBe(String(port));
    } finally {
      await tool.close();
    }
  });
});
