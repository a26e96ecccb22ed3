import { connect } from 'node:net';
import type { ProbeFunction } from '@shardcache/health';

/** Where a node id points now: a restarted server comes back on another port, same id. */
export interface ProbeTarget {
  readonly kind: 'memcached' | 'redis';
  readonly host: string;
  readonly port: number;
}

const EXCHANGE = {
  memcached: { request: 'version\r\n', reply: 'VERSION' },
  redis: { request: 'PING\r\n', reply: '+PONG' },
} as const;

/**
 * The probe the client will supply through its node adapters, reduced to a socket: memcached
 * `version` -> `VERSION`, redis `PING` -> `+PONG`. A new connection per probe, so a dead or
 * stopped server is seen as such, not as a stale pooled connection.
 */
export function tcpProbe(targets: ReadonlyMap<string, ProbeTarget>): ProbeFunction {
  return (node, signal) =>
    new Promise<void>((resolve, reject) => {
      const target = targets.get(node);
      if (target === undefined) {
        reject(new Error(`no target for ${node}`));
        return;
      }
      const { request, reply } = EXCHANGE[target.kind];
      const socket = connect({ host: target.host, port: target.port });
      let received = '';
      let settled = false;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        if (error === undefined) resolve();
        else reject(error);
      };
      const onAbort = (): void => finish(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.setEncoding('utf8');
      socket.once('connect', () => socket.write(request));
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('\r\n')) finish(received.startsWith(reply) ? undefined : new Error(`unexpected reply: ${received.trim()}`));
      });
      socket.once('error', finish);
      socket.once('close', () => finish(new Error('connection closed before the reply')));
    });
}
