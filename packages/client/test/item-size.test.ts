// The item size limit comes from the servers' own settings (or the option, whichever is lower),
// is checked after compression and before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';
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

describe.each([
  ['memcached', MEMCACHED_ITEM_MAX - 250 - 64, 'memcached'],
  ['redis', REDIS_BULK_MAX, 'redis'],
] as const)('a %s client learns the server limit', (backend, serverLimit, _kind) => {
  it('refuses a larger value before sending it, naming the server setting; compressible values are measured compressed', async () => {
    const server = (backend === 'redis' ? fleet.redis[0] : fleet.memcached[0]) as FleetNode;
    // The option alone would allow 4 MiB: the server's lower limit must win once it is known.
    const client = new ShardedClient({ backend, nodes: [server.address], maxValueBytes: 4 * 1024 * 1024, defaultTtl: 60 });
    try {
      await client.ping();
      const tooLarge = randomBytes(serverLimit + 1);
      // The limit is asked for after the node's first answer (the ping).
      await expect.poll(() => client.stats.nodes[server.address]?.maxValueBytes, { timeout: 5000, interval: 10 }).toBe(serverLimit);
      const sent = client.stats.nodes[server.address]?.bytesOut;
      const refusal = client.set('too-large', tooLarge);
      await expect(refusal).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE', size: serverLimit + 1, limit: serverLimit });
      await expect(refusal).rejects.toThrow(`the limit is ${serverLimit} (the server setting of node ${server.address})`);
      await expect(client.setMany([{ key: 'too-large', value: tooLarge }], { throwOnPartialFailure: true })).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE' });
      expect(client.stats.nodes[server.address]?.bytesOut).toBe(sent);
      expect(await client.get('too-large')).toBeUndefined();
      // Checked after compression: twice the limit of one repeated byte compresses far below it.
      const compressible = Buffer.alloc(2 * serverLimit, 0x61);
      await client.set('compressible', compressible);
      // (Buffer#equals: a deep toEqual over megabytes takes seconds.)
      expect((await client.get<Buffer>('compressible'))?.equals(compressible)).toBe(true);
      // And a value at the limit is stored.
      const atLimit = randomBytes(serverLimit);
      await client.set('at-limit', atLimit);
      expect((await client.get<Buffer>('at-limit'))?.equals(atLimit)).toBe(true);
    } finally {
      await client.destroy();
    }
  });
});
