import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { ENV_KEYS } from '../../src/config/env-schema.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

// The configuration documents are checked against the schema, so they cannot drift from it.
describe('configuration documents', () => {
  const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it.each(ENV_KEYS)('%s is in .env.example and the README table', (key) => {
    expect(example).toMatch(new RegExp(`^${key}=`, 'm'));
    expect(readme).toContain(`| \`${key}\``);
  });

  it('.env.example, used as .env, gives exactly the defaults', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 't5g-example-'));
    try {
      copyFileSync(path.join(ROOT, '.env.example'), path.join(dir, '.env'));
      const fromExample = loadConfig({ env: {}, cwd: dir });
      const defaults = loadConfig({ env: {}, cwd: dir, dotEnv: false });
      expect(fromExample).toEqual(defaults);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
