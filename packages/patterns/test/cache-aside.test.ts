// Cache-aside over an in-memory cache with fake timers: single-flight, the cross-process lock
// (two PatternCaches over one cache stand for two processes), negative caching, degradation.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PatternCache, type PatternEvent } from '../src/index.js';
import { MemoryCache } from './support/memory-cache.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const slow = <T>(value: T, ms: number) => () => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('getOrSet', () => {
  it('calls the loader once for 1,000 concurrent misses, stores the value and serves it after', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 60 });
    const loader = vi.fn(slow({ id: 1 }, 100));
    const calls = Promise.all(Array.from({ length: 1000 }, () => cache.getOrSet('user:1', loader)));
    await vi.advanceTimersByTimeAsync(100);
    const values = await calls;
    expect(loader).toHaveBeenCalledTimes(1);
    expect(values.every((value) => value === values[0])).toBe(true);
    expect(values[0]).toEqual({ id: 1 });
    expect(memory.calls['get']).toBe(1); // the read is coalesced too
    expect(await cache.getOrSet('user:1', loader)).toEqual({ id: 1 });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.stats).toMatchObject({ loads: 1, misses: 1, hits: 1, coalesced: 999 });
  });

  it('uses the TTL given, else the default, else leaves it to the cache', async () => {
    const memory = new MemoryCache();
    const set = vi.spyOn(memory, 'set');
    await new PatternCache(memory, { defaultTtl: 60 }).getOrSet('a', () => 1, { ttl: 5 });
    await new PatternCache(memory, { defaultTtl: 60 }).getOrSet('b', () => 1);
    await new PatternCache(memory).getOrSet('c', () => 1);
    expect(set.mock.calls.map((call) => call[2])).toEqual([{ ttl: 5 }, { ttl: 60 }, {}]);
  });

  it('does not cache loader errors by default, and wraps them with ERR_LOADER', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 60 });
    const cause = new Error('db down');
    await expect(cache.getOrSet('k', () => Promise.reject(cause))).rejects.toMatchObject({ code: 'ERR_LOADER', key: 'k', cause });
    expect(memory.items.has('k')).toBe(false);
    expect(await cache.getOrSet('k', () => 'ok')).toBe('ok');
    expect(cache.stats.loadErrors).toBe(1);
  });

  it('caches loader errors for negativeTtl seconds when asked', async () => {
    const cache = new PatternCache(new MemoryCache(), { defaultTtl: 60, negativeTtl: 5 });
    const failing = vi.fn(() => Promise.reject(Object.assign(new Error('not found'), { code: 'E404' })));
    await expect(cache.getOrSet('k', failing)).rejects.toMatchObject({ code: 'ERR_LOADER' });
    await expect(cache.getOrSet('k', failing)).rejects.toMatchObject({ code: 'ERR_CACHED_ERROR', loaderCode: 'E404', loaderMessage: 'not found' });
    expect(failing).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(await cache.getOrSet('k', () => 'back')).toBe('back');
    expect(cache.stats.negativeHits).toBe(1);
  });

  it('falls back to the loader when the cache fails, and reports it', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 60 });
    const events: PatternEvent[] = [];
    cache.subscribe((event) => events.push(event));
    memory.failing = true;
    expect(await cache.getOrSet('k', () => 'fresh')).toBe('fresh');
    expect(cache.stats.cacheErrors).toBe(2); // the read, then the write
    expect(events.filter((event) => event.type === 'cache-error').map((event) => event.type === 'cache-error' && event.operation)).toEqual(['get', 'set']);
  });

  it('wrap caches a function under the key its arguments name', async () => {
    const cache = new PatternCache(new MemoryCache(), { defaultTtl: 60 });
    const fetchUser = vi.fn(async (id: number, suffix: string) => `user ${id}${suffix}`);
    const cached = cache.wrap(fetchUser, { key: (id) => `user:${id}`, ttl: 30 });
    expect(await cached(1, '!')).toBe('user 1!');
    expect(await cached(1, '?')).toBe('user 1!');
    expect(await cached(2, '?')).toBe('user 2?');
    expect(fetchUser).toHaveBeenCalledTimes(2);
  });

  it('reads values written by others as plain values', async () => {
    const memory = new MemoryCache();
    await memory.set('plain', { hello: 'world' });
    expect(await new PatternCache(memory).getOrSet('plain', () => 'unused')).toEqual({ hello: 'world' });
  });
});

describe('the cross-process lock', () => {
  it('lets one of two processes load while the other waits for the value', async () => {
    const shared = new MemoryCache();
    const [a, b] = [new PatternCache(shared, { defaultTtl: 60, lock: { pollMs: 20 } }), new PatternCache(shared, { defaultTtl: 60, lock: { pollMs: 20 } })];
    const loaderA = vi.fn(slow('from A', 500));
    const loaderB = vi.fn(slow('from B', 500));
    const results = Promise.all([...Array.from({ length: 500 }, () => a.getOrSet('k', loaderA)), ...Array.from({ length: 500 }, () => b.getOrSet('k', loaderB))]);
    await vi.advanceTimersByTimeAsync(600);
    expect(new Set(await results)).toEqual(new Set(['from A']));
    expect(loaderA).toHaveBeenCalledTimes(1);
    expect(loaderB).not.toHaveBeenCalled();
    expect(b.stats.lockWaits).toBe(1);
    expect(shared.items.has('lock:k')).toBe(false); // released
  });

  it('loads anyway after waitMs by default, or throws ERR_LOCK_TIMEOUT when asked', async () => {
    const shared = new MemoryCache();
    await shared.add('lock:k', '1', { ttl: 30 }); // a holder that never finishes
    const patient = new PatternCache(shared, { lock: { waitMs: 200, pollMs: 50 } });
    const loaded = patient.getOrSet('k', () => 'mine');
    await vi.advanceTimersByTimeAsync(250);
    expect(await loaded).toBe('mine');
    expect(patient.stats.lockTimeouts).toBe(1);

    const strict = new PatternCache(shared, { lock: { waitMs: 200, pollMs: 50, onTimeout: 'throw' } });
    const refused = strict.getOrSet('k2', () => 'never');
    await shared.add('lock:k2', '1', { ttl: 30 });
    const settled = expect(refused).rejects.toMatchObject({ code: 'ERR_LOCK_TIMEOUT', key: 'k2' });
    await vi.advanceTimersByTimeAsync(250);
    await settled;
  });

  it('does not load again when the holder stores and releases between a waiter\'s miss and its take-over', async () => {
    const shared = new MemoryCache();
    await shared.add('lock:k', '1', { ttl: 30 }); // another process holds the lock, loading
    const holder = new PatternCache(shared, { defaultTtl: 60 });
    const waiter = new PatternCache(shared, { defaultTtl: 60, lock: { pollMs: 50 } });
    // The holder finishes exactly in the gap: after the waiter's poll read missed, before its add.
    const add = shared.add.bind(shared);
    let adds = 0;
    shared.add = async (key, value, options) => {
      if (key === 'lock:k' && ++adds === 2) {
        await holder.set('k', 'from the holder');
        await shared.delete('lock:k');
      }
      return add(key, value, options);
    };
    const loader = vi.fn(() => 'loaded again');
    const loaded = waiter.getOrSet('k', loader);
    await vi.advanceTimersByTimeAsync(60);
    expect(await loaded).toBe('from the holder');
    expect(loader).not.toHaveBeenCalled();
    expect(shared.items.has('lock:k')).toBe(false); // the lock taken in the gap is released
  });

  it('takes over when the holder gives up without a value', async () => {
    const shared = new MemoryCache();
    await shared.add('lock:k', '1', { ttl: 30 });
    const cache = new PatternCache(shared, { lock: { pollMs: 50 } });
    const loaded = cache.getOrSet('k', () => 'taken over');
    await vi.advanceTimersByTimeAsync(60);
    await shared.delete('lock:k'); // the holder's loader failed and it released the lock
    await vi.advanceTimersByTimeAsync(60);
    expect(await loaded).toBe('taken over');
  });
});

describe('options', () => {
  it.each([
    [{ defaultTtl: 0 }, 'defaultTtl'],
    [{ negativeTtl: 1.5 }, 'negativeTtl'],
    [{ lock: { waitMs: -1 } }, 'lock.waitMs'],
    [{ lock: { ttl: 0 } }, 'lock.ttl'],
    [{ lock: { onTimeout: 'maybe' as 'load' } }, 'lock.onTimeout'],
    [{ earlyRefresh: { beta: -1 } }, 'earlyRefresh.beta'],
    [{ earlyRefresh: { staleWhileRevalidate: 0.5 } }, 'earlyRefresh.staleWhileRevalidate'],
    [{ l1: { maxEntries: 0 } }, 'maxEntries'],
    [{ tagPrefix: '' }, 'tagPrefix'],
  ])('rejects %j at construction, naming %s', (options, option) => {
    expect(() => new PatternCache(new MemoryCache(), options)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_OPTION', option }));
  });

  it('rejects a per-call TTL of 0 and a missing wrap key', async () => {
    const cache = new PatternCache(new MemoryCache());
    await expect(cache.getOrSet('k', () => 1, { ttl: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'ttl' });
    expect(() => cache.wrap(() => 1, {} as never)).toThrow(expect.objectContaining({ option: 'key' }));
    expect(() => new PatternCache({} as never)).toThrow(expect.objectContaining({ option: 'cache' }));
  });

  it('fails every call after close with ERR_CLIENT_CLOSED', async () => {
    const cache = new PatternCache(new MemoryCache());
    await cache.close();
    await cache.close();
    await expect(cache.getOrSet('k', () => 1)).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    await expect(cache.set('k', 1)).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    expect(() => cache.writeBehind({ writer: async () => undefined })).toThrow(expect.objectContaining({ code: 'ERR_CLIENT_CLOSED' }));
  });
});
