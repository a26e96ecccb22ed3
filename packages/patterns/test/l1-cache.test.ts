// The L1 over an in-memory "cluster", with fake timers: bounds, TTL, per-level stats,
// coherence through a bus, and the read/invalidate race.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { L1Cache, PatternCache } from '../src/index.js';
import { memoryBuses } from './support/memory-bus.js';
import { MemoryCache } from './support/memory-cache.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('L1Cache', () => {
  it('serves repeated reads from memory for ttlMs, then asks the cluster again', async () => {
    const remote = new MemoryCache();
    await remote.set('k', 'v');
    const l1 = new L1Cache(remote, { ttlMs: 1000 });
    for (let i = 0; i < 5; i++) expect(await l1.get('k')).toBe('v');
    expect(remote.calls['get']).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(await l1.get('k')).toBe('v');
    expect(remote.calls['get']).toBe(2);
    expect(l1.stats).toMatchObject({ l1: { hits: 4, misses: 2, hitRate: 4 / 6, entries: 1 }, l2: { hits: 2, misses: 0 } });
  });

  it('never caches misses', async () => {
    const remote = new MemoryCache();
    const l1 = new L1Cache(remote);
    expect(await l1.get('absent')).toBeUndefined();
    expect(await l1.get('absent')).toBeUndefined();
    expect(l1.stats.l2).toMatchObject({ hits: 0, misses: 2 });
  });

  it('keeps at most maxEntries, evicting the least recently used', async () => {
    const remote = new MemoryCache();
    for (const key of ['a', 'b', 'c']) await remote.set(key, key);
    const l1 = new L1Cache(remote, { maxEntries: 2 });
    await l1.get('a');
    await l1.get('b');
    await l1.get('a'); // a is now the most recent
    await l1.get('c'); // evicts b
    const before = remote.calls['get'];
    await l1.get('a');
    await l1.get('b');
    expect(remote.calls['get']).toBe((before ?? 0) + 1);
    expect(l1.stats.l1.evictions).toBeGreaterThanOrEqual(1);
  });

  it('keeps at most maxBytes, and skips values larger than that', async () => {
    const remote = new MemoryCache();
    await remote.set('small', Buffer.alloc(100));
    await remote.set('big', Buffer.alloc(5000));
    const l1 = new L1Cache(remote, { maxBytes: 1000, sizeOf: (_key, value) => (value as Buffer).length });
    await l1.get('small');
    await l1.get('big');
    expect(l1.stats.l1).toMatchObject({ entries: 1, bytes: 100 });
  });

  it('batches misses of getMany into one cluster call and keeps order', async () => {
    const remote = new MemoryCache();
    await remote.set('a', 1);
    await remote.set('c', 3);
    const l1 = new L1Cache(remote);
    await l1.get('a');
    expect(await l1.getMany(['a', 'b', 'c'])).toEqual({ values: [1, undefined, 3], failures: [] });
    expect(remote.calls['getMany']).toBe(1);
    expect((await l1.getMany(['a', 'c'])).values).toEqual([1, 3]);
    expect(remote.calls['getMany']).toBe(1);
  });

  it('drops a peer copy when the bus says the key changed', async () => {
    const remote = new MemoryCache();
    const [busA, busB] = memoryBuses(2);
    const a = new L1Cache(remote, { ttlMs: 60_000, ...(busA ? { bus: busA } : {}) });
    const b = new L1Cache(remote, { ttlMs: 60_000, ...(busB ? { bus: busB } : {}) });
    await a.set('k', 'one');
    expect(await b.get('k')).toBe('one');
    await a.set('k', 'two');
    expect(await b.get('k')).toBe('two');
    await a.delete('k');
    expect(await b.get('k')).toBeUndefined();
    expect(b.stats.l1.invalidations).toBe(2);
    await a.close();
    await b.close();
  });

  it('does not store a value read while the key was invalidated', async () => {
    const remote = new MemoryCache();
    await remote.set('k', 'old');
    const l1 = new L1Cache(remote, { ttlMs: 60_000 });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const realGet = remote.get.bind(remote);
    vi.spyOn(remote, 'get').mockImplementationOnce(async (key) => {
      const value = await realGet(key); // read 'old' ...
      await gate; // ... and answer only after the invalidation
      return value;
    });
    const racing = l1.get('k');
    await remote.set('k', 'new');
    l1.invalidate('k');
    release();
    expect(await racing).toBe('old');
    expect(await l1.get('k')).toBe('new');
  });
});

describe('PatternCache with l1', () => {
  it('puts the L1 under every pattern and reports hits per level', async () => {
    const remote = new MemoryCache();
    const cache = new PatternCache(remote, { defaultTtl: 60, l1: { ttlMs: 500 } });
    const loader = vi.fn(async () => 'v');
    for (let i = 0; i < 10; i++) await cache.getOrSet('k', loader);
    expect(loader).toHaveBeenCalledTimes(1);
    expect(remote.calls['get']).toBe(1);
    expect(cache.stats.l1).toMatchObject({ l1: { hits: 9, misses: 1 } });
    await cache.close();
  });

  it('bounds staleness by ttlMs without a bus (memcached)', async () => {
    const remote = new MemoryCache();
    const [a, b] = [new PatternCache(remote, { defaultTtl: 60, l1: { ttlMs: 1000 } }), new PatternCache(remote, { defaultTtl: 60, l1: { ttlMs: 1000 } })];
    await a.set('k', 'one');
    expect(await b.get('k')).toBe('one');
    await a.set('k', 'two');
    expect(await b.get('k')).toBe('one'); // stale, within the bound
    vi.advanceTimersByTime(1000);
    expect(await b.get('k')).toBe('two');
  });
});
