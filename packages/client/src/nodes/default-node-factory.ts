import type { NodeFactory } from '../client-options.js';
import type { CacheNode } from './cache-node.js';
import { createMemjsNode } from './memjs-node.js';
import { createRedisNode } from './redis-node.js';

/** The node for an address when the user supplies no factory: ioredis for redis, memjs for memcached. */
export function defaultNodeFactory(...[address, { backend, options }]: Parameters<NodeFactory>): CacheNode {
  const { connection } = options;
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
      ...(connection.autoPipelining === undefined ? {} : { autoPipelining: connection.autoPipelining }),
    });
  }
  return createMemjsNode({ id: address.id, host: address.host, port: address.port, ...credentials });
}
