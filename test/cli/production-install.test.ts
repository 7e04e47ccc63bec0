import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProductionInstall, ENTRY_POINT, startNode } from '../support/production.js';

// A production install is the compiled server, the built UI and `npm ci --omit=dev`: no compiler,
// bundler or test tool. It must start with plain `node` and serve the whole dashboard.

const PAGES = [
  '/',
  '/home',
  '/table/',
  '/table/all',
  '/table/trends',
  '/cases',
  '/updates/',
  '/updates/all',
  '/trends/',
  '/weekly/',
  '/stats',
  '/accounts',
  '/engineers',
  '/search?q=cluster',
  '/sync',
];
const API = ['/healthz', '/readyz', '/api/v1/meta', '/api/v1/cards', '/api/v1/cases', '/api/openapi.json'];

async function sparePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('production install', () => {
  let app: string;
  beforeAll(async () => {
    app = await buildProductionInstall();
  }, 300_000);
  afterAll(async () => {
    if (app) await rm(path.dirname(app), { recursive: true, force: true });
  });

  it('holds compiled output and production dependencies only', async () => {
    expect(existsSync(path.join(app, ENTRY_POINT))).toBe(true);
    expect(existsSync(path.join(app, 'dist/ui/index.html'))).toBe(true);
    expect(existsSync(path.join(app, 'src'))).toBe(false);
    for (const dev of ['typescript', 'vite', 'vitest', 'tsx', '@biomejs/biome', 'drizzle-kit', 'react'])
      expect(existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);
    const sims = JSON.parse(await readFile(path.join(app, 'packages/simulators/package.json'), 'utf8'));
    expect(Object.values(sims.exports).every((t) => /^\.\/dist\/.+\.js$/.test(t as string))).toBe(true);
  });

  it('starts with node in PGlite demo mode and serves every page and the API', async () => {
    const port = await sparePort();
    const { child, output } = startNode(app, ['start'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: 'memory://',
      DEMO_CASES: '20',
    });
    const base = `http://127.0.0.1:${port}`;
    try {
      await expect
        .poll(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status, {
          timeout: 60_000,
          interval: 250,
        })
        .toBe(200);
      for (const page of PAGES) {
        const res = await fetch(base + page);
        expect(res.status, page).toBe(200);
        expect(await res.text(), page).toContain('<div id="root">');
      }
      const index = await (await fetch(`${base}/home`)).text();
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
      expect(script).toBeDefined();
      expect((await fetch(base + script)).status).toBe(200);
      for (const route of API) expect((await fetch(base + route)).status, route).toBe(200);
      // The demo sync runs in the production process too: cards arrive.
      await expect
        .poll(async () => ((await (await fetch(`${base}/api/v1/cards`)).json()) as { total: number }).total, {
          timeout: 60_000,
          interval: 500,
        })
        .toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(output()).toContain('t5g is listening');
  });

  it('says clearly when the built UI is missing', async () => {
    await rm(path.join(app, 'dist/ui'), { recursive: true, force: true });
    const { child, output } = startNode(app, ['start'], {
      PORT: String(await sparePort()),
      DATA_DIR: 'memory://',
      DEMO_CASES: '10',
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output()).toMatch(/dashboard UI is not built: .*index\.html is missing.*npm run build/);
  });
});
