import { Redis } from 'ioredis';
import memjs from 'memjs';
import type { ServerKind } from '@shardcache/chaos';

/**
 * The two calls the demo needs from one server. A stand-in until `ShardedClient` exists:
 * the demo routes with the ring and talks to each node through its driver directly.
 */
export interface KeyValueStore {
  set(key: string, value: string): Promise<void>;
  get(key: string): Promise<string | null>;
  close(): Promise<void>;
}

const TTL_SECONDS = 300;

export function openStore(kind: ServerKind, host: string, port: number): KeyValueStore {
  return kind === 'redis' ? redisStore(host, port) : memcachedStore(host, port);
}

function redisStore(host: string, port: number): KeyValueStore {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: true });
  return {
    set: async (key, value) => {
      await client.set(key, value, 'EX', TTL_SECONDS);
    },
    get: (key) => client.get(key),
    close: async () => {
      await client.quit();
    },
  };
}

function memcachedStore(host: string, port: number): KeyValueStore {
  const client = memjs.Client.create(`${host}:${port}`, { retries: 0, timeout: 2, logger: { log: () => undefined } });
  return {
    set: async (key, value) => {
      await client.set(key, value, { expires: TTL_SECONDS });
    },
    get: async (key) => (await client.get(key)).value?.toString() ?? null,
    close: async () => {
      client.close();
    },
  };
}
