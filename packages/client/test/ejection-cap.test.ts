// The ejection cap (`health.maxEjectedShare`) is about the client's ring: a node health has
// found up again but the client still holds out (flap damping, the rejoin purge) is out of the
// ring and counts. Found by the nemesis (redis): all 4 nodes out at once against a cap of 2,
// every key unavailable, while health counted only the 2 it had not yet restored.
import { describe, expect, it } from 'vitest';
import { ShardedClient, type DumpedItem } from '../src/index.js';
import { VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211', '10.0.0.4:11211'];
const HEALTH = { serverFailureLimit: 1, serverRetryTimeout: 100, maxEjectionMs: 100, probeIntervalMs: 10, probeJitter: 0, successThreshold: 1, maxEjectedShare: 0.5 } as const;

describe('the ejection cap', () => {
  it('counts a node health restored while the client still holds it out', async () => {
    const clock = new VirtualClock();
    const down = new Set<string>();
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: IDS,
      clock,
      health: HEALTH,
      rejoin: { stableMs: 1_000 },
      nodeFactory: (address) => memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) }),
    });
    let mostOut = 0;
    client.on('ring:changed', () => (mostOut = Math.max(mostOut, client.ejected.length)));
    // A key on each node, to make each one fail when its node is down.
    const keyOn = new Map<string, string>();
    for (let i = 0; keyOn.size < IDS.length; i++) keyOn.set(client.locate(`k${i}`) as string, `k${i}`);
    const fail = async (node: string): Promise<void> => {
      down.add(node);
      await client.get(keyOn.get(node) as string).catch(() => undefined);
    };
    try {
      const [a, b, c, d] = IDS as [string, string, string, string];
      await fail(a);
      await fail(b);
      expect([...client.ejected].sort()).toEqual([a, b].sort());
      // A and B answer again: health finds them up after their 100 ms ejection, and the client
      // waits its 1 s of flap damping before it serves from them.
      down.delete(a);
      down.delete(b);
      await clock.advance(200);
      expect([...client.ejected].sort()).toEqual([a, b].sort());
      // Now C and D fail: the ring already has 2 of 4 out, the cap.
      await fail(c);
      await fail(d);
      expect(client.ejected.length).toBeLessThanOrEqual(2);
      await clock.advance(2_000);
      expect(mostOut).toBeLessThanOrEqual(2);
    } finally {
      await client.destroy();
    }
  });
});
