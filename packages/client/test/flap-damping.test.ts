// A node's return on a virtual clock, to the millisecond. Flap damping (`rejoin.stableMs`): a
// node health finds back up serves again only after it has stayed up that long (the chaos
// suite's return bounds cannot show it: a handshake timeout paces returns there). A return whose
// purge fails is tried again until it succeeds.
import { describe, expect, it } from 'vitest';
import { ServerError, ShardedClient, type DumpedItem } from '../src/index.js';
import { VirtualClock } from './model/virtual-clock.js';
import { memoryNode } from './support/memory-node.js';

const IDS = ['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211'];
/** One failure ejects; the ejection lasts 100 ms, then one good probe says the node is up. */
const HEALTH = { serverFailureLimit: 1, serverRetryTimeout: 100, maxEjectionMs: 100, probeIntervalMs: 10, probeJitter: 0, successThreshold: 1 } as const;
const EJECTION_MS = 100;

/** When the node that owns a key was ejected and when it was restored, for a fault of `downMs`. */
async function ejectedAndRestored(stableMs: number, downMs: number): Promise<{ ejectedAt: number; restoredAt: number | undefined; servedBeforeRestore: boolean }> {
  const clock = new VirtualClock();
  const down = new Set<string>();
  const client = new ShardedClient({
    backend: 'memcached',
    nodes: IDS,
    clock,
    health: HEALTH,
    rejoin: { stableMs },
    nodeFactory: (address) => memoryNode(address.id, new Map<string, DumpedItem>(), { down: () => down.has(address.id) }),
  });
  try {
    const key = 'flapping';
    const owner = client.locate(key) as string;
    const events: { at: number; type: string }[] = [];
    client.on('node:ejected', ({ node }) => node === owner && events.push({ at: clock.now(), type: 'ejected' }));
    client.on('node:restored', ({ node }) => node === owner && events.push({ at: clock.now(), type: 'restored' }));
    down.add(owner);
    await expect(client.get(key)).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
    const ejectedAt = events.find((event) => event.type === 'ejected')?.at as number;
    await clock.advance(downMs);
    down.delete(owner);
    // Until the restore, the key is served elsewhere; a millisecond at a time so the restore's instant is exact.
    let servedBeforeRestore = false;
    for (let ms = 0; ms < 2_000 && !events.some((event) => event.type === 'restored'); ms++) {
      await clock.advance(1);
      if (!events.some((event) => event.type === 'restored') && client.locate(key) === owner) servedBeforeRestore = true;
    }
    return { ejectedAt, restoredAt: events.find((event) => event.type === 'restored')?.at, servedBeforeRestore };
  } finally {
    await client.destroy();
  }
}

describe('flap damping (rejoin.stableMs)', () => {
  it('restores a node stableMs after health finds it up, not before', async () => {
    // Down for 50 ms: the probe at the ejection's end (100 ms) finds it up; it serves at 100 + 500.
    const { ejectedAt, restoredAt, servedBeforeRestore } = await ejectedAndRestored(500, 50);
    expect(restoredAt).toBeDefined();
    expect((restoredAt as number) - ejectedAt).toBeGreaterThanOrEqual(EJECTION_MS + 500);
    expect((restoredAt as number) - ejectedAt).toBeLessThanOrEqual(EJECTION_MS + 500 + HEALTH.probeIntervalMs);
    expect(servedBeforeRestore).toBe(false);
  });

  it('with stableMs 0, restores as soon as health finds the node up (the control)', async () => {
    const { ejectedAt, restoredAt } = await ejectedAndRestored(0, 50);
    expect((restoredAt as number) - ejectedAt).toBeGreaterThanOrEqual(EJECTION_MS);
    expect((restoredAt as number) - ejectedAt).toBeLessThanOrEqual(EJECTION_MS + HEALTH.probeIntervalMs);
  });
});

describe('a return whose purge fails', () => {
  it('is tried again until the purge succeeds, while health finds the node up', async () => {
    const clock = new VirtualClock();
    const down = new Set<string>();
    let purgesToFail = 3;
    const errors: string[] = [];
    const client = new ShardedClient({
      backend: 'memcached',
      nodes: IDS,
      clock,
      timeoutMs: 100,
      health: HEALTH,
      rejoin: { stableMs: 0 },
      nodeFactory: (address) =>
        memoryNode(address.id, new Map<string, DumpedItem>(), {
          down: () => down.has(address.id),
          deleteMany: async () => {
            // A refusal, not a node failure: health keeps the node up, and nothing else brings it back.
            if (purgesToFail-- > 0) throw new ServerError(address.id, 'READONLY (test)');
          },
        }),
    });
    client.on('error', ({ error }) => errors.push(error.code));
    try {
      const key = 'returning';
      const owner = client.locate(key) as string;
      down.add(owner);
      await expect(client.get(key)).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
      expect(client.ejected).toEqual([owner]);
      // Written elsewhere while the owner is out: its return must purge the key from it first.
      await client.set(key, 'v1');
      down.delete(owner);
      await clock.advance(EJECTION_MS + HEALTH.probeIntervalMs);
      // The purge failed; the node is still out, and each retry comes a deadline later.
      expect(client.ejected).toEqual([owner]);
      await clock.advance(3 * 100 + HEALTH.probeIntervalMs);
      expect(client.ejected).toEqual([]);
      expect(errors.filter((code) => code === 'ERR_SERVER')).toHaveLength(3);
      expect(await client.get(key)).toBeUndefined(); // purged from the owner before it served
    } finally {
      await client.destroy();
    }
  });
});
