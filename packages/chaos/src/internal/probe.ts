import { connect } from 'node:net';

/**
 * Sends `request` to 127.0.0.1:port once and resolves true when the reply starts with
 * `reply`; false on refusal, reset, a wrong reply or after `timeoutMs`.
 */
export function probeOnce(port: number, request: string, reply: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let received = '';
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.length >= reply.length) finish(received.startsWith(reply));
    });
    socket.once('end', () => finish(false));
  });
}
