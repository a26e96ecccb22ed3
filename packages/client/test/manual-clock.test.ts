// Time is injected (STYLE 11): a client on a manual clock sets no real timer at all, so a node's
// failure, ejection, probe and restore run at the test's pace and nothing is left pending.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ShardedClient, type CacheNode, type DumpedItem } from '../src/index.js';
import { VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211'];
// One failure ejects; back after 100 ms and one good probe; no flap damping to wait out.
const HEALTH = { serverFailureLimit: 1, serverRetryTimeout: 100, maxEjectionMs: 100, probeIntervalMs: 10, probeJitter: 0, successThreshold: 1 } as const;

describe('a client on a manual clock', () => {
  beforeEach(() => {
    // Only the timer functions: setImmediate stays real, since the manual clock settles promise
    // reactions with it (a loop turn, not time). A real timer anywhere in the client becomes a
    // fake one here and shows in the count.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('fails, ejects, probes and restores a node with no real timer set', async () => {
    // AbortSignal.timeout arms a timer inside Node, where fake timers cannot see it.
    const signalTimeouts = vi.spyOn(AbortSignal, 'timeout');
    const noRealTimer = (): void => {
      expect(vi.getTimerCount()).toBe(0);
      expect(signalTimeouts).not.toHaveBeenCalled();
    };
    const clock = new VirtualClock();
    const down = new Set<string>();
    const pings = new Map<string, number>();
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: IDS,
      clock,
      health: HEALTH,
      rejoin: { stableMs: 0 },
      nodeFactory: (address): CacheNode => {
        const node = memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) });
        return {
          ...node,
          // Asked once after a first good answer, with a deadline: on the clock too.
          maxValueBytes: () => Promise.resolve(1024 * 1024),
          ping: (options) => {
            pings.set(address.id, (pings.get(address.id) ?? 0) + 1);
            return node.ping(options);
          },
        };
      },
    });
    const events: string[] = [];
    client.on('node:ejected', ({ node }) => events.push(`ejected ${node}`));
    client.on('node:restored', ({ node }) => events.push(`restored ${node}`));
    try {
      const [node] = IDS as [string];
      let key = 'k0';
      for (let i = 0; client.locate(key) !== node; i++) key = `k${i}`;
      await client.set(key, 'v');
      noRealTimer();

      // The node fails a call and is ejected at once (failure limit 1).
      down.add(node);
      await expect(client.get(key)).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
      expect(client.ejected).toEqual([node]);
      expect(events).toEqual([`ejected ${node}`]);
      noRealTimer();

      // Within the back-off: no probe yet, still out.
      await clock.advance(50);
      expect(pings.get(node) ?? 0).toBe(0);
      expect(client.ejected).toEqual([node]);
      noRealTimer();

      // Past the back-off the probe runs; the node answers and is restored.
      down.delete(node);
      await clock.advance(200);
      expect(pings.get(node)).toBeGreaterThan(0);
      expect(client.ejected).toEqual([]);
      expect(events).toEqual([`ejected ${node}`, `restored ${node}`]);
      expect(client.locate(key)).toBe(node);
      expect(await client.get(key)).toBe('v');
      noRealTimer();
    } finally {
      await client.destroy();
    }
    noRealTimer();
  });
});
