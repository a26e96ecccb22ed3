// TTLs have a checked range, found on the real servers (memcached 1.6, redis 7) and tested at
// both edges: what a server would store as already expired is refused before anything is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient } from '../src/index.js';
import { serverTtl } from './support/raw-command.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 1, redis: 1 });
});
afterAll(() => fleet.stop());

const THIRTY_DAYS = 30 * 24 * 3600;
const LAST_UNIX_TIME = 2 ** 31 - 1;

describe('memcached: relative up to 30 days, then Unix times up to 2038-01-19T03:14:07Z', () => {
  let client: ShardedClient;
  let server: FleetNode;
  beforeAll(() => {
    server = fleet.memcached[0] as FleetNode;
    client = new ShardedClient({ backend: 'memcached', nodes: [server.address] });
  });
  afterAll(() => client.close());

  it.each([
    ['the last relative TTL', THIRTY_DAYS],
    ['the first one sent as a Unix time', THIRTY_DAYS + 1],
  ])('keeps %s (%i s) as asked', async (_name, ttl) => {
    await client.set(`edge:${ttl}`, 'v', { ttl });
    const kept = (await serverTtl('memcached', server.port, `edge:${ttl}`)) ?? -2;
    expect(Math.abs(kept - ttl)).toBeLessThanOrEqual(2);
  });

  it('keeps the longest TTL memcached can (to its last Unix time), and refuses one second more, sending nothing', async () => {
    const longest = LAST_UNIX_TIME - Math.ceil(Date.now() / 1000) - 2;
    await client.set('edge:longest', 'v', { ttl: longest });
    const kept = (await serverTtl('memcached', server.port, 'edge:longest')) ?? -2;
    expect(Math.abs(kept - longest)).toBeLessThanOrEqual(3);
    expect(await client.get('edge:longest')).toBe('v');
    // Past 2038 memcached 1.6 would store the item as already expired: refused here instead.
    const past = LAST_UNIX_TIME - Math.floor(Date.now() / 1000) + 1;
    await expect(client.set('edge:past', 'v', { ttl: past })).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
    await expect(client.touch('edge:longest', past)).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
    expect(await serverTtl('memcached', server.port, 'edge:past')).toBeUndefined();
    expect(() => new ShardedClient({ backend: 'memcached', nodes: [server.address], defaultTtl: past })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option: 'defaultTtl' }));
  });
});

describe('redis: any whole number of seconds JavaScript holds exactly', () => {
  let client: ShardedClient;
  let server: FleetNode;
  beforeAll(() => {
    server = fleet.redis[0] as FleetNode;
    client = new ShardedClient({ backend: 'redis', nodes: [server.address] });
  });
  afterAll(() => client.close());

  it.each([1, LAST_UNIX_TIME + 1, Number.MAX_SAFE_INTEGER])('keeps %i s as asked', async (ttl) => {
    await client.set(`edge:${ttl}`, 'v', { ttl });
    const kept = (await serverTtl('redis', server.port, `edge:${ttl}`)) ?? -2;
    expect(Math.abs(kept - ttl)).toBeLessThanOrEqual(1);
    expect(await client.touch(`edge:${ttl}`, ttl)).toBe(true);
  });

  it('refuses a TTL past what JavaScript holds exactly, and 0, sending nothing', async () => {
    await expect(client.set('edge:unsafe', 'v', { ttl: Number.MAX_SAFE_INTEGER + 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
    await expect(client.set('edge:zero', 'v', { ttl: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_TTL' });
    expect(await serverTtl('redis', server.port, 'edge:unsafe')).toBeUndefined();
  });
});
