// Migration pacing, on an injected clock: in-memory nodes (no I/O) so fake timers drive it all.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../src/internal/clock.js';
import { ShardedClient, type CacheNode, type DumpedItem } from '../src/index.js';

const clock: Clock = {
  now: () => Date.now(),
  schedule: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

/** A node that keeps items in a Map and pages through them like SCAN. */
function memoryNode(id: string, items: Map<string, DumpedItem>): CacheNode {
  const missing = (): Promise<never> => Promise.reject(new Error('not used here'));
  return {
    id,
    capabilities: { nativeFlags: true, cas: false, scanKeys: true, dumpRestore: true },
    scan: (cursor, count) => {
      const keys = [...items.keys()];
      const start = Number(cursor);
      const next = start + count >= keys.length ? '0' : String(start + count);
      return Promise.resolve({ cursor: next, keys: keys.slice(start, start + count) });
    },
    dump: (keys) => Promise.resolve(keys.map((key) => items.get(key))),
    restore: (key, item) => {
      if (items.has(key)) return Promise.resolve('exists' as const);
      items.set(key, item);
      return Promise.resolve('restored' as const);
    },
    get: missing, gets: missing, getMany: missing, set: missing, add: missing, replace: missing, cas: missing, setMany: missing,
    delete: missing, deleteMany: missing, incr: missing, decr: missing, touch: missing, flush: missing,
    ping: () => Promise.resolve(), stats: () => Promise.resolve({ curr_items: String(items.size) }),
    close: () => Promise.resolve(), destroy: () => Promise.resolve(),
  };
}

describe('migration pacing and precedence', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('scans at most rateLimit keys per second, and never overwrites a value already at the destination', async () => {
    const stores = new Map<string, Map<string, DumpedItem>>();
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: ['a:1', 'b:1', 'c:1', 'd:1'],
      clock,
      nodeFactory: (address) => {
        const items = stores.get(address.id) ?? new Map<string, DumpedItem>();
        stores.set(address.id, items);
        return memoryNode(address.id, items);
      },
    });
    for (let i = 0; i < 4000; i++) {
      const key = `k${i}`;
      stores.get(client.locate(key) ?? '')?.set(key, { payload: Buffer.from('old'), ttlMs: null });
    }
    // A newer value already at the new node for one key that will move there.
    const destination = new Map<string, DumpedItem>();
    stores.set('e:1', destination);
    const after = client.previewChange({ add: ['e:1'] });
    expect(after.moved).toBeGreaterThan(0);
    const probe = new ShardedClient({ backend: 'memcached', nodes: ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'], nodeFactory: (address) => memoryNode(address.id, new Map()) });
    const newerKey = Array.from({ length: 4000 }, (_, i) => `k${i}`).find((key) => probe.locate(key) === 'e:1') ?? '';
    void probe.destroy();
    destination.set(newerKey, { payload: Buffer.from('newer'), ttlMs: null });

    const seen: number[] = [];
    const run = client.migrate({ add: ['e:1'] }, { rateLimit: 1000, batchSize: 100, concurrency: 1, onProgress: (p) => seen.push(p.scanned) });
    await vi.advanceTimersByTimeAsync(1000);
    const afterOneSecond = seen.at(-1) ?? 0;
    expect(afterOneSecond).toBeGreaterThanOrEqual(900);
    expect(afterOneSecond).toBeLessThanOrEqual(1100);
    await vi.advanceTimersByTimeAsync(4000);
    const result = await run;
    expect(result).toMatchObject({ completed: true, scanned: 4000, failed: 0 });
    expect(destination.get(newerKey)?.payload.toString()).toBe('newer');
    expect(result.moved).toBe(destination.size - 1);
    await client.destroy();
  });
});
