// The item size limit comes from the servers' own settings (or the option, whichever is lower),
// is checked after compression and before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { createMemcachedNode } from '../src/nodes/memcached-node.js';
import { createRedisNode } from '../src/nodes/redis-node.js';

const MEMCACHED_ITEM_MAX = 512 * 1024;
const REDIS_BULK_MAX = 1024 * 1024;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 1, redis: 1, memcachedOptions: { maxItemSizeBytes: MEMCACHED_ITEM_MAX }, redisOptions: { maxItemSizeBytes: REDIS_BULK_MAX } });
});
afterAll(() => fleet.stop());

describe('the servers say how large a value may be', () => {
  it('memcached: item_size_max from `stats settings`, less the item overhead under the longest key', async () => {
    const server = fleet.memcached[0] as FleetNode;
    const node = createMemcachedNode({ id: server.address, host: server.host, port: server.port });
    try {
      const limit = await node.maxValueBytes?.();
      expect(limit).toBe(MEMCACHED_ITEM_MAX - 250 - 64);
      // The limit is safe: a value of exactly that size under a 250-byte key is stored.
      const longKey = 'k'.repeat(250);
      await node.set(longKey, Buffer.alloc(limit ?? 0, 1), 0, 60);
      expect((await node.get(longKey))?.value.length).toBe(limit);
      // And it is tight: the server refuses a value as large as the whole item limit.
      await expect(node.set('whole', Buffer.alloc(MEMCACHED_ITEM_MAX, 1), 0, 60)).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE' });
    } finally {
      await node.close();
    }
  });

  it('redis: proto-max-bulk-len from CONFIG GET', async () => {
    const server = fleet.redis[0] as FleetNode;
    const node = createRedisNode({ id: server.address, host: server.host, port: server.port });
    try {
      expect(await node.maxValueBytes?.()).toBe(REDIS_BULK_MAX);
    } finally {
      await node.close();
    }
  });
});
