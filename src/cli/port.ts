import { createServer } from 'node:net';

/** The web port is taken: said in one line at once, instead of a listen error after start-up. */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(host: string, port: number, variable = 'PORT') {
    super(
      `port ${port} on ${host} is already in use; stop what listens there or set ${variable} to another port`,
    );
  }
}

/**
 * Fails fast when `host:port` cannot be bound, before start-up spends seconds on the simulators,
 * the database and migrations. The real listen still reports a port taken in between.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(host, port) : err),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Maps a listen error to PortInUseError where it is one. */
export function listenError(err: unknown, host: string, port: number, variable = 'PORT'): unknown {
  return (err as NodeJS.ErrnoException)?.code === 'EADDRINUSE'
    ? new PortInUseError(host, port, variable)
    : err;
}
