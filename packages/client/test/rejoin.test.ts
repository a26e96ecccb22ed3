// Rejoin safety on real servers: a paused node keeps its data while its keys are rewritten
// elsewhere; when it comes back, no read may return what it held from before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type FailoverPolicy } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ redis: 4 });
});
afterAll(async () => {
  for (const node of fleet.redis) if (node.paused) await node.resume();
  await fleet.stop();
});

/** One run: write v1 everywhere, pause a node until it is ejected, write v2, resume, read everything. */
async function flapAndCount(policy: FailoverPolicy, rejoinSafety: boolean, victim: FleetNode, prefix: string): Promise<{ stale: number; keys: number; moved: number }> {
  // Unequal weights: under `rebuild`, keys of surviving nodes move too while the victim is out.
  const nodes = fleet.redis.map((node, i) => `${node.address}:${i + 1}`);
  const client = new ShardedClient({
    backend: 'redis',
    nodes,
    failover: policy,
    timeoutMs: 150,
    health: { serverFailureLimit: 1, serverRetryTimeout: 200, probeIntervalMs: 50, probeJitter: 0, successThreshold: 2 },
    rejoin: { enabled: rejoinSafety, stableMs: 100, failoverTtl: 'none' },
  });
  try {
    const keys = Array.from({ length: 400 }, (_, i) => `${prefix}:${i}`);
    await client.setMany(keys.map((key) => ({ key, value: 'v1' })));
    const owners = new Map(keys.map((key) => [key, client.locate(key)]));

    await victim.pause();
    const victimKey = keys.find((key) => owners.get(key) === victim.address) ?? '';
    await expect.poll(async () => {
      await client.get(victimKey).catch(() => undefined);
      return client.ejected;
    }, { timeout: 5000, interval: 10 }).toEqual([victim.address]);
    const moved = keys.filter((key) => client.locate(key) !== owners.get(key)).length;

    // Every key rewritten while the victim is out; failures here would hide staleness.
    const { failures } = await client.setMany(keys.map((key) => ({ key, value: 'v2' })));
    expect(failures).toEqual([]);

    await victim.resume();
    await expect.poll(() => client.ejected, { timeout: 5000, interval: 10 }).toEqual([]);
    expect(keys.map((key) => client.locate(key))).toEqual(keys.map((key) => owners.get(key)));
    const { values } = await client.getMany(keys);
    return { stale: values.filter((value) => value === 'v1').length, keys: keys.length, moved };
  } finally {
    await client.destroy();
  }
}

describe.each<FailoverPolicy>(['next', 'rebuild'])('a node that flaps under failover %s', (policy) => {
  it('serves no stale value after it returns; without rejoin safety it does (control)', async () => {
    const victim = fleet.redis[policy === 'next' ? 1 : 2] as FleetNode;
    const safe = await flapAndCount(policy, true, victim, `${policy}:safe`);
    const unsafe = await flapAndCount(policy, false, victim, `${policy}:unsafe`);
    expect(safe.moved).toBeGreaterThan(0);
    expect(safe.stale).toBe(0);
    expect(unsafe.stale).toBeGreaterThan(0);
    console.log(`rejoin ${policy}: ${safe.keys} keys, ${safe.moved} moved while out; stale reads with safety ${safe.stale}, without ${unsafe.stale}`);
  });
});
