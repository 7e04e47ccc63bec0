// Run by `npm ci` / `npm install` through scripts/prepare.mjs: builds the dashboard UI and the
// PGlite template ahead of the first start (src/cli/prepare.ts).
import { prepareAheadOfStart } from '../src/cli/prepare.js';
import { createLogger } from '../src/lib/logger.js';

const started = Date.now();
await prepareAheadOfStart(createLogger('warn'));
console.log(
  `prepare: dashboard UI and PGlite template ready (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
