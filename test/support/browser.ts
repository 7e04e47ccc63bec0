import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { RunningSimulator } from '@t5g/simulators';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
  type Response,
} from 'playwright-core';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import {
  backfillDemoHistory,
  demoStatsHistory,
  wireDemoWebhooks,
  withSimulatorUpstreams,
} from '../../src/cli/demo.js';
import { ensureUiBuilt } from '../../src/cli/ui-build.js';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Logger } from '../../src/lib/logger.js';
import { type CoreMetrics, createMetrics } from '../../src/observability/metrics.js';
import { createPromUpstreamMetrics, createUpstreams } from '../../src/sources/index.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createNotifyingAlertSink } from '../../src/sync/engine/notify-alerts.js';
import { createSyncEngine, type SyncEngine, waitForRun } from '../../src/sync/index.js';
import '../../src/sync/helpers/upstreams.js';
import { strictSimulator } from './sim-config.js';

// Browser tests: the whole product as `npm start` runs it in demo mode (PGlite in memory, the built-in
// simulators, a worker sync engine, the built UI), on port 0, driven by Debian's Chromium through
// playwright-core. Never a downloaded browser.

export const CHROMIUM = '/usr/bin/chromium';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOT_DIR = path.join(ROOT, 'test-artifacts/screenshots');
/** A report page is tens of thousands of pixels long; its top is what a screenshot needs. */
const MAX_SCREENSHOT_HEIGHT = 4000;

/** In CI (`.ci/run` sets T5G_BROWSER_TESTS=required and installs Chromium) the browser tests must run. */
const browserRequired = Boolean(process.env.CI) || process.env.T5G_BROWSER_TESTS === 'required';

/**
 * Why the browser tests are skipped, or false when they run. Only a machine without Chromium that is
 * not CI skips them; in CI a missing Chromium fails them.
 */
export const browserSkipReason: string | false =
  !existsSync(CHROMIUM) && !browserRequired
    ? `browser tests skipped: ${CHROMIUM} is missing (install Debian's Chromium: apt-get install -y chromium)`
    : false;
if (browserSkipReason) console.warn(browserSkipReason);

// Without the background-networking flags Chromium's own connections are refused on a closed network
// and it logs about them; none of them is needed to test a page.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** pg-boss at short intervals, so a refresh from the page finishes in seconds. */
const TUNING = {
  pollingIntervalSeconds: 0.5,
  notifyPollingIntervalSeconds: 0.5,
  cronMonitorIntervalSeconds: 1,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 2,
};

export interface ProductOptions {
  /** Generated cases (default 200: every facet value occurs, a sync takes a few seconds). */
  cases?: number;
  seed?: number;
  /** Wire the simulated JIRA's webhooks to the app, as demo mode (`npm start`) does. */
  webhooks?: boolean;
  /** Runs after the simulators start and before the first sync, e.g. to plant comments. */
  beforeSync?: (sim: RunningSimulator) => void | Promise<void>;
  /** More configuration on top of demo mode (e.g. REDIS_MIRROR_URL). */
  env?: Record<string, string>;
  /** Apply the schedule table as `npm start` does (default off: no run starts by itself mid-test). */
  schedule?: boolean;
  /**
   * `background`: the product is handed over while its first sync still runs (to test what a page
   * shows meanwhile); `firstSync` then settles when it has succeeded. Default: waited for.
   */
  firstSync?: 'wait' | 'background';
}

/** Something that went wrong while a page ran: a console error, an uncaught exception, a server error. */
export interface Problem {
  kind: 'console' | 'pageerror' | 'server';
  text: string;
  url?: string;
}

export interface BrowserProduct {
  /** http://127.0.0.1:PORT of the running app. */
  baseUrl: string;
  config: Config;
  store: Store;
  sim: RunningSimulator;
  sync: SyncEngine;
  app: FastifyInstance;
  browser: Browser;
  context: BrowserContext;
  /** The one page the tests drive. */
  page: Page;
  /** Settles when the first sync has succeeded (already settled unless started in the background). */
  firstSync: Promise<void>;
  /** Console errors, page errors and server errors since the last `clearProblems()`. */
  problems: Problem[];
  clearProblems(): void;
  /** Opens a path of the app and waits until it has rendered (see `settle`). */
  goto(pathAndQuery: string): Promise<Response | null>;
  /** Waits until the page shows an h1 and no loading indicator in the main area. */
  settle(page?: Page): Promise<void>;
  /** GET of the JSON API. */
  api<T>(pathAndQuery: string): Promise<T>;
  /**
   * Writes `test-artifacts/screenshots/<name>.png` and returns its path: the whole page (its first
   * 4,000 px when longer), or one element.
   */
  screenshot(name: string, target?: Page | Locator): Promise<string>;
  close(): Promise<void>;
}

/** A logger that keeps the app's and the sync engine's error lines, to show with a failure. */
function recordingLogger(problems: Problem[]): Logger {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (!line.trim()) continue;
        try {
          const rec = JSON.parse(line) as { msg?: string; err?: { message?: string }; url?: string };
          problems.push({
            kind: 'server',
            text: [rec.msg, rec.err?.message].filter(Boolean).join(': '),
            ...(rec.url ? { url: rec.url } : {}),
          });
        } catch {
          problems.push({ kind: 'server', text: line });
        }
      }
      done();
    },
  });
  return pino({ level: 'error' }, sink);
}

/** Promise.all that waits for every part to settle, so each started part is known to its cleanup. */
async function allStarted<T extends readonly unknown[]>(
  parts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

export function screenshotName(testName: string): string {
  return testName
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);
}

/**
 * Boots the product and a browser. Callers own the result and must `close()` it; `useBrowserProduct`
 * does that within a vitest file.
 */
export async function startBrowserProduct(opts: ProductOptions = {}): Promise<BrowserProduct> {
  const problems: Problem[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install -y chromium)`,
    );
  try {
    // Demo mode as `npm start` runs it: the config of an install without upstream credentials, with
    // every upstream pointed at the in-process simulators.
    const cases = opts.cases ?? 200;
    const seed = opts.seed ?? 1;
    const base = loadConfig({
      env: {
        LOG_LEVEL: 'error',
        DATA_DIR: 'memory://',
        DEMO_MODE: 'true',
        DEMO_CASES: String(cases),
        DEMO_SEED: String(seed),
        ...opts.env,
      },
      dotEnv: false,
    });
    const logger = recordingLogger(problems);
    const metrics: CoreMetrics = createMetrics({ defaultMetrics: false });
    /** Registers the cleanup as soon as a part has started, even when a sibling part fails. */
    const started = async <T>(part: Promise<T>, stop: (t: T) => Promise<unknown>): Promise<T> => {
      const t = await part;
      cleanups.push(() => stop(t));
      return t;
    };

    // The independent parts at once: the UI build, the simulators, the database (initdb + migrations).
    const [uiDir, sim, store] = await allStarted([
      ensureUiBuilt(),
      started(strictSimulator({ cases, seed, smtpPort: 0 }), (s) => s.close()),
      started(openStore(base.storage, { logger, metrics }), (s) => s.close()),
      mkdir(SCREENSHOT_DIR, { recursive: true }),
    ] as const);
    await opts.beforeSync?.(sim);
    // With `webhooks`, as demo mode does: the simulated JIRA's webhooks signed with a generated
    // secret, and pointed at the app once it listens.
    const config = withSimulatorUpstreams(
      base,
      sim,
      opts.webhooks ? randomBytes(24).toString('hex') : undefined,
    );
    // As `t5g start` in demo mode: the generated stats history before the first sync.
    await backfillDemoHistory(store, demoStatsHistory(sim), logger);

    // The engine `createProcessSyncEngine` builds for `t5g start`, with short polling intervals.
    const upstreamMetrics = createPromUpstreamMetrics(metrics.registry);
    const sync = createSyncEngine({
      store,
      config,
      logger,
      role: { work: true, schedule: opts.schedule ?? false },
      services: { upstreamMetrics },
      alerts: createNotifyingAlertSink(
        config,
        createUpstreams(config, { logger, metrics: upstreamMetrics }),
        logger,
      ),
      alertWindowSeconds: config.email.alertWindowSeconds,
      metricsRegistry: metrics.registry,
      tuning: TUNING,
    });
    await sync.start();
    cleanups.push(() => sync.stop());

    const app = await buildApp({ config, store, metrics, logger, sync, uiDir });
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    if (opts.webhooks)
      wireDemoWebhooks(sim, config, { host: '127.0.0.1', port: (app.server.address() as AddressInfo).port });
    // Before the store and the engine: the app ends its open event streams.
    cleanups.push(() => app.close());

    // The first full sync, as `npm start` runs it on an empty database; Chromium starts meanwhile.
    const firstSync = async () => {
      const first = await sync.startupSync();
      if (!first) throw new Error('the start-up sync was not queued');
      const run = await waitForRun(store, first.id, AbortSignal.timeout(90_000));
      if (run.status !== 'succeeded')
        throw new Error(`the first sync ${run.status}: ${run.error ?? 'no error recorded'}`);
    };
    const firstSyncDone = firstSync();
    // In the background its failure is the test's to see; never an unhandled rejection.
    firstSyncDone.catch(() => undefined);
    const [, browser] = await allStarted([
      opts.firstSync === 'background' ? Promise.resolve() : firstSyncDone,
      started(chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }), (b) => b.close()),
    ] as const);
    const context = await browser.newContext({
      baseURL: baseUrl,
      viewport: { width: 1400, height: 900 },
      colorScheme: 'light',
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    // Short waits: a page of this app renders in about a second; a missing element should fail fast.
    context.setDefaultTimeout(10_000);
    // Loading a whole page (and its frames) can take longer on a busy 2-core machine.
    context.setDefaultNavigationTimeout(30_000);
    const page = await context.newPage();
    watchPage(page, problems);

    const settle = async (p: Page = page) => {
      await p.locator('main h1').first().waitFor({ state: 'visible' });
      await p.locator('main .loading, main [aria-busy="true"]').first().waitFor({ state: 'detached' });
    };
    const product: BrowserProduct = {
      baseUrl,
      config,
      store,
      sim,
      sync,
      app,
      browser,
      context,
      page,
      firstSync: firstSyncDone,
      problems,
      clearProblems: () => {
        problems.length = 0;
      },
      goto: async (to) => {
        const res = await page.goto(to);
        await settle();
        return res;
      },
      settle,
      api: async <T>(to: string) => {
        const res = await fetch(new URL(to, baseUrl), { headers: { accept: 'application/json' } });
        if (!res.ok) throw new Error(`GET ${to}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      },
      screenshot: async (name, target = page) => {
        const file = path.join(SCREENSHOT_DIR, `${screenshotName(name)}.png`);
        if ('goto' in target) {
          const { width, height } = await target.evaluate(() => ({
            width: document.documentElement.scrollWidth,
            height: document.documentElement.scrollHeight,
          }));
          const clip = { x: 0, y: 0, width, height: Math.min(height, MAX_SCREENSHOT_HEIGHT) };
          await target.screenshot({ path: file, fullPage: true, clip });
        } else await target.screenshot({ path: file });
        return file;
      },
      close,
    };
    return product;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Records what the browser reports as broken on `page` into `problems`. */
export function watchPage(page: Page, problems: Problem[]): void {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    problems.push({ kind: 'console', text: msg.text(), url: msg.location().url || page.url() });
  });
  page.on('pageerror', (err) => {
    problems.push({ kind: 'pageerror', text: err.stack ?? err.message, url: page.url() });
  });
}

/**
 * One booted product for a test file: started in `beforeAll`, closed in `afterAll`. A failing test
 * leaves a screenshot of the page at `test-artifacts/screenshots/<test name>-FAILED.png` and prints
 * the problems seen during it.
 */
export function useBrowserProduct(opts: ProductOptions = {}): () => BrowserProduct {
  let product: BrowserProduct | undefined;
  beforeAll(async () => {
    // A page re-renders after its API answers: give expect.poll the same 10 s a locator gets.
    vi.setConfig({ expect: { poll: { timeout: 10_000, interval: 100 } } });
    product = await startBrowserProduct(opts);
  });
  beforeEach((ctx) => {
    // Problems belong to the test that caused them.
    product?.clearProblems();
    ctx.onTestFailed(async () => {
      if (!product) return;
      const file = await product.screenshot(`${ctx.task.name}-FAILED`).catch(() => undefined);
      if (file) console.error(`screenshot of the failure: ${path.relative(ROOT, file)}`);
      if (product.problems.length) console.error('problems seen during the test:', product.problems);
    });
  });
  afterAll(async () => {
    vi.resetConfig();
    await product?.close();
  });
  return () => {
    if (!product) throw new Error('the browser product did not start (see the beforeAll failure)');
    return product;
  };
}
