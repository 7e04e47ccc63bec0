import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import { createUpstreams, type Upstreams } from '../sources/index.js';
import { startDemoUpstreams } from './demo.js';

/**
 * The upstream connectors for a one-shot command (`sprint-summary`, `watchers`). In demo mode (no
 * upstream credentials) the built-in simulators start for the command's lifetime, as they do for
 * `t5g start`, so the command answers from the demo data instead of failing on a missing URL. Log
 * lines go to stderr: stdout carries the command's answer.
 */
export async function withToolUpstreams<T>(
  component: string,
  run: (config: Config, upstreams: Upstreams) => Promise<T>,
): Promise<T> {
  let config = loadConfig();
  const logger = createLogger({
    level: config.server.logLevel === 'info' ? 'warn' : config.server.logLevel,
    format: config.server.logFormat,
    fd: 2,
    demo: config.demo.enabled,
  }).child({ component });
  let closeDemo = async () => {};
  if (config.demo.enabled) {
    process.stderr.write('t5g: demo mode: answering from the built-in simulators’ generated data\n');
    const demo = await startDemoUpstreams(config, logger, { quiet: true, anyPort: true });
    config = demo.config;
    closeDemo = demo.close;
  }
  const up = createUpstreams(config, { logger });
  try {
    return await run(config, up);
  } finally {
    up.close();
    await closeDemo();
  }
}
