import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/**
 * Sends `request` to 127.0.0.1:port once and resolves true when the reply starts with
 * `reply`; false on refusal, reset, a wrong reply or after `timeoutMs`. With `tls`, the
 * connection is TLS and the server's certificate is not verified (it is our own).
 */
export function probeOnce(port: number, request: string, reply: string, timeoutMs: number, tls = false): Promise<boolean> {
  return new Promise((resolve) => {
    let received = '';
    const socket: Socket = tls
      ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(request, 'latin1'))
      : connect({ host: '127.0.0.1', port }, () => socket.write(request, 'latin1'));
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.length >= reply.length) finish(received.startsWith(reply));
    });
    socket.once('end', () => finish(false));
  });
}
