// Warm-up fills a key's planned owner, never the failover node a read happened to reach. Found
// by the nemesis (redis, seed 20261207): a read routed to a failover node while the owner was
// out missed just as the owner came back; warm-up copied the owner's value to the failover
// node, a copy the rejoin guard never heard of, and after newer writes on the owner and its
// next ejection, that copy was served (6 stale reads).
import { describe, expect, it } from 'vitest';
import { ShardedClient, type DumpedItem } from '../src/index.js';
import { settleMicrotasks, VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211', '10.0.0.4:11211'];

describe('warm-up and failover', () => {
  it('does not copy a value to a failover node whose miss came back after the owner returned', async () => {
    const stores = new Map(IDS.map((id) => [id, new Map<string, DumpedItem>()]));
    let hold: Promise<void> | undefined;
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: IDS.slice(0, 3),
      warmupMs: 60_000,
      rejoin: { stableMs: 0 },
      health: { serverFailureLimit: 1_000 },
      nodeFactory: (address) => memoryNode(address.id, stores.get(address.id) ?? new Map(), { get: () => hold ?? Promise.resolve() }),
    });
    try {
      // Written before the change: warm-up only reads keys not written since.
      const keys = Array.from({ length: 400 }, (_, i) => `k:${i}`);
      await client.setMany(keys.map((key) => ({ key, value: 'v1' })));
      await client.applyChange({ add: [IDS[3] as string] }); // warm-up starts
      const owner = client.locate(keys[0] as string) as string;
      const owned = keys.filter((key) => client.locate(key) === owner);
      client.eject(owner);
      const failover = new Set(owned.map((key) => client.locate(key)));
      expect(failover.has(owner)).toBe(false);

      // Reads reach the failover nodes and miss there; before they answer, the owner returns.
      let release = (): void => undefined;
      hold = new Promise((resolve) => (release = resolve));
      const reads = owned.map((key) => client.get(key));
      hold = undefined;
      await client.restore(owner);
      release();
      await Promise.all(reads);

      // Newer writes on the owner, then the owner leaves again: no failover node may answer v1.
      await client.setMany(owned.map((key) => ({ key, value: 'v2' })));
      client.eject(owner);
      const { values } = await client.getMany(owned);
      expect(values.filter((value) => value === 'v1')).toEqual([]);
      for (const id of failover) expect([...(stores.get(id ?? '')?.keys() ?? [])].filter((key) => owned.includes(key))).toEqual([]);
    } finally {
      await client.destroy();
    }
  });
});

describe('a warm-up read', () => {
  // Found by the nemesis (memcached, seed 20261207, CI): a get with a 100 ms deadline settled
  // after 174 ms: its miss on the new owner came late, and the warm read of the previous owner
  // got a fresh 100 ms. On a virtual clock: the owner answers (a miss) at 60 ms; the previous
  // owner never answers; the call must settle, as a miss, at its deadline (100 ms), not at 160.
  it('gets what is left of the call deadline', async () => {
    const clock = new VirtualClock();
    const stores = new Map(IDS.map((id) => [id, new Map<string, DumpedItem>()]));
    const held = new Map<string, Promise<void>>();
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: IDS.slice(0, 3),
      clock,
      timeoutMs: 100,
      warmupMs: 600_000,
      nodeFactory: (address) => memoryNode(address.id, stores.get(address.id) ?? new Map(), { get: () => held.get(address.id) ?? Promise.resolve() }),
    });
    try {
      const keys = Array.from({ length: 400 }, (_, i) => `k:${i}`);
      const before = new Map(keys.map((key) => [key, client.locate(key)]));
      await client.setMany(keys.map((key) => ({ key, value: 'v1' })));
      const added = IDS[3] as string;
      const applying = client.applyChange({ add: [added] });
      await clock.advance(0);
      await applying;
      const key = keys.find((candidate) => client.locate(candidate) === added && before.get(candidate) !== added) as string;
      const previous = before.get(key) as string;
      let release = (): void => undefined;
      held.set(added, new Promise((resolve) => (release = resolve)));
      held.set(previous, new Promise(() => undefined)); // never answers
      let settled: unknown = 'pending';
      void client.get(key).then((value) => (settled = value), (error: { code?: string }) => (settled = error.code));
      await clock.advance(60);
      release();
      await settleMicrotasks();
      await clock.advance(40);
      await settleMicrotasks();
      expect(settled).toBeUndefined(); // a miss, at the deadline
    } finally {
      await client.destroy();
    }
  });
});
