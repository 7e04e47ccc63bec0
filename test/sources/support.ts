import { pino } from 'pino';
import { type Config, loadConfig } from '../../src/config/config.js';
import type { Logger } from '../../src/lib/logger.js';

/** A debug-level logger that keeps every line, to assert on (and to check no secret is ever logged). */
export function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

/** A `Config` from explicit variables only (no .env, no process.env). */
export function testConfig(env: Record<string, string | undefined>): Config {
  return loadConfig({ env: { DEMO_MODE: 'auto', ...env }, dotEnv: false });
}

/** A JSON response for fake fetch functions. */
export function json(
  body: unknown,
  init: { status?: number; headers?: Record<string, string> } = {},
): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
}
