import { createMemcachedNode, createRedisNode, parseNodeSpec, type CacheNode } from '@shardcache/client';
import type { Backend } from './options.js';

/** A node that only asks a server for its own counters (stats, INFO), for the fleet views. */
export function statsNode(backend: Backend, server: string, option = '--servers'): CacheNode {
  const address = parseNodeSpec(server, option);
  const options = { id: address.id, host: address.host, port: address.port, connectTimeoutMs: 1000 };
  return backend === 'redis' ? createRedisNode(options) : createMemcachedNode({ ...options, maxReconnectDelayMs: 200 });
}

/** A counter as a number; undefined when absent or not a number. */
export function counter(text: string | undefined): number | undefined {
  return text === undefined || text === '' || Number.isNaN(Number(text)) ? undefined : Number(text);
}

/** Keys stored on the server, from its own counters (memcached `curr_items`, redis `db0:keys=`). */
export function storedKeys(backend: Backend, stats: Readonly<Record<string, string>>): number | undefined {
  return backend === 'redis' ? counter(/keys=(\d+)/.exec(stats['db0'] ?? 'keys=0')?.[1]) : counter(stats['curr_items']);
}
