// What happens to keys when a node leaves placement, per failover policy, on real servers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, watchEventLoop, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type FailoverPolicy, type RingChange } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ redis: 4 });
});
afterAll(() => fleet.stop());

const addresses = (): string[] => fleet.redis.map((server) => server.address);
const keys = Array.from({ length: 400 }, (_, i) => `failover:${i}`);

function open(failover: FailoverPolicy, weights = false): ShardedClient {
  const nodes = fleet.redis.map((server, i) => `${server.address}:${weights ? i + 1 : 1}`);
  return new ShardedClient({ backend: 'redis', nodes, failover, timeoutMs: 1000 });
}

describe.each<FailoverPolicy>(['rebuild', 'next', 'fail'])('failover policy %s', (policy) => {
  it('moves exactly what the policy says when a node is ejected, and announces it', async () => {
    const client = open(policy, true);
    try {
      const victim = addresses()[1] ?? '';
      const before = new Map(keys.map((k) => [k, client.locate(k)]));
      const changes: RingChange[] = [];
      const ejected: string[] = [];
      client.on('ring:changed', (change) => changes.push(change));
      client.on('node:ejected', ({ node }) => ejected.push(node));

      client.eject(victim, 'test');
      client.eject(victim, 'test again'); // no change, no event
      expect(ejected).toEqual([victim]);
      expect(changes).toHaveLength(1);
      const after = new Map(keys.map((k) => [k, client.locate(k)]));

      const victimKeys = keys.filter((k) => before.get(k) === victim);
      const survivorsMoved = keys.filter((k) => before.get(k) !== victim && after.get(k) !== before.get(k));
      expect(victimKeys.length).toBeGreaterThan(0);
      if (policy === 'fail') {
        for (const k of victimKeys) expect(after.get(k)).toBeUndefined();
        expect(survivorsMoved).toEqual([]);
        expect(changes[0]?.diff.moved).toBe(0);
      } else {
        for (const k of victimKeys) expect(after.get(k)).not.toBe(victim);
        if (policy === 'next') expect(survivorsMoved).toEqual([]);
        // The announced share equals the victim's share exactly under `next`; `rebuild` with
        // unequal weights rescales the ring, so it moves at least that much.
        const victimShare = client.ring.shareOf(victim);
        if (policy === 'next') expect(changes[0]?.diff.moved).toBeCloseTo(victimShare, 12);
        else expect(changes[0]?.diff.moved ?? 0).toBeGreaterThanOrEqual(victimShare - 1e-12);
      }

      await client.restore(victim);
      expect(keys.map((k) => client.locate(k))).toEqual(keys.map((k) => before.get(k)));
      expect(changes.map((change) => change.reason)).toEqual(['ejected', 'restored']);
    } finally {
      await client.close();
    }
  });

  it('serves reads and writes of an ejected node as the policy says', async () => {
    const client = open(policy);
    try {
      const victim = addresses()[2] ?? '';
      const victimKey = keys.map((k) => `${policy}:${k}`).find((k) => client.locate(k) === victim) ?? '';
      await client.set(victimKey, 'before');
      client.eject(victim);
      if (policy === 'fail') {
        expect(await client.get(victimKey)).toBeUndefined();
        await expect(client.set(victimKey, 'after')).rejects.toMatchObject({ code: 'ERR_NODE_UNAVAILABLE', node: victim });
      } else {
        expect(await client.get(victimKey)).toBeUndefined(); // the new owner is empty
        await client.set(victimKey, 'after');
        expect(await client.get(victimKey)).toBe('after');
      }
    } finally {
      await client.close();
    }
  });
});

describe('every node ejected', () => {
  it.each<FailoverPolicy>(['rebuild', 'next'])('fails reads and writes fast with ERR_NODE_UNAVAILABLE (%s)', async (policy) => {
    const client = open(policy);
    try {
      for (const address of addresses()) client.eject(address);
      await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_NODE_UNAVAILABLE' });
      await expect(client.set('k', 'v')).rejects.toMatchObject({ code: 'ERR_NODE_UNAVAILABLE' });
      const { failures } = await client.getMany(['a', 'b']);
      expect(failures.map((f) => f.error.code)).toEqual(['ERR_NODE_UNAVAILABLE', 'ERR_NODE_UNAVAILABLE']);
    } finally {
      await client.close();
    }
  });
});

describe('deadlines and back-pressure', () => {
  it('fails only the late calls of a hung node, at their deadline', async () => {
    const own = await startFleet({ redis: 2 });
    const [hung, healthy] = own.redis as [FleetNode, FleetNode];
    const client = new ShardedClient({ backend: 'redis', nodes: own.redis.map((s) => s.address), timeoutMs: 200 });
    try {
      const hungKey = Array.from({ length: 100 }, (_, i) => `hung:${i}`).find((k) => client.locate(k) === hung.address) ?? '';
      const healthyKey = Array.from({ length: 100 }, (_, i) => `ok:${i}`).find((k) => client.locate(k) === healthy.address) ?? '';
      await client.set(healthyKey, 'fine');
      await client.ping();
      process.kill(hung.pid, 'SIGSTOP');
      const watch = watchEventLoop();
      const started = performance.now();
      const [late, onTime] = await Promise.allSettled([client.get(hungKey), client.get(healthyKey)]);
      const elapsed = performance.now() - started;
      expect(late).toMatchObject({ status: 'rejected', reason: { code: 'ERR_TIMEOUT', node: hung.address, timeoutMs: 200 } });
      expect(onTime).toEqual({ status: 'fulfilled', value: 'fine' });
      // At the deadline, late by two links (its timer, then the failure's delivery), each by at
      // most the longest gap of this process's event loop meanwhile.
      expect(elapsed).toBeLessThanOrEqual(200 + 2 * watch.stop().longestMs);
      expect(client.stats.nodes[hung.address]?.timeouts).toBe(1);
    } finally {
      process.kill(hung.pid, 'SIGCONT');
      await client.destroy();
      await own.stop();
    }
  });

  it('refuses calls beyond maxInFlight with ERR_OVERLOADED instead of queueing them', async () => {
    const own = await startFleet({ redis: 1 });
    const server = own.redis[0] as FleetNode;
    const client = new ShardedClient({ backend: 'redis', nodes: [server.address], timeoutMs: 300, maxInFlight: 3 });
    try {
      await client.ping();
      process.kill(server.pid, 'SIGSTOP');
      const calls = Array.from({ length: 5 }, (_, i) => client.get(`k${i}`));
      const results = await Promise.allSettled(calls);
      const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
      expect(codes).toEqual(['ERR_TIMEOUT', 'ERR_TIMEOUT', 'ERR_TIMEOUT', 'ERR_OVERLOADED', 'ERR_OVERLOADED']);
    } finally {
      process.kill(server.pid, 'SIGCONT');
      await client.destroy();
      await own.stop();
    }
  });
});
