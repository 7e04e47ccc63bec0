// npm's `prepare` hook: in a development checkout (sources and dev dependencies present) it builds
// the UI and the PGlite template ahead of the first start. Anywhere else (a production install of the
// packaged tree, which has no sources or tsx) it does nothing. A failure only warns: `npm start`
// builds what is missing itself, just more slowly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = `${root}node_modules/tsx/dist/cli.mjs`;
if (!existsSync(`${root}src/ui`) || !existsSync(tsx)) process.exit(0);
const r = spawnSync(process.execPath, [tsx, `${root}scripts/prepare.ts`], { stdio: 'inherit', cwd: root });
if (r.status !== 0)
  console.warn('prepare: could not build ahead of time; `npm start` will build on first start');
