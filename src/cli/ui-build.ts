import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';
import { PACKAGE_ROOT, RUNNING_BUILT } from '../lib/paths.js';

// The web app serves dist/ui. Run from the TypeScript sources (a development checkout), it is built
// from src/ui by Vite when missing or stale, so that `npm ci && npm start` works on a fresh clone
// with no separate build step; the stamp holds a hash of the UI sources, so an unchanged tree starts
// at once. Run from the compiled server (`npm run build`, a production install without Vite), the
// UI that `npm run build` wrote is served as it is.

const ROOT = PACKAGE_ROOT;
export const UI_DIST = path.join(ROOT, 'dist/ui');
const STAMP = '.source-hash';
const INPUTS = ['src/ui', 'src/shared', 'vite.config.ts', 'package-lock.json'];

async function filesUnder(p: string): Promise<string[]> {
  const entries = await readdir(p, { withFileTypes: true }).catch(() => null);
  if (!entries) return [p];
  const nested = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((e) => (e.isDirectory() ? filesUnder(path.join(p, e.name)) : [path.join(p, e.name)])),
  );
  return nested.flat();
}

export async function uiSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of await filesUnder(path.join(ROOT, input))) {
      hash.update(path.relative(ROOT, file));
      hash.update(await readFile(file));
    }
  }
  return hash.digest('hex');
}

let building: Promise<string> | undefined;

/** Returns the directory of a built UI matching the sources, building it first when needed. */
export function ensureUiBuilt(logger?: Logger): Promise<string> {
  if (RUNNING_BUILT) return builtUi();
  building ??= build(logger).finally(() => {
    building = undefined;
  });
  return building;
}

async function builtUi(): Promise<string> {
  if (!existsSync(path.join(UI_DIST, 'index.html')))
    throw new UiMissingError(
      `the dashboard UI is not built: ${path.join(UI_DIST, 'index.html')} is missing. ` +
        'Run `npm run build` before starting the compiled server.',
    );
  return UI_DIST;
}

/** The compiled server found no built UI (a start-up failure with a message, not a stack). */
export class UiMissingError extends Error {
  override name = 'UiMissingError';
}

async function build(logger?: Logger): Promise<string> {
  const hash = await uiSourceHash();
  const stamp = await readFile(path.join(UI_DIST, STAMP), 'utf8').catch(() => '');
  if (stamp === hash && existsSync(path.join(UI_DIST, 'index.html'))) return UI_DIST;

  logger?.info('building the dashboard UI (first start or changed sources)');
  const started = Date.now();
  // Build beside the live directory and swap, so a process serving the old build (or a second
  // process building at the same time) never sees a half-written tree.
  const tmp = `${UI_DIST}.tmp-${process.pid}-${Date.now()}`;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(
      'dist/ui is missing or stale and Vite is not installed: run `npm ci` (with dev dependencies)',
    );
  }
  // Always React's production build, whatever NODE_ENV this process has: Vite and its React plugin
  // read NODE_ENV itself (vitest sets "test", which would give the development bundle to every
  // later `npm start`). Not configuration, so it is set here for the build only.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({
      configFile: path.join(ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir: tmp, emptyOutDir: true },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  await writeFile(path.join(tmp, STAMP), hash);
  await mkdir(path.dirname(UI_DIST), { recursive: true });
  const old = `${UI_DIST}.old-${process.pid}-${Date.now()}`;
  await rename(UI_DIST, old).catch(() => undefined);
  try {
    await rename(tmp, UI_DIST);
  } catch (err) {
    // Another process swapped in its build between our two renames: fine if it is the same sources.
    const theirs = await readFile(path.join(UI_DIST, STAMP), 'utf8').catch(() => '');
    await rm(tmp, { recursive: true, force: true });
    if (theirs !== hash) throw err;
  }
  await rm(old, { recursive: true, force: true });
  logger?.info({ ms: Date.now() - started }, 'dashboard UI built');
  return UI_DIST;
}
