// Every pattern against real memcached and redis fleets, through a real ShardedClient. Two
// clients stand for two processes. Logical time (expiry, L1 TTL) runs on an injected clock
// that tests move forward; real waits are conditions polled with a bound.
import { startFleet, type Fleet } from '@shardcache/chaos';
import { ShardedClient, type Backend } from '@shardcache/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connected } from './support/connected.js';
import { PatternCache, RedisInvalidationBus, type Clock, type PatternCacheOptions, type WriteBehindEntry } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 2, redis: 2 });
});
afterAll(() => fleet?.stop());

/** Real time plus a skew the test controls. */
function skewedClock(): Clock & { skew: number } {
  const clock = {
    skew: 0,
    now: () => Date.now() + clock.skew,
    schedule: (callback: () => void, ms: number) => {
      const timer = setTimeout(callback, ms);
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
  return clock;
}

describe.each<Backend>(['memcached', 'redis'])('on %s', (backend) => {
  const prefix = `patterns-${process.pid}-${backend}:`;
  const clients: ShardedClient[] = [];
  /** A connected client: its first calls do not race its connections being established. */
  const newClient = async (): Promise<ShardedClient> => {
    const nodes = (backend === 'redis' ? fleet.redis : fleet.memcached).map((server) => server.address);
    const client = new ShardedClient({ backend, nodes, keys: { prefix } });
    clients.push(client);
    return connected(client);
  };
  const twoProcesses = async (options: PatternCacheOptions = {}): Promise<[PatternCache, PatternCache]> => [
    new PatternCache(await newClient(), { defaultTtl: 60, ...options }),
    new PatternCache(await newClient(), { defaultTtl: 60, ...options }),
  ];
  afterAll(() => Promise.all(clients.map((client) => client.close())));

  it('negative caching: a failure is served from the cluster until negativeTtl, to every process', async () => {
    const [a, b] = await twoProcesses({ negativeTtl: 30 });
    await expect(a.getOrSet('negative', () => Promise.reject(Object.assign(new Error('gone'), { code: 'E404' })))).rejects.toMatchObject({ code: 'ERR_LOADER' });
    const loader = vi.fn(() => 'unused');
    await expect(b.getOrSet('negative', loader)).rejects.toMatchObject({ code: 'ERR_CACHED_ERROR', loaderCode: 'E404' });
    expect(loader).not.toHaveBeenCalled();
  });

  it('stale-while-revalidate: serves the old value past its TTL and refreshes it in the cluster', async () => {
    const clock = skewedClock();
    const [a, b] = await twoProcesses({ clock, defaultTtl: 5, earlyRefresh: { staleWhileRevalidate: 60 } });
    expect(await a.getOrSet('swr', () => 'v1')).toBe('v1');
    clock.skew = 6_000; // past the TTL, inside the window (the server keeps it for 65 s)
    expect(await a.getOrSet('swr', async () => 'v2')).toBe('v1');
    // The background refresh reaches the cluster (get never refreshes, so only a's refresh can).
    await expect.poll(() => b.get('swr'), { timeout: 5000, interval: 10 }).toBe('v2');
    expect(a.stats).toMatchObject({ staleServed: 1, earlyRefreshes: 1, loads: 2 });
  });

  it('XFetch: refreshes before the expiry when the injected random says so', async () => {
    const clock = skewedClock();
    const cache = new PatternCache(await newClient(), { clock, defaultTtl: 60, earlyRefresh: { beta: 1, random: () => 0.999999 } });
    let version = 0;
    const loader = async () => {
      clock.skew += 100; // the loader "takes" 100 ms: delta = 100, gap = 100 * ln(1e6) = 1382 ms
      return ++version;
    };
    expect(await cache.getOrSet('xfetch', loader)).toBe(1);
    clock.skew += 55_000; // 5 s before the expiry, well outside the 1.4 s gap: not yet
    expect(await cache.getOrSet('xfetch', loader)).toBe(1);
    expect(version).toBe(1);
    clock.skew += 4_600; // 0.5 s before (or later: real time only adds): refresh, serve the value held
    expect(await cache.getOrSet('xfetch', loader)).toBe(1);
    await expect.poll(() => cache.get('xfetch'), { timeout: 5000, interval: 10 }).toBe(2); // get never refreshes
    expect(version).toBe(2);
  });

  it('write-through: the source first, then the cluster, seen by another process', async () => {
    const [a, b] = await twoProcesses();
    const source = new Map<string, unknown>();
    await a.setThrough('through', { n: 1 }, async (key, value) => source.set(key, value));
    expect(source.get('through')).toEqual({ n: 1 });
    expect(await b.get('through')).toEqual({ n: 1 });
  });

  it('write-behind: 2,000 writes from 50 producers, a flaky writer and back-pressure; close drains with nothing lost', async () => {
    const [a, b] = await twoProcesses();
    const source = new Map<string, number>();
    let calls = 0;
    let deepest = 0;
    const writer = async (batch: readonly WriteBehindEntry<number>[]) => {
      deepest = Math.max(deepest, a.stats.writeBehind.queueDepth);
      await new Promise((resolve) => setTimeout(resolve, 2)); // the database's latency
      if (++calls % 3 === 0) throw new Error('db hiccup'); // every third attempt fails
      for (const { key, value } of batch) source.set(key, value);
    };
    const queue = a.writeBehind<number>({ writer, batchSize: 50, maxQueue: 200, retryDelayMs: 5, flushIntervalMs: 20 });
    await Promise.all(
      Array.from({ length: 50 }, async (_, producer) => {
        for (let i = producer; i < 2000; i += 50) await queue.write(`wb:${i}`, i);
      }),
    );
    await a.close();
    expect(source.size).toBe(2000);
    expect([...source.values()].sort((x, y) => x - y)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(deepest).toBeLessThanOrEqual(200);
    expect(a.stats.writeBehind).toMatchObject({ queueDepth: 0, blockedWriters: 0, written: 2000, failed: 0 });
    expect(a.stats.writeBehind.retries).toBeGreaterThan(0);
    expect(await b.get('wb:1999')).toBe(1999); // the cluster had it before the source did
  });

  it('tags: an invalidation by one process is seen by another, other tags untouched', async () => {
    const [a, b] = await twoProcesses();
    await a.setTagged('tagged:1', 'one', ['user:7']);
    await a.setTagged('tagged:2', 'two', ['user:7', 'list']);
    await a.setTagged('tagged:3', 'three', ['list']);
    expect(await b.get('tagged:1')).toBe('one');
    await b.invalidateTag('user:7');
    expect(await a.get('tagged:1')).toBeUndefined();
    expect(await a.get('tagged:2')).toBeUndefined();
    expect(await a.get('tagged:3')).toBe('three');
    const loader = vi.fn(() => 'reloaded');
    expect(await a.getOrSet('tagged:1', loader, { tags: ['user:7'] })).toBe('reloaded');
    expect(await b.get('tagged:1')).toBe('reloaded');
  });

  it('namespaces: a new version is empty for every process, the old one intact', async () => {
    const [a, b] = await twoProcesses();
    await a.namespace('user', { version: 1 }).set('1', 'Ada');
    expect(await b.namespace('user', { version: 1 }).get('1')).toBe('Ada');
    expect(await b.namespace('user', { version: 2 }).get('1')).toBeUndefined();
  });

  it('L1 without a bus: another process sees a write after at most the L1 TTL', async () => {
    const clock = skewedClock();
    const [a, b] = await twoProcesses({ clock, l1: { ttlMs: 30_000 } });
    await a.set('near', 'one');
    expect(await b.get('near')).toBe('one');
    await a.set('near', 'two');
    expect(await b.get('near')).toBe('one'); // b's copy: stale, but within its TTL
    clock.skew += 30_000;
    expect(await b.get('near')).toBe('two');
    expect(b.stats.l1).toMatchObject({ l1: { hits: 1, misses: 2 }, l2: { hits: 2 } });
  });
});

describe('L1 coherence over redis pub/sub', () => {
  const connections: Redis[] = [];
  const caches: PatternCache[] = [];
  const clients: ShardedClient[] = [];
  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await Promise.all(clients.map((client) => client.close()));
    connections.forEach((connection) => connection.disconnect());
  });

  /** A process: its client, an L1 whose TTL is a minute (so only the bus can explain a fresh read), and its bus. */
  async function startProcess(): Promise<PatternCache> {
    const [busServer] = fleet.redis;
    if (busServer === undefined) throw new Error('no redis server');
    const publisher = new Redis({ host: busServer.host, port: busServer.port });
    const subscriber = publisher.duplicate();
    connections.push(publisher, subscriber);
    const bus = await RedisInvalidationBus.create({ publisher, subscriber, channel: `l1-${process.pid}` });
    const client = new ShardedClient({ backend: 'redis', nodes: fleet.redis.map((server) => server.address), keys: { prefix: 'coherent:' } });
    clients.push(client);
    await connected(client);
    const cache = new PatternCache(client, { defaultTtl: 60, l1: { ttlMs: 60_000, bus } });
    caches.push(cache);
    return cache;
  }

  /**
   * Resolves once `cache` serves `key` from its L1 (a read counted as an L1 hit). A read racing
   * with an invalidation is not stored, so the first read after a write may not fill the L1.
   */
  async function heldInL1(cache: PatternCache, key: string): Promise<void> {
    await expect
      .poll(
        async () => {
          await cache.get(key);
          const before = cache.stats.l1?.l1.hits ?? 0;
          await cache.get(key);
          return (cache.stats.l1?.l1.hits ?? 0) > before;
        },
        { timeout: 5000, interval: 10 },
      )
      .toBe(true);
  }

  it('drops other processes copies when a key is written, deleted or its tag invalidated', async () => {
    const [a, b] = [await startProcess(), await startProcess()];
    await a.set('k', 'one');
    await heldInL1(b, 'k');
    expect(await b.get('k')).toBe('one');
    await a.set('k', 'two');
    await expect.poll(() => b.get('k'), { timeout: 5000, interval: 10 }).toBe('two');
    await heldInL1(b, 'k');
    await a.delete('k');
    await expect.poll(() => b.get('k'), { timeout: 5000, interval: 10 }).toBeUndefined();

    await a.setTagged('t', 'tagged', ['group']);
    await heldInL1(b, 't');
    expect(await b.get('t')).toBe('tagged');
    await a.invalidateTag('group');
    await expect.poll(() => b.get('t'), { timeout: 5000, interval: 10 }).toBeUndefined();
    expect(b.stats.l1?.l1.invalidations).toBeGreaterThanOrEqual(3);
  });
});
