// close() and destroy() resolve once every connection is closed: a caller that counts sockets
// right after (a leak check, a process about to fork) finds none. Found by the nemesis: a redis
// client's close() resolved with its 4 sockets still open (QUIT's reply comes before the close).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocketsTo, startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 2, redis: 2, proxy: false });
});
afterAll(() => fleet.stop());

describe.each(['memcached', 'redis'] as const)('a %s client', (backend) => {
  it.each(['close', 'destroy'] as const)('holds no connection once %s() resolves', async (end) => {
    const nodes = backend === 'redis' ? fleet.redis : fleet.memcached;
    const client = new ShardedClient({ backend, nodes: nodes.map((node) => node.address) });
    const sockets = (): number => openSocketsTo(nodes.map((node) => node.port));
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.set(`close:${end}:${i}`, 'v')));
    expect(sockets()).toBeGreaterThanOrEqual(2);
    await client[end]();
    expect(sockets()).toBe(0);
  });
});
