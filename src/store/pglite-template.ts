import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../lib/logger.js';
import { PACKAGE_ROOT } from '../lib/paths.js';

// A new PGlite data directory costs seconds (initdb in WebAssembly, then every migration and the job
// queue's schema) where opening an existing one takes half a second. `npm ci` (the `prepare` script)
// therefore builds one initialised directory once, and a first start copies it instead of running
// initdb. The template is stamped with what shaped it (the migrations, the PGlite and pg-boss
// versions); a template that does not match is ignored, so a stale one can never be used.

export const TEMPLATE_DIR = path.join(PACKAGE_ROOT, 'node_modules/.cache/t5g/pglite-template');
const STAMP = 'stamp';

/** A hash of everything a template's contents depend on. */
export async function templateStamp(): Promise<string> {
  const hash = createHash('sha256');
  const migrations = path.join(PACKAGE_ROOT, 'drizzle');
  for (const file of (await readdir(migrations, { recursive: true })).sort()) {
    if (!file.endsWith('.sql') && !file.endsWith('.json')) continue;
    hash.update(file);
    hash.update(await readFile(path.join(migrations, file)));
  }
  for (const pkg of ['@electric-sql/pglite', 'pg-boss']) {
    const manifest = path.join(PACKAGE_ROOT, 'node_modules', pkg, 'package.json');
    const version = await readFile(manifest, 'utf8').then(
      (m) => JSON.parse(m).version as string,
      () => 'unknown',
    );
    hash.update(`${pkg}@${version}`);
  }
  return hash.digest('hex');
}

/** Copies the template into `target` (a PGlite directory that does not exist yet); false when there is none that fits. */
export async function seedFromTemplate(
  target: string,
  logger: Logger,
  templateDir = TEMPLATE_DIR,
): Promise<boolean> {
  if (existsSync(target)) return false;
  const stamp = await readFile(path.join(templateDir, STAMP), 'utf8').catch(() => undefined);
  if (!stamp || !existsSync(path.join(templateDir, 'pglite'))) return false;
  if (stamp !== (await templateStamp())) {
    logger.debug('PGlite template is from other migrations or versions; initialising from scratch');
    return false;
  }
  const tmp = `${target}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(path.dirname(target), { recursive: true });
  await cp(path.join(templateDir, 'pglite'), tmp, { recursive: true });
  await rename(tmp, target);
  logger.debug({ target }, 'PGlite data directory copied from the template');
  return true;
}

/**
 * Builds the template: `initialise(dataDir)` must open t5g's store on `dataDir`, run everything a
 * first start would (migrations, the job queue's schema) and close it again.
 */
export async function writeTemplate(
  initialise: (dataDir: string) => Promise<void>,
  templateDir = TEMPLATE_DIR,
): Promise<void> {
  const stamp = await templateStamp();
  const current = await readFile(path.join(templateDir, STAMP), 'utf8').catch(() => undefined);
  if (current === stamp) return;
  const work = `${templateDir}.tmp-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  await initialise(work);
  await writeFile(path.join(work, STAMP), stamp);
  await rm(templateDir, { recursive: true, force: true });
  await rename(work, templateDir);
}
