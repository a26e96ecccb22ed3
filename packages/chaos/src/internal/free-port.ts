import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on 127.0.0.1. Another process may take it before the
 * server binds it, so callers retry with a new port when a server fails to listen.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('listen() returned no port'));
      });
    });
  });
}
