// ShardedClient against real fleets: every call on both backends, routing checked by reading
// each server directly, partial failure, and bad input that must never reach a server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, watchEventLoop, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type Backend } from '../src/index.js';
import { rawCommand, rawSet } from './support/raw-command.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 3, redis: 3 });
});
afterAll(() => fleet.stop());

const serversOf = (backend: Backend): readonly FleetNode[] => (backend === 'redis' ? fleet.redis : fleet.memcached);
let unique = 0;
const key = (name: string): string => `${name}:${++unique}`;

/** Which servers hold `wire`, asked directly (not through the client). */
async function holders(backend: Backend, wire: string): Promise<string[]> {
  const found = await Promise.all(
    serversOf(backend).map(async (server) => {
      const reply =
        backend === 'redis' ? await rawCommand(server.port, `EXISTS ${wire}\r\n`, /\r\n$/) : await rawCommand(server.port, `mg ${wire}\r\n`, /(EN|HD[^\r]*)\r\n$/);
      return (backend === 'redis' ? reply.startsWith(':1') : reply.startsWith('HD')) ? server.address : undefined;
    }),
  );
  return found.filter((address): address is string => address !== undefined);
}

describe.each<Backend>(['memcached', 'redis'])('ShardedClient over 3 %s nodes', (backend) => {
  let client: ShardedClient;
  beforeAll(() => {
    client = new ShardedClient({ backend, nodes: serversOf(backend).map((server) => server.address), keys: { prefix: 'test:' } });
  });
  afterAll(() => client.close());

  it('puts each key on exactly the node the ring names, and nowhere else', async () => {
    const keys = Array.from({ length: 60 }, (_, i) => key(`route${i}`));
    await Promise.all(keys.map((k) => client.set(k, k)));
    for (const k of keys) expect(await holders(backend, `test:${k}`), k).toEqual([client.ring.locate(k)]);
    expect(new Set(keys.map((k) => client.locate(k))).size).toBe(3);
  });

  it('round-trips strings, Buffers, objects and compressed values', async () => {
    const big = { text: 'x'.repeat(40_000) };
    const values: [string, unknown][] = [[key('s'), 'héllo'], [key('b'), Buffer.from([0, 1, 255])], [key('o'), { a: [1, 2] }], [key('big'), big]];
    for (const [k, v] of values) await client.set(k, v);
    for (const [k, v] of values) expect(await client.get(k)).toEqual(v);
    expect(await client.get(key('absent'))).toBeUndefined();
  });

  it('reads values another client wrote as raw bytes', async () => {
    const k = key('foreign');
    const server = serversOf(backend).find((s) => s.address === client.locate(k));
    if (server === undefined) throw new Error('no server for key');
    await rawSet(backend, server.port, `test:${k}`, Buffer.from('plain'));
    expect(await client.get(k)).toEqual(Buffer.from('plain'));
    if (backend === 'memcached') {
      // pylibmc stores pickles with flags 1, our UTF-8 code: still handed over as bytes.
      const pickle = Buffer.from([0x80, 0x04, 0x95, 0x05]);
      await rawSet(backend, server.port, `test:${k}`, pickle, 1);
      expect(await client.get(k)).toEqual(pickle);
    }
  });

  it('supports add, replace, delete, incr, decr and touch', async () => {
    const k = key('ops');
    expect(await client.replace(k, 'a')).toBe(false);
    expect(await client.add(k, 'a')).toBe(true);
    expect(await client.add(k, 'b')).toBe(false);
    expect(await client.replace(k, 'c')).toBe(true);
    expect(await client.get(k)).toBe('c');
    expect(await client.touch(k, 60)).toBe(true);
    expect(await client.delete(k)).toBe(true);
    expect(await client.delete(k)).toBe(false);
    const counter = key('counter');
    await client.set(counter, Buffer.from('41'));
    expect(await client.incr(counter)).toBe(42);
    expect(await client.decr(counter, 50)).toBe(0);
    expect(await client.incr(key('no-counter'))).toBeUndefined();
  });

  it('returns multi-key results in the caller order, one call per node', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => key(`many${i}`));
    const { failures: setFailures } = await client.setMany(keys.map((k, i) => ({ key: k, value: i })));
    expect(setFailures).toEqual([]);
    const before = client.stats.total.calls;
    const { values, failures } = await client.getMany([...keys, key('missing')]);
    expect(failures).toEqual([]);
    expect(values).toEqual([...keys.map((_, i) => i), undefined]);
    expect(client.stats.total.calls - before).toBe(3);
    const { deleted } = await client.deleteMany(keys.slice(0, 10));
    expect(deleted).toBe(10);
  });

  it('reads every value format back through a multi-get: text, JSON, raw bytes, compressed, another client\'s', async () => {
    const entries: [string, unknown][] = [
      [key('fmt-text'), 'caf\u00e9'],
      [key('fmt-json'), { id: 7, tags: ['a'] }],
      [key('fmt-raw'), Buffer.from([0, 1, 2, 255])],
      [key('fmt-big-text'), 'abc'.repeat(20_000)],
      [key('fmt-big-json'), { rows: Array.from({ length: 2000 }, (_, i) => i) }],
      [key('fmt-big-raw'), Buffer.alloc(40_000, 7)],
    ];
    for (const [k, value] of entries) await client.set(k, value);
    const other = key('fmt-other');
    const server = serversOf(backend).find((s) => s.address === client.locate(other));
    if (server === undefined) throw new Error('no server for the key');
    await rawSet(backend, server.port, `test:${other}`, Buffer.from('plain'));
    const { values, failures } = await client.getMany([...entries.map(([k]) => k), other]);
    expect(failures).toEqual([]);
    expect(values).toEqual([...entries.map(([, value]) => value), Buffer.from('plain')]);
  });

  it('never lets a key carry a command to the server', async () => {
    const survivor = key('survivor');
    await client.set(survivor, 'still here');
    const before = client.stats.total.calls;
    if (backend === 'memcached') {
      // memcached's text rules: rejected before anything is sent.
      await expect(client.set('a\r\nflush_all', 'x')).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' });
      await expect(client.get('a\r\nflush_all')).rejects.toMatchObject({ code: 'ERR_INVALID_KEY' });
      expect(client.stats.total.calls).toBe(before);
    } else {
      // RESP is length-prefixed: the same bytes are one ordinary key.
      await client.set('a\r\nflush_all', 'x');
      expect(await client.get('a\r\nflush_all')).toBe('x');
    }
    expect(await client.get(survivor)).toBe('still here');
  });

  it.each([
    [{ ttl: 0 }, 'ERR_INVALID_TTL'],
    [{ ttl: -5 }, 'ERR_INVALID_TTL'],
    [{ ttl: 1.5 }, 'ERR_INVALID_TTL'],
  ])('rejects write options %j with %s', async (options, code) => {
    await expect(client.set(key('bad'), 'x', options)).rejects.toMatchObject({ code });
  });

  it('rejects values over the limit after compression, before sending', async () => {
    const small = new ShardedClient({ backend, nodes: serversOf(backend).map((s) => s.address), maxValueBytes: 1000, compressAbove: false });
    try {
      await expect(small.set(key('large'), 'x'.repeat(1001))).rejects.toMatchObject({ code: 'ERR_VALUE_TOO_LARGE', size: 1001, limit: 1000 });
      expect(small.stats.total.calls).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('pings every node and reports stats per node', async () => {
    const { up, down } = await client.ping();
    expect(up.sort()).toEqual(serversOf(backend).map((s) => s.address).sort());
    expect(down).toEqual({});
    const stats = client.stats;
    expect(Object.keys(stats.nodes).sort()).toEqual(up.sort());
    expect(stats.total.hits).toBeGreaterThan(0);
    expect(stats.total.misses).toBeGreaterThan(0);
  });
});

describe('ShardedClient with a node down', () => {
  it.each<Backend>(['memcached', 'redis'])('returns partial multi-get results with typed failures, never past the deadline (%s)', async (backend) => {
    const own = await startFleet({ [backend]: 3 });
    const client = new ShardedClient({ backend, nodes: own.servers.map((s) => s.address), timeoutMs: 300 });
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `down:${i}`);
      await client.setMany(keys.map((k) => ({ key: k, value: k })));
      const victim = own.servers[0] as FleetNode;
      await victim.kill();
      const watch = watchEventLoop();
      const started = performance.now();
      const { values, failures } = await client.getMany(keys);
      const elapsed = performance.now() - started;
      // The deadline, late by two links (its timer, then the failure's delivery), each by at most
      // the longest gap of this process's event loop meanwhile.
      expect(elapsed).toBeLessThanOrEqual(300 + 2 * watch.stop().longestMs);
      const lost = keys.filter((k) => client.locate(k) === victim.address);
      expect(failures.map((failure) => failure.key).sort()).toEqual(lost.sort());
      for (const failure of failures) expect(['ERR_CONNECTION', 'ERR_TIMEOUT']).toContain(failure.error.code);
      keys.forEach((k, i) => expect(values[i]).toBe(lost.includes(k) ? undefined : k));
    } finally {
      await client.destroy();
      await own.stop();
    }
  });
});

describe('ShardedClient lifecycle and options', () => {
  it('lets a burst of first calls wait for the first redis connections', async () => {
    for (let round = 0; round < 5; round++) {
      const client = new ShardedClient({ backend: 'redis', nodes: fleet.redis.map((s) => s.address) });
      try {
        const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => client.set(`burst:${round}:${i}`, i)));
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      } finally {
        await client.close();
      }
    }
  });

  it('fails calls after close() with ERR_CLIENT_CLOSED', async () => {
    const client = new ShardedClient({ backend: 'redis', nodes: fleet.redis.map((s) => s.address) });
    await client.close();
    await client.close();
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
  });

  it.each([
    [{ backend: 'mongo', nodes: ['a:1'] }, 'backend'],
    [{ backend: 'redis', nodes: [] }, 'nodes'],
    [{ backend: 'redis', nodes: ['a:1', 'a:1'] }, 'nodes[1]'],
    [{ backend: 'redis', nodes: ['a:1'], timeoutMs: 0 }, 'timeoutMs'],
    [{ backend: 'redis', nodes: ['a:1'], maxInFlight: 1.5 }, 'maxInFlight'],
    [{ backend: 'redis', nodes: ['a:1'], failover: 'panic' }, 'failover'],
    [{ backend: 'redis', nodes: ['a:1'], defaultTtl: 0 }, 'defaultTtl'],
  ])('rejects %j naming the option', (options, option) => {
    expect(() => new ShardedClient(options as ConstructorParameters<typeof ShardedClient>[0])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
  });
});
