import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The browser code and the shared module stay browser-safe: the UI imports only from src/ui and
// src/shared (and packages), the shared module only from itself and zod.

const ROOT = path.resolve(import.meta.dirname, '../..');
const SOURCE = /\.(ts|tsx)$/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** Every module specifier a file imports or re-exports from. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'|import\s+'([^']+)'/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
}

/** Imports of `dir`'s files that resolve outside the allowed folders (packages pass `allowPackage`). */
function strayImports(dir: string, allowed: string[], allowPackage: (name: string) => boolean) {
  return sources(path.join(ROOT, dir)).flatMap((file) =>
    importsOf(file)
      .filter((spec) => {
        if (!spec.startsWith('.')) return !allowPackage(spec);
        const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
        return !allowed.some((a) => target === a || target.startsWith(`${a}/`));
      })
      .map((spec) => `${path.relative(ROOT, file)} → ${spec}`),
  );
}

describe('module boundaries', () => {
  it('src/ui imports only from src/ui, src/shared and browser packages', () => {
    expect(strayImports('src/ui', ['src/ui', 'src/shared'], (name) => !name.startsWith('node:'))).toEqual([]);
  });

  it('src/shared imports only from itself and zod', () => {
    expect(strayImports('src/shared', ['src/shared'], (name) => name === 'zod')).toEqual([]);
  });
});
