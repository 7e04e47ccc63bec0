import net from 'node:net';

/**
 * A TCP proxy a test can cut and restore, to make a real service unreachable mid-test without
 * stopping the shared server other suites use.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  // While stalled, bytes are held in order instead of forwarded: connections stay open and
  // nothing answers, as with a paused (SIGSTOP) server.
  let stalled = false;
  const held: [net.Socket, Buffer][] = [];
  const forward = (to: net.Socket) => (chunk: Buffer) => {
    if (stalled) held.push([to, chunk]);
    else to.write(chunk);
  };
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.on('data', forward(upstream));
        upstream.on('data', forward(client));
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    /** Closes the listener and every open connection: the service looks down. */
    async cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = undefined;
    },
    /** Holds every byte in both directions, keeping the connections open: the service hangs. */
    stall() {
      stalled = true;
    },
    /** Delivers what was held, in order, and forwards again. */
    unstall() {
      stalled = false;
      for (const [to, chunk] of held.splice(0)) if (!to.destroyed) to.write(chunk);
    },
    /** Listens again on the same port. */
    restore: listen,
    close() {
      return this.cut();
    },
  };
}
