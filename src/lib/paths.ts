import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Files the server reads at run time (migrations, the built UI, package.json) sit at the package
// root. The code runs from src/ (tsx, tests) or from its compiled copy in dist/server/, at different
// depths, so the root is found by walking up to the package.json that names this package.
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 't5g') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no t5g package.json above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** True when this process runs the compiled output (`npm run build`), not the TypeScript sources. */
export const RUNNING_BUILT = import.meta.url.endsWith('.js');
