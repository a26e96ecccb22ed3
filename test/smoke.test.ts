// The whole chain in one file: installed binaries, spawned servers on free ports, real
// clients (memjs and ioredis, the drivers the product builds on), and stop by PID.
import { Redis } from 'ioredis';
import memjs from 'memjs';
import { afterEach, describe, expect } from 'vitest';
import { fleetTest } from '@shardcache/chaos/vitest';

const it = fleetTest({ memcached: 3, redis: 3 });
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('smoke: a 3 + 3 fleet', () => {
  it('sets and gets a key on every memcached server through memjs', async ({ fleet }) => {
    expect(fleet.memcached).toHaveLength(3);
    for (const server of fleet.memcached) {
      const client = memjs.Client.create(server.address, { retries: 0, timeout: 2, logger: { log: () => undefined } });
      closers.push(async () => client.close());
      const key = `smoke:${server.port}`;
      await client.set(key, `value from ${server.address}`, { expires: 60 });
      const { value } = await client.get(key);
      expect(value?.toString()).toBe(`value from ${server.address}`);
    }
  });

  it('sets and gets a key on every redis server through ioredis', async ({ fleet }) => {
    expect(fleet.redis).toHaveLength(3);
    for (const server of fleet.redis) {
      const client = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      closers.push(() => client.quit());
      const key = `smoke:${server.port}`;
      await client.set(key, `value from ${server.address}`, 'EX', 60);
      expect(await client.get(key)).toBe(`value from ${server.address}`);
    }
  });

  it('keeps each server its own: a key written to one is absent from the others', async ({ fleet }) => {
    const [first, ...others] = fleet.redis;
    if (first === undefined) throw new Error('fleet has no redis server');
    const clients = fleet.redis.map((server) => new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 0 }));
    for (const client of clients) closers.push(() => client.quit());
    await clients[0]?.set('smoke:only-on-first', first.address);
    const seen = await Promise.all(clients.map((client) => client.get('smoke:only-on-first')));
    expect(seen).toEqual([first.address, ...others.map(() => null)]);
  });
});
