// `npm run package -- DIR` (after `npm run build`): writes the production tree to DIR (default
// dist/app): the compiled server, the built UI, the migrations, the `t5g` command and the manifests
// with their lock file, so that `npm ci --omit=dev` there gives an install with no compiler, bundler
// or test tool that `node dist/server/cli/main.js` runs. The Dockerfile's runtime stage is exactly
// that. Plain JavaScript because it runs before anything is compiled.
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(root, 'dist/app'));
const SIMULATORS = 'packages/simulators';

const required = ['dist/server/cli/main.js', 'dist/ui/index.html', `${SIMULATORS}/dist/index.js`];
for (const file of required) {
  if (!(await stat(path.join(root, file)).catch(() => null))) {
    console.error(`package: ${file} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
const copy = (from, to = from) => cp(path.join(root, from), path.join(out, to), { recursive: true });
for (const item of ['package.json', 'package-lock.json', 'bin', 'drizzle', 'dist/server', 'dist/ui']) {
  await copy(item);
}
await copy(`${SIMULATORS}/dist`);

// `prepare` builds ahead of time in a development checkout; a production install has nothing to build.
const rootManifest = JSON.parse(await readFile(path.join(out, 'package.json'), 'utf8'));
delete rootManifest.scripts.prepare;
await writeFile(path.join(out, 'package.json'), `${JSON.stringify(rootManifest, null, 2)}\n`);

// The workspace's exports name its TypeScript sources, which development runs through tsx and
// vitest; the production copy names the compiled files instead (./src/x.ts → ./dist/x.js).
const manifest = JSON.parse(await readFile(path.join(root, SIMULATORS, 'package.json'), 'utf8'));
manifest.exports = Object.fromEntries(
  Object.entries(manifest.exports).map(([key, target]) => [
    key,
    target.replace(/^\.\/src\/(.*)\.ts$/, './dist/$1.js'),
  ]),
);
await writeFile(path.join(out, SIMULATORS, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`package: production tree written to ${out}; run \`npm ci --omit=dev\` there`);
