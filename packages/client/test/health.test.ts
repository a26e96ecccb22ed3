// Failures flow back into health, health ejects and restores, the client swaps rings: on real
// servers, with real time (bounded polls on conditions, no sleeps).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, watchEventLoop, type Fleet, type FleetNode } from '@shardcache/chaos';
import { ShardedClient, type RingChange } from '../src/index.js';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 3, redis: 3 });
});
afterAll(async () => {
  for (const server of fleet.servers) if (server.running) process.kill(server.pid, 'SIGCONT');
  await fleet.stop();
});

describe.each(['memcached', 'redis'] as const)('a paused %s node', (backend) => {
  it('is ejected after timeout x serverFailureLimit, its keys move, and it returns once probes pass', async () => {
    const servers = backend === 'redis' ? fleet.redis : fleet.memcached;
    const victim = servers[0] as FleetNode;
    const client = new ShardedClient({
      backend,
      nodes: servers.map((server) => server.address),
      timeoutMs: 100,
      failover: 'next',
      health: { serverFailureLimit: 2, serverRetryTimeout: 300, probeIntervalMs: 100, probeJitter: 0, successThreshold: 2 },
    });
    const events: string[] = [];
    const changes: RingChange[] = [];
    client.on('node:ejected', ({ node }) => events.push(`ejected ${node}`));
    client.on('node:restored', ({ node }) => events.push(`restored ${node}`));
    client.on('ring:changed', (change) => changes.push(change));
    try {
      await client.ping();
      const keys = Array.from({ length: 200 }, (_, i) => `${backend}:health:${i}`);
      const victimKeys = keys.filter((key) => client.locate(key) === victim.address);
      expect(victimKeys.length).toBeGreaterThan(0);

      // Resolves once the kernel reports it stopped: a request sent earlier could still be answered.
      await victim.pause();
      const watch = watchEventLoop();
      const pausedAt = performance.now();
      const results = await Promise.allSettled(victimKeys.slice(0, 2).map((key) => client.get(key)));
      const codes = results.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code);
      // The meta node keeps the connection after a late call (replies carry tokens), so each
      // call meets its own deadline. A RESP connection is dropped at the first late call: the
      // other call fails then, unless its deadline (a fraction of a millisecond later) came first.
      const second = backend === 'memcached' ? ['ERR_TIMEOUT'] : ['ERR_TIMEOUT', 'ERR_CONNECTION'];
      expect(codes[0]).toBe('ERR_TIMEOUT');
      expect(second).toContain(codes[1]);
      expect(events).toEqual([`ejected ${victim.address}`]);
      // Both calls ran at once, so both failed at the one deadline: ejected then (not after
      // timeout x serverFailureLimit, the worst case for calls one after another), late by two
      // links (the deadline's timer, then the failure's delivery and the ejection), each by at
      // most the longest gap of this process's event loop meanwhile, its 10 ms sampling interval
      // included (it covers work shorter than that: 115.6 ms failed a bound of 100 + 15 ms of
      // summed lateness once).
      const ejectedWithin = performance.now() - pausedAt;
      expect(ejectedWithin).toBeLessThanOrEqual(100 + 2 * watch.stop().longestMs);
      expect(client.ejected).toEqual([victim.address]);
      expect(changes[0]?.diff.moved).toBeCloseTo(client.ring.shareOf(victim.address), 12);
      // Its keys go to the next node now, and answer.
      for (const key of victimKeys) expect(client.locate(key)).not.toBe(victim.address);
      await client.set(victimKeys[0] ?? '', 'moved');
      expect(await client.get(victimKeys[0] ?? '')).toBe('moved');

      await victim.resume();
      await expect.poll(() => client.ejected, { timeout: 3000, interval: 20 }).toEqual([]);
      expect(events).toEqual([`ejected ${victim.address}`, `restored ${victim.address}`]);
      expect(victimKeys.map((key) => client.locate(key))).toEqual(victimKeys.map(() => victim.address));
      const victimStats = client.stats.nodes[victim.address];
      expect(victimStats).toMatchObject({ ejected: false });
      expect((victimStats?.errors['ERR_TIMEOUT'] ?? 0) + (victimStats?.errors['ERR_CONNECTION'] ?? 0)).toBeGreaterThanOrEqual(2);
      expect(victimStats?.timeouts).toBe(victimStats?.errors['ERR_TIMEOUT']);
    } finally {
      await victim.resume();
      await client.destroy();
    }
  });
});
