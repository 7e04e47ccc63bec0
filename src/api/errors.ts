// What an error thrown while answering a request becomes. Validation failures and Fastify's own
// client errors keep their 4xx; PostgreSQL's "data exception" class (SQLSTATE 22xxx: a value it
// cannot take, e.g. a NUL byte 22021, an impossible date 22008, a number out of range 22003, bad
// text for a type 22P02) can only come from a value the request carried, so it is a 400 as well —
// a safety net behind the schemas' own bounds, logged as a warning so a gap in them gets noticed.
// A database that cannot be reached (stopped, restarting, connections refused) is a 503 with
// Retry-After: nothing is wrong with the request, and it will work again shortly.

import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../store/unavailable.js';

export interface ErrorAnswer {
  status: number;
  message: string;
  /** A client error that reached the database: worth a warning, never an error line. */
  logAsWarning: boolean;
  code?: string;
  /** Sent as Retry-After: the client should try again after this many seconds. */
  retryAfterSeconds?: number;
}

export const databaseUnavailableMessage = (what = '') =>
  `${what}the database is unavailable; try again in ${DATABASE_RETRY_AFTER_SECONDS} s`;

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function errorAnswer(err: Error & { statusCode?: unknown; code?: unknown }): ErrorAnswer {
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code && SQLSTATE.test(code) && code.startsWith('22'))
    return { status: 400, message: `invalid parameter value: ${err.message}`, logAsWarning: true, code };
  if (isDatabaseUnavailable(err))
    return {
      status: 503,
      message: databaseUnavailableMessage(),
      logAsWarning: true,
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) return { status, message: err.message, logAsWarning: false };
  return {
    status: status >= 500 && status < 600 ? status : 500,
    message: 'Internal Server Error',
    logAsWarning: false,
  };
}
