import { usesTls, type NodeFactory } from '../client-options.js';
import type { CacheNode } from './cache-node.js';
import { createMemcachedNode } from './memcached-node.js';
import { createMemjsNode } from './memjs-node.js';
import { createRedisNode } from './redis-node.js';

/**
 * The node for an address when the user supplies no factory: ioredis for redis; for memcached
 * our meta-protocol node (faster than memjs in every workload measured, with flags, CAS, TLS,
 * text-protocol login and key scanning), or memjs when SASL credentials are given without TLS
 * (the meta protocol has no SASL) or `connection.memcachedDriver` asks for it.
 */
export function defaultNodeFactory(...[address, { backend, options }]: Parameters<NodeFactory>): CacheNode {
  // The client's clock drives every timer of ours (the drivers' own timers run on real time),
  // so a test on a manual clock leaves no real timer behind.
  const { connection, clock } = options;
  const credentials = {
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: connection.connectTimeoutMs }),
  };
  if (backend === 'redis') {
    return createRedisNode({
      id: address.id,
      host: address.host,
      port: address.port,
      ...credentials,
      ...(connection.tls === undefined ? {} : { tls: connection.tls }),
      ...(connection.db === undefined ? {} : { db: connection.db }),
      ...(connection.autoPipelining === undefined ? {} : { autoPipelining: connection.autoPipelining }),
      // As for memcached below: health does the long waits, the node only a short pause.
      maxReconnectDelayMs: 250,
      clock,
    });
  }
  // Credentials over plain TCP: SASL through memjs (memcached -S), unless the meta node is
  // asked for. Over TLS (or with the meta node): memcached's text-protocol login (-Y), since
  // memjs has no TLS (client-options refuses memjs with TLS).
  const credentialed = connection.username !== undefined || connection.password !== undefined;
  const sasl = credentialed && !usesTls(connection) && connection.memcachedDriver !== 'meta';
  if (sasl || connection.memcachedDriver === 'memjs') return createMemjsNode({ id: address.id, host: address.host, port: address.port, ...credentials, now: () => clock.now() });
  return createMemcachedNode({
    id: address.id,
    host: address.host,
    port: address.port,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    // Health ejects a failing node and probes it back: the node itself only needs a short pause
    // between reconnects, so a probe after a fault finds a fresh connection.
    maxReconnectDelayMs: 250,
    ...(connection.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: connection.connectTimeoutMs }),
    ...(connection.tls === undefined ? {} : { tls: connection.tls }),
    clock,
  });
}
