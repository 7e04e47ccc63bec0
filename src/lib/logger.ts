import { pino } from 'pino';

export type Logger = pino.Logger;

// Secrets can reach a log line through request options or error objects; pino removes these paths.
const REDACT = [
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'offlineToken',
  '*.offlineToken',
  'apiKey',
  '*.apiKey',
];

export function createLogger(level: string = 'info', name = 't5g'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } });
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
