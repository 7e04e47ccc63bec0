import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The production build, as the Dockerfile runs it: in the build stage (a copy of the checkout with
 * every dependency installed) `BUILD_STEPS`, writing the production tree to `PACKAGE_DIR`; in the
 * runtime stage, in that tree, `INSTALL_STEP`. The deployment test checks that the Dockerfile's RUN
 * lines are these commands, and the packaging test runs them.
 */
export const PACKAGE_DIR = '/app';
export const BUILD_STEPS = ['npm run build', `npm run package -- ${PACKAGE_DIR}`];
export const INSTALL_STEP = 'npm ci --omit=dev';
/** What the image runs: `node` on the compiled entry point (the command is the CMD's last word). */
export const ENTRY_POINT = 'dist/server/cli/main.js';

async function sh(command: string, cwd: string): Promise<void> {
  await run('sh', ['-c', command], { cwd, maxBuffer: 64 * 1024 * 1024 });
}

/**
 * Builds the production tree from a copy of the checkout (the files git knows, as a container build
 * context has them), so the checkout's own dist/ is not rewritten under other tests, and installs
 * its production dependencies. Returns the tree's directory.
 */
export async function buildProductionInstall(): Promise<string> {
  const work = await mkdtemp(path.join(tmpdir(), 't5g-prod-'));
  const context = path.join(work, 'context');
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = stdout.split('\0').filter(Boolean);
  for (const file of files) {
    await mkdir(path.dirname(path.join(context, file)), { recursive: true });
    await cp(path.join(ROOT, file), path.join(context, file), { force: true }).catch((err) => {
      // Deleted in the working tree but still in the index: not part of the build context.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
  }
  // The build stage's `npm ci`: the checkout's installed dependencies, linked rather than reinstalled.
  await symlink(path.join(ROOT, 'node_modules'), path.join(context, 'node_modules'));
  const app = path.join(work, 'app');
  for (const step of BUILD_STEPS) await sh(step.replace(` ${PACKAGE_DIR}`, ` ${app}`), context);
  await sh(INSTALL_STEP, app);
  return app;
}

/** Starts `node ENTRY_POINT args` in `dir` and resolves with the child once `url` answers. */
export function startNode(dir: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [ENTRY_POINT, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { child, output: () => output };
}
