/**
 * Port helpers. The stand-ins listen on 127.0.0.1 only (DynamoDB Local cannot be told so: it binds every
 * interface, which is why callers send it traffic on 127.0.0.1 and use a random port).
 */
import net from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read the port, close). Another
 * process can still take it before the caller binds: callers that spawn a server retry on failure.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`Could not read the port bound on ${host}`));
        return;
      }
      server.close((closeError) => (closeError ? reject(closeError) : resolve(address.port)));
    });
  });
}

/** Resolve if `port` can be bound on `host` right now; reject with a clear message if it is taken. */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on ${host} is already in use (a leftover emulator? \`ss -ltnp | grep ${port}\`)`,
              {
                cause: error,
              },
            )
          : error,
      );
    });
    server.listen({ host, port, exclusive: true }, () =>
      server.close((closeError) => (closeError ? reject(closeError) : resolve())),
    );
  });
}
