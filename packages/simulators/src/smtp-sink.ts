/**
 * SMTP sink: accepts every mail (no TLS, no auth, like the plain port-25 relay the original
 * used) and keeps it in the state so tests and the /_sim/mail endpoint can read it back.
 */
import { SMTPServer } from 'smtp-server';
import type { Counters } from './counters.js';
import { parseMail } from './mime.js';
import type { SimulatorState } from './state.js';

export interface SmtpSink {
  port: number;
  close(): Promise<void>;
}

export async function startSmtpSink(
  state: SimulatorState,
  counters: Counters,
  host: string,
  port: number,
): Promise<SmtpSink> {
  let nextId = 1;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 't5g simulator SMTP sink',
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        counters.request('smtp', 'DATA');
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = parseMail(raw);
        const from = session.envelope.mailFrom;
        state.mail.push({
          id: nextId++,
          receivedAt: new Date(state.now()).toISOString(),
          envelope: {
            from: from ? from.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          headers: parsed.headers,
          subject: parsed.headers.subject ?? '',
          from: parsed.headers.from ?? '',
          to: parsed.headers.to ?? '',
          text: parsed.text,
          ...(parsed.html !== undefined ? { html: parsed.html } : {}),
          raw,
        });
        counters.write('smtp', 'DATA');
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    port: actualPort,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
