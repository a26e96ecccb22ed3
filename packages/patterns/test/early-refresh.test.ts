// Stale-while-revalidate and XFetch, with fake timers and an injected random source so every
// decision can be worked out by hand.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { entryFreshness, PatternCache } from '../src/index.js';
import { MemoryCache } from './support/memory-cache.js';

const T0 = 1_700_000_000_000;
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('entryFreshness (XFetch)', () => {
  // gap = -loadMs * beta * ln(1 - random); with random = 1 - e^-1, ln(...) = -1: gap = loadMs * beta.
  const random = () => 1 - Math.exp(-1);

  it('refreshes early exactly when now + loadMs * beta reaches the expiry', () => {
    const entry = { expiresAt: 10_000, loadMs: 100 };
    expect(entryFreshness(entry, 9_899, { beta: 1, random })).toBe('fresh');
    expect(entryFreshness(entry, 9_900, { beta: 1, random })).toBe('early');
    expect(entryFreshness(entry, 9_799, { beta: 2, random })).toBe('fresh');
    expect(entryFreshness(entry, 9_800, { beta: 2, random })).toBe('early');
    expect(entryFreshness(entry, 10_000, { beta: 1, random })).toBe('stale');
  });

  it('never refreshes early with beta 0, without a recorded load time, or without an expiry', () => {
    expect(entryFreshness({ expiresAt: 10_000, loadMs: 100 }, 9_999, { beta: 0, random })).toBe('fresh');
    expect(entryFreshness({ expiresAt: 10_000, loadMs: undefined }, 9_999, { beta: 1, random })).toBe('fresh');
    expect(entryFreshness({ expiresAt: undefined, loadMs: 100 }, 9_999, { beta: 1, random })).toBe('fresh');
  });

  it('gets likelier towards the expiry (random 0.5: gap = loadMs * ln 2)', () => {
    const half = () => 0.5;
    const entry = { expiresAt: 10_000, loadMs: 1000 };
    expect(entryFreshness(entry, 9_306, { beta: 1, random: half })).toBe('fresh'); // 9306 + 693.1 < 10000
    expect(entryFreshness(entry, 9_307, { beta: 1, random: half })).toBe('early');
  });
});

describe('in getOrSet', () => {
  it('serves the stale value inside the SWR window and refreshes once in the background', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 10, earlyRefresh: { staleWhileRevalidate: 30 } });
    let version = 1;
    const loader = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve(`v${version}`), 100)));
    const first = cache.getOrSet('k', loader);
    await vi.advanceTimersByTimeAsync(100);
    expect(await first).toBe('v1');
    expect(memory.items.get('k')?.expiresAt).toBe(T0 + 100 + 40_000); // ttl + SWR window

    version = 2;
    vi.setSystemTime(T0 + 100 + 10_000); // logically expired, still stored
    expect(await Promise.all([cache.getOrSet('k', loader), cache.getOrSet('k', loader)])).toEqual(['v1', 'v1']);
    expect(await cache.getOrSet('k', loader)).toBe('v1'); // the refresh is still running
    await vi.advanceTimersByTimeAsync(100);
    expect(await cache.getOrSet('k', loader)).toBe('v2');
    expect(loader).toHaveBeenCalledTimes(2);
    expect(cache.stats).toMatchObject({ staleServed: 2, earlyRefreshes: 1, loads: 2 });
  });

  it('misses after the SWR window ends', async () => {
    const cache = new PatternCache(new MemoryCache(), { defaultTtl: 10, earlyRefresh: { staleWhileRevalidate: 5 } });
    await cache.getOrSet('k', () => 'old');
    vi.setSystemTime(T0 + 15_000);
    expect(await cache.getOrSet('k', () => 'new')).toBe('new');
  });

  it('refreshes early (XFetch) while still serving the valid value, per the injected random', async () => {
    let draw = 0.01; // gap = -loadMs * ln(0.99): about 1% of the load time
    const cache = new PatternCache(new MemoryCache(), { defaultTtl: 10, earlyRefresh: { beta: 1, random: () => draw } });
    const loader = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve(`v${loader.mock.calls.length}`), 1000)));
    const first = cache.getOrSet('k', loader);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await first).toBe('v1');
    vi.setSystemTime(T0 + 1000 + 9_000); // 1 s before expiry
    expect(await cache.getOrSet('k', loader)).toBe('v1'); // gap 10 ms: fresh
    expect(loader).toHaveBeenCalledTimes(1);
    draw = 0.9; // gap = 1000 * ln 10 = 2303 ms: refresh now
    expect(await cache.getOrSet('k', loader)).toBe('v1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(loader).toHaveBeenCalledTimes(2);
    expect(await cache.getOrSet('k', loader)).toBe('v2');
    expect(cache.stats.earlyRefreshes).toBe(1);
  });

  it('reports a failed background refresh and keeps serving the old value', async () => {
    const cache = new PatternCache(new MemoryCache(), { defaultTtl: 10, earlyRefresh: { staleWhileRevalidate: 60 } });
    const events: string[] = [];
    cache.subscribe((event) => events.push(event.type));
    await cache.getOrSet('k', () => 'old');
    vi.setSystemTime(T0 + 20_000);
    expect(await cache.getOrSet('k', () => Promise.reject(new Error('db')))).toBe('old');
    await vi.advanceTimersByTimeAsync(0);
    expect(cache.stats.refreshFailures).toBe(1);
    expect(events).toContain('refresh-failed');
    expect(await cache.getOrSet('k', () => 'new')).toBe('old'); // a new refresh starts
    await cache.close(); // waits for that refresh
    expect(cache.stats.loads).toBe(3);
  });

  it('with the lock on, skips a refresh another process is already running', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 10, lock: true, earlyRefresh: { staleWhileRevalidate: 60 } });
    await cache.getOrSet('k', () => 'old');
    vi.setSystemTime(T0 + 20_000);
    await memory.add('lock:k', '1', { ttl: 5 }); // another process is refreshing
    const loader = vi.fn(() => 'new');
    expect(await cache.getOrSet('k', loader)).toBe('old');
    await vi.advanceTimersByTimeAsync(0);
    expect(loader).not.toHaveBeenCalled();
  });
});
