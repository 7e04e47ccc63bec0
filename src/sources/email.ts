import nodemailer from 'nodemailer';
import type { Config } from '../config/config.js';
import { resolveDeps } from './deps.js';
import { UpstreamConfigError, UpstreamError } from './errors.js';
import { assertWritePermit, createWriteGuard, type WriteOutcome } from './read-only.js';
import { runWithRetries } from './retry.js';
import type { SourceDeps } from './types.js';

// Alert mail over SMTP (nodemailer). Plain text only, and every message is marked
// `Auto-Submitted: auto-generated` (RFC 3834) so vacation responders do not answer it.

export interface OutgoingMail {
  /** Defaults to `config.email.to`. */
  to?: string[];
  /** Defaults to `config.email.subject`. */
  subject?: string;
  text: string;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

export interface EmailClient {
  send(mail: OutgoingMail): Promise<WriteOutcome<SentMail>>;
  close(): void;
}

/** SMTP codes meaning the connection never got as far as a transaction, so nothing was sent. */
const NOT_SENT_CODES = new Set(['ECONNECTION', 'ECONNREFUSED', 'EDNS']);

export function createEmailClient(config: Pick<Config, 'email' | 'readOnly'>, deps: SourceDeps): EmailClient {
  const { email } = config;
  const resolved = resolveDeps(deps, 'email');
  const { logger, metrics } = resolved;
  const guard = createWriteGuard({ upstream: 'email', readOnly: config.readOnly, logger, metrics });
  const timeout = resolved.policy.timeoutMs;
  // Private to this module: only used inside a `guard.write` callback.
  const transport = nodemailer.createTransport({
    host: email.smtpHost,
    port: email.smtpPort,
    secure: email.secure,
    ...(email.user ? { auth: { user: email.user, pass: email.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });

  return {
    async send(mail) {
      const to = mail.to ?? email.to;
      if (to.length === 0) throw new UpstreamConfigError('email', 'no recipients (EMAIL_TO is empty)');
      const subject = mail.subject ?? email.subject;
      return guard.write('sendMail', { to, subject }, async (permit) => {
        assertWritePermit(permit, 'email');
        return runWithRetries(
          {
            upstream: 'email',
            method: 'SMTP',
            path: `${email.smtpHost}:${email.smtpPort}`,
            idempotent: false,
            policy: resolved.policy,
            clock: resolved.clock,
            random: resolved.random,
            logger,
            metrics,
          },
          async () => {
            const started = performance.now();
            try {
              const info = await transport.sendMail({
                from: email.from,
                to,
                subject,
                text: mail.text,
                headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
              });
              metrics.request({
                upstream: 'email',
                method: 'SMTP',
                outcome: 250,
                durationMs: Math.round(performance.now() - started),
              });
              return {
                messageId: info.messageId,
                accepted: info.accepted.map(String),
                rejected: info.rejected.map(String),
              };
            } catch (err) {
              const code = (err as { code?: unknown }).code;
              const responseCode = (err as { responseCode?: unknown }).responseCode;
              const failure = new UpstreamError({
                upstream: 'email',
                kind: typeof responseCode === 'number' ? 'http' : 'network',
                ...(typeof responseCode === 'number' ? { status: responseCode } : {}),
                method: 'SMTP',
                path: `${email.smtpHost}:${email.smtpPort}`,
                detail: typeof code === 'string' ? code : (err as Error).message,
                refused: typeof code === 'string' && NOT_SENT_CODES.has(code),
                cause: err,
              });
              metrics.request({
                upstream: 'email',
                method: 'SMTP',
                outcome: typeof responseCode === 'number' ? responseCode : 'network',
                durationMs: Math.round(performance.now() - started),
              });
              throw failure;
            }
          },
        );
      });
    },
    close: () => transport.close(),
  };
}
