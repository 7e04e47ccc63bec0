import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureUiBuilt, UI_DIST, uiSourceHash } from '../../src/cli/ui-build.js';

// `npm start` on a fresh clone has no dist/ui: start-up builds it, and skips the build when the
// sources have not changed since.

describe('UI build on start', () => {
  it('builds dist/ui stamped with the source hash, and reuses it while the sources are unchanged', async () => {
    const dir = await ensureUiBuilt();
    expect(dir).toBe(UI_DIST);
    const index = await readFile(path.join(dir, 'index.html'), 'utf8');
    const scripts = [...index.matchAll(/src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) {
      expect(existsSync(path.join(dir, 'assets', s))).toBe(true);
      // React's production build even under vitest's NODE_ENV=test (no development JSX runtime).
      expect(await readFile(path.join(dir, 'assets', s), 'utf8')).not.toContain('jsxDEV');
    }
    expect(await readFile(path.join(dir, '.source-hash'), 'utf8')).toBe(await uiSourceHash());

    const before = (await stat(path.join(dir, 'index.html'))).mtimeMs;
    await Promise.all([ensureUiBuilt(), ensureUiBuilt()]);
    expect((await stat(path.join(dir, 'index.html'))).mtimeMs).toBe(before);
  });
});
