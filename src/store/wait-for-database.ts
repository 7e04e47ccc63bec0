import pg from 'pg';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { describePgUrl } from './db.js';

export class DatabaseUnavailableError extends Error {
  constructor(location: string, seconds: number, last: string) {
    super(
      `PostgreSQL at ${location} did not answer within ${seconds} s (last error: ${last}). Check DATABASE_URL.`,
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * Waits for a configured PostgreSQL to accept connections, with bounded exponential backoff and a
 * log line per attempt, instead of crashing when the app starts before its database (as happens
 * when every service of a deployment starts at once).
 */
export async function waitForDatabase(
  url: string,
  opts: { maxWaitSeconds: number; logger: Logger; sleep?: (ms: number) => Promise<void> },
): Promise<void> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const location = describePgUrl(url);
  const deadline = Date.now() + opts.maxWaitSeconds * 1000;
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      if (attempt > 1) opts.logger.info({ location, attempt }, 'PostgreSQL is reachable');
      return;
    } catch (err) {
      const message = errorMessage(err);
      if (Date.now() + delay > deadline) {
        throw new DatabaseUnavailableError(location, opts.maxWaitSeconds, message);
      }
      opts.logger.warn({ location, attempt, retryInMs: delay, err: message }, 'waiting for PostgreSQL');
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
