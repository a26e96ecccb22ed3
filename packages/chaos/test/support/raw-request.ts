import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** How a raw request ended: the bytes received, and why it ended. */
export interface RawReply {
  readonly text: string;
  readonly bytes: Buffer;
  /** "reply" once `until` matched; otherwise "timeout", "closed" (FIN) or the socket error's code. */
  readonly outcome: string;
  readonly ms: number;
}

export interface RawRequestOptions {
  /** Resolve as soon as the bytes received satisfy this. Default: a line ending in \r\n. */
  readonly until?: (received: Buffer) => boolean;
  readonly timeoutMs?: number;
  /** PEM certificate to trust: connect with TLS. */
  readonly ca?: string;
}

/** Sends one request over a fresh connection to 127.0.0.1:port and collects the reply. */
export function rawRequest(port: number, request: string | Buffer, options: RawRequestOptions = {}): Promise<RawReply> {
  const until = options.until ?? ((received: Buffer) => received.includes('\r\n'));
  const started = performance.now();
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket: Socket =
      options.ca === undefined
        ? connect({ host: '127.0.0.1', port }, () => socket.write(request))
        : connectTls({ host: '127.0.0.1', port, ca: options.ca }, () => socket.write(request));
    const finish = (outcome: string): void => {
      socket.destroy();
      resolve({ text: received.toString('latin1'), bytes: received, outcome, ms: performance.now() - started });
    };
    socket.setTimeout(options.timeoutMs ?? 2000, () => finish('timeout'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? 'error'));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (until(received)) finish('reply');
    });
    socket.on('end', () => finish('closed'));
  });
}
