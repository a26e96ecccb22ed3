// Migration pacing, on an injected clock: in-memory nodes (no I/O) so fake timers drive it all.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../src/internal/clock.js';
import { ShardedClient, type DumpedItem } from '../src/index.js';
import { memoryNode } from './support/memory-node.js';

const clock: Clock = {
  now: () => Date.now(),
  schedule: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

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

  it('copies a key only from its owner now, never from a node still holding an older copy of it', async () => {
    const stores = new Map<string, Map<string, DumpedItem>>();
    const storeOf = (id: string): Map<string, DumpedItem> => {
      const items = stores.get(id) ?? new Map<string, DumpedItem>();
      stores.set(id, items);
      return items;
    };
    const client = new ShardedClient({ backend: 'memcached', nodes: ['a:1', 'b:1', 'c:1', 'd:1'], clock, nodeFactory: (address) => memoryNode(address.id, storeOf(address.id)) });
    const probe = new ShardedClient({ backend: 'memcached', nodes: ['a:1', 'b:1', 'c:1', 'd:1', 'e:1'], nodeFactory: (address) => memoryNode(address.id, new Map()) });
    // A key moving to e:1 from another node than a:1, which is scanned first and still holds an older copy.
    const key = Array.from({ length: 1000 }, (_, i) => `k${i}`).find((k) => probe.locate(k) === 'e:1' && client.locate(k) !== 'a:1') ?? '';
    void probe.destroy();
    storeOf(client.locate(key) ?? '').set(key, { payload: Buffer.from('current'), ttlMs: null });
    storeOf('a:1').set(key, { payload: Buffer.from('older'), ttlMs: null });

    const result = await client.migrate({ add: ['e:1'] }, { concurrency: 1 });
    expect(result).toMatchObject({ completed: true, moved: 1, failed: 0 });
    expect(storeOf('e:1').get(key)?.payload.toString()).toBe('current');
    await client.destroy();
  });
});
