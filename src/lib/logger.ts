import { pino } from 'pino';
import pretty from 'pino-pretty';

export type Logger = pino.Logger;

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Secrets can reach a log line through request objects, upstream call options, error objects or
 * a config section; pino replaces these paths (one level of nesting per `*`) before the line is
 * written, in either format.
 */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'offlineToken',
  'refreshToken',
  'password',
  'secret',
  'clientSecret',
  'sessionSecret',
  'metricsToken',
  'apiKey',
  'webhookSecret',
  'cookie',
  'authorization',
];
const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  '["set-cookie"]',
  '["x-api-key"]',
];
const under = (prefix: string, h: string) => (h.startsWith('[') ? `${prefix}${h}` : `${prefix}.${h}`);
export const REDACT = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
  ...SECRET_HEADERS.flatMap((h) => [under('headers', h), under('*.headers', h), under('*.*.headers', h)]),
];

/** What the pretty format shows in front of the message instead of as fields. */
const SCOPE_KEYS = ['role', 'worker', 'component', 'job', 'upstream'] as const;
/** Shown on their own line(s) after the message. */
const URL_KEY = 'url';
/** pino's own fields (the pretty line has time and level in front). */
const HIDDEN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'name',
  'msg',
  'v',
  URL_KEY,
  'err',
  ...SCOPE_KEYS,
]);

const fieldText = (v: unknown) =>
  typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v);

/**
 * One readable line per record: `[role component job] message key=value …`, then the error's
 * stack and a URL to open on lines of their own. Every key appears once.
 */
export function prettyMessage(log: Record<string, unknown>): string {
  const scope = SCOPE_KEYS.map((k) => log[k])
    .filter((v) => v !== undefined && v !== null && v !== '')
    .join(' ');
  const fields = Object.entries(log)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${fieldText(v)}`)
    .join(' ');
  let text = `${scope ? `[${scope}] ` : ''}${String(log.msg ?? '')}${fields ? `  ${fields}` : ''}`;
  const err = log.err as { message?: string; stack?: string } | string | undefined;
  if (typeof err === 'string') text += `\n    ${err}`;
  else if (err) text += `\n    ${(err.stack ?? err.message ?? JSON.stringify(err)).replace(/\n/g, '\n    ')}`;
  if (typeof log[URL_KEY] === 'string') text += `\n\n    ${log[URL_KEY]}\n`;
  return text;
}

export interface LoggerOptions {
  level?: string;
  /** `auto`: pretty when the destination is a terminal, JSON otherwise. */
  format?: LogFormat;
  name?: string;
  /** 2 for commands whose stdout is their answer. */
  fd?: 1 | 2;
  /**
   * Demo mode: the upstreams are simulators that inject faults on purpose, so a warning or error
   * from an upstream connector says it is simulated (text and a `simulated` field).
   */
  demo?: boolean;
}

export const SIMULATED_NOTE = '(simulated: the demo upstreams inject this fault on purpose)';

/** Pretty or JSON, as asked or as the destination suggests. */
export function resolvedFormat(format: LogFormat, fd: 1 | 2): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return (fd === 1 ? process.stdout : process.stderr).isTTY ? 'pretty' : 'json';
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const fd = opts.fd ?? 1;
  const options: pino.LoggerOptions = {
    name: opts.name ?? 't5g',
    level: opts.level ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
  };
  if (opts.demo) {
    options.hooks = {
      logMethod(args, method, level) {
        const fromUpstream =
          'upstream' in this.bindings() ||
          (typeof args[0] === 'object' && args[0] !== null && 'upstream' in args[0]);
        if (level < 40 || !fromUpstream) return method.apply(this, args);
        const [first, ...rest] = args;
        if (typeof first === 'string')
          return method.apply(this, [{ simulated: true }, `${first} ${SIMULATED_NOTE}`]);
        const [msg, ...more] = rest;
        const text = typeof msg === 'string' ? `${msg} ${SIMULATED_NOTE}` : SIMULATED_NOTE;
        return method.apply(this, [{ ...(first as object), simulated: true }, text, ...more]);
      },
    };
  }
  if (resolvedFormat(opts.format ?? 'auto', fd) === 'pretty') {
    const tty = (fd === 1 ? process.stdout : process.stderr).isTTY;
    return pino(
      options,
      pretty({
        destination: fd,
        sync: true,
        colorize: Boolean(tty),
        translateTime: 'SYS:HH:MM:ss',
        hideObject: true,
        ignore: 'pid,hostname,name',
        messageFormat: (log) => prettyMessage(log),
      }),
    );
  }
  return fd === 1 ? pino(options) : pino(options, pino.destination({ fd, sync: true }));
}

/** A logger that drops everything, for tests and library defaults. */
export const silentLogger: Logger = pino({ level: 'silent' });
