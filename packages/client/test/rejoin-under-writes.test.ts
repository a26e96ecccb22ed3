// A node returns while the application keeps writing the keys it owns: the purge before its
// return must end, and still no read may reach a value it held from before. Found by the chaos
// suite (redis): under load a node stayed out 4 s after its fault, its purge repeated round
// after round because each round saw new writes to the same hot keys.
import { describe, expect, it } from 'vitest';
import { ShardedClient, type DumpedItem } from '../src/index.js';
import { VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211', '10.0.0.4:11211'];
const HEALTH = { serverFailureLimit: 1, serverRetryTimeout: 100, maxEjectionMs: 100, probeIntervalMs: 10, probeJitter: 0, successThreshold: 1 } as const;
/** Rounds in which the application writes during the purge (the old purge needed one more than this). */
const WRITING_ROUNDS = 20;

describe('a node that returns under steady writes', () => {
  it('is purged in at most 3 rounds, returns, and serves no value from before', async () => {
    const clock = new VirtualClock();
    const down = new Set<string>();
    const stores = new Map(IDS.map((id) => [id, new Map<string, DumpedItem>()]));
    const victim = IDS[1] as string;
    let rounds = 0;
    const keys: string[] = [];
    let next = 0;
    // Each purge round at the victim: the application rewrites a hot key and writes a key it
    // has not written since the victim left (the victim still holds that one from before).
    const duringPurge = async (): Promise<void> => {
      rounds++;
      if (rounds > WRITING_ROUNDS) return;
      await client.set(keys[0] as string, `hot ${rounds}`);
      await client.set(keys[next++] as string, `new ${rounds}`);
    };
    const client: ShardedClient = new ShardedClient({
      backend: 'memcached',
      nodes: IDS,
      clock,
      health: HEALTH,
      rejoin: { stableMs: 10, failoverTtl: 'none' },
      nodeFactory: (address) => memoryNode(address.id, stores.get(address.id) as Map<string, DumpedItem>, {
        down: () => down.has(address.id),
        ...(address.id === victim ? { deleteMany: duringPurge } : {}),
      }),
    });
    try {
      for (let i = 0; keys.length < 40; i++) if (client.locate(`k${i}`) === victim) keys.push(`k${i}`);
      await client.setMany(keys.map((key) => ({ key, value: 'before' })));
      down.add(victim);
      await client.get(keys[0] as string).catch(() => undefined);
      expect(client.ejected).toEqual([victim]);
      // Written elsewhere while it is out: the first 5, the hot one among them.
      next = 5;
      await client.setMany(keys.slice(0, next).map((key) => ({ key, value: 'while out' })));

      down.delete(victim);
      await clock.advance(1_000);
      expect({ ejected: client.ejected, rounds }).toEqual({ ejected: [], rounds: 3 });
      // Every key reads its newest value or misses; none written since reads what the victim
      // held from before. Those never written since still read it (it is their newest value).
      const values = await Promise.all(keys.map((key) => client.get(key)));
      const stale = values.slice(0, next).filter((value) => value === 'before').length;
      expect({ stale, keysWrittenSince: next, untouchedKept: values.slice(next).every((value) => value === 'before') }).toEqual({ stale: 0, keysWrittenSince: 5 + 3, untouchedKept: true });
    } finally {
      await client.destroy();
    }
  });
});
