#!/usr/bin/env node
// Entry point for the `t5g` command. In a development checkout (the TypeScript sources are here) it
// runs them through tsx, so there is no build step between `npm ci` and a working command; in a
// production install (`npm run package`: compiled output only, no tsx) it runs the compiled server.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/server/cli/main.js');
}
