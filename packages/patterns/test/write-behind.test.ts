// Write-behind with fake timers: batching, coalescing, retries, back-pressure, and drain on
// close. Write-through's three outcomes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PatternCache, WriteBehind, writeThrough, type WriteBehindEntry } from '../src/index.js';
import { MemoryCache } from './support/memory-cache.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_700_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A writer that records batches and can be made to fail the next `failures` calls. */
function recorder() {
  const batches: WriteBehindEntry<number>[][] = [];
  const state = { failures: 0, delayMs: 0 };
  const writer = vi.fn(async (batch: readonly WriteBehindEntry<number>[]) => {
    if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.failures > 0) {
      state.failures--;
      throw new Error('db busy');
    }
    batches.push([...batch]);
  });
  return { batches, state, writer, written: () => batches.flat() };
}

describe('WriteBehind', () => {
  it('flushes full batches at once and a partial one after flushIntervalMs', async () => {
    const { writer, batches } = recorder();
    const queue = new WriteBehind({ writer, batchSize: 3, flushIntervalMs: 100 });
    for (let i = 0; i < 7; i++) await queue.write(`k${i}`, i);
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((batch) => batch.length)).toEqual([3, 3]);
    expect(queue.stats.queueDepth).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
    expect(queue.stats).toMatchObject({ queueDepth: 0, written: 7, batches: 3 });
  });

  it('keeps only the last value of a key rewritten while queued, in write order', async () => {
    const { writer, written } = recorder();
    const queue = new WriteBehind({ writer, batchSize: 10 });
    await queue.write('a', 1);
    await queue.write('b', 2);
    await queue.write('a', 3);
    await queue.drain();
    expect(written()).toEqual([
      { key: 'b', value: 2 },
      { key: 'a', value: 3 },
    ]);
  });

  it('retries a failed batch with doubling delays, then reports and drops it', async () => {
    const { writer, state, written } = recorder();
    const onFailed = vi.fn();
    const queue = new WriteBehind({ writer, batchSize: 2, retries: 2, retryDelayMs: 100, onFailed });
    state.failures = 2;
    await queue.write('a', 1);
    await queue.write('b', 2);
    await vi.advanceTimersByTimeAsync(99);
    expect(writer).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(writer).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(written()).toHaveLength(2);
    expect(queue.stats).toMatchObject({ retries: 2, failed: 0 });

    state.failures = 3;
    await queue.write('c', 3);
    await queue.write('d', 4);
    await vi.advanceTimersByTimeAsync(300);
    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(onFailed.mock.calls[0]?.[0]).toMatchObject({ code: 'ERR_WRITE_BEHIND', keys: ['c', 'd'] });
    expect(queue.stats.failed).toBe(2);
  });

  it('never retries a TypeError (a programmer error)', async () => {
    const writer = vi.fn(async () => {
      throw new TypeError('bad batch');
    });
    const onFailed = vi.fn();
    const queue = new WriteBehind({ writer, batchSize: 1, onFailed });
    await queue.write('a', 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(writer).toHaveBeenCalledTimes(1);
    expect(onFailed).toHaveBeenCalledTimes(1);
  });

  it('makes writers wait while the queue is full (back-pressure), or rejects with onFull: reject', async () => {
    const { writer, state, written } = recorder();
    state.delayMs = 1000;
    const queue = new WriteBehind({ writer, maxQueue: 4, batchSize: 2 });
    const writes = Array.from({ length: 10 }, (_, i) => queue.write(`k${i}`, i));
    let done = 0;
    writes.forEach((write) => void write.then(() => done++));
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.stats.queueDepth).toBeLessThanOrEqual(4);
    expect(queue.stats.blockedWriters).toBeGreaterThan(0);
    expect(done).toBeLessThan(10);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(writes);
    await queue.drain();
    expect(written().map((entry) => entry.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    const strict = new WriteBehind({ writer, maxQueue: 1, batchSize: 5, onFull: 'reject' });
    await strict.write('x', 1);
    await expect(strict.write('y', 2)).rejects.toMatchObject({ code: 'ERR_QUEUE_FULL' });
    await strict.write('x', 3); // rewriting a queued key needs no room
  });

  it('loses nothing on close: queued, in-flight and blocked writes all reach the writer', async () => {
    const { writer, state, written } = recorder();
    state.delayMs = 50;
    state.failures = 1;
    const queue = new WriteBehind({ writer, maxQueue: 100, batchSize: 25, retryDelayMs: 10 });
    const writes = Array.from({ length: 1000 }, (_, i) => queue.write(`k${i}`, i));
    const closed = queue.close();
    await expect(queue.write('late', 1)).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED' });
    await vi.runAllTimersAsync();
    await Promise.all(writes);
    await closed;
    expect(written().map((entry) => entry.value)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(queue.stats).toMatchObject({ queueDepth: 0, blockedWriters: 0, written: 1000, failed: 0, retries: 1 });
  });

  it('validates its options', () => {
    expect(() => new WriteBehind({} as never)).toThrow(expect.objectContaining({ option: 'writer' }));
    expect(() => new WriteBehind({ writer: async () => undefined, batchSize: 0 })).toThrow(expect.objectContaining({ option: 'batchSize' }));
    expect(() => new WriteBehind({ writer: async () => undefined, onFull: 'drop' as 'wait' })).toThrow(expect.objectContaining({ option: 'onFull' }));
  });
});

describe('PatternCache.writeBehind', () => {
  it('updates the cache at once, writes the source later, and drains on close', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 60 });
    const { writer, written } = recorder();
    const queue = cache.writeBehind<number>({ writer, batchSize: 100, flushIntervalMs: 1000 });
    await queue.write('a', 1);
    expect(await cache.get('a')).toBe(1);
    expect(written()).toEqual([]);
    expect(cache.stats.writeBehind.queueDepth).toBe(1);
    await cache.close();
    expect(written()).toEqual([{ key: 'a', value: 1 }]);
  });
});

describe('writeThrough', () => {
  it('writes the source, then the cache', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory, { defaultTtl: 60 });
    const source = new Map<string, string>();
    await cache.setThrough('k', 'v', async (key, value) => source.set(key, value));
    expect(source.get('k')).toBe('v');
    expect(await cache.get('k')).toBe('v');
  });

  it('leaves the cache alone when the writer fails (ERR_WRITER)', async () => {
    const memory = new MemoryCache();
    const cache = new PatternCache(memory);
    await memory.set('k', 'old');
    await expect(cache.setThrough('k', 'new', () => Promise.reject(new Error('db')))).rejects.toMatchObject({ code: 'ERR_WRITER' });
    expect(await cache.get('k')).toBe('old');
  });

  it('deletes the cached copy when it cannot be updated, and says so when neither works', async () => {
    const removed = vi.fn(async () => undefined);
    await writeThrough('k', async () => undefined, () => Promise.reject(new Error('set failed')), removed);
    expect(removed).toHaveBeenCalledTimes(1);
    await expect(writeThrough('k', async () => undefined, () => Promise.reject(new Error('set')), () => Promise.reject(new Error('del')))).rejects.toMatchObject({
      code: 'ERR_CACHE_WRITE',
    });
  });
});
