import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';

/** Where a memcached connection goes: plain TCP, or TLS with these options. */
export interface DialTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsOptions | undefined;
}

/**
 * Opens a socket to the server, with Nagle off (requests are already batched per tick).
 * Returns the socket and the event that says it is usable: 'connect', or 'secureConnect'
 * once the TLS handshake (and certificate check) has passed.
 */
export function dial(target: DialTarget): { socket: Socket; ready: 'connect' | 'secureConnect' } {
  const { host, port, tls } = target;
  const socket = tls === undefined ? connectTcp({ host, port }) : connectTls({ ...tls, host, port });
  socket.setNoDelay(true);
  return { socket, ready: tls === undefined ? 'connect' : 'secureConnect' };
}
