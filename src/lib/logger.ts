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
  'webhookSecret',
  '*.webhookSecret',
];

/** A JSON logger; `fd` 2 for commands whose stdout is their answer. */
export function createLogger(level: string = 'info', name = 't5g', fd: 1 | 2 = 1): Logger {
  const options = { name, level, redact: { paths: REDACT, censor: '[redacted]' } };
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
