// Crashes under load (SIGKILL): one node, half the fleet, every node. No call may hang past its
// deadline, failures carry typed codes, and the client recovers when the servers return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import {
  BACKENDS,
  callBoundMs,
  chaosClient,
  FAST_HEALTH,
  hitRate,
  lastStartMs,
  ms,
  percentileMs,
  recordRingEvents,
  RecordingTarget,
  saveResult,
  share,
  serversOf,
  SLACK_MS,
  startedBetween,
  timedFault,
  TIMEOUT_MS,
  untypedCodes,
} from './support/chaos-kit.js';

/** Errors may go on after a crash for `timeout x serverFailureLimit` plus one probe interval (plus slack). */
const DETECTION_MS = TIMEOUT_MS * FAST_HEALTH.serverFailureLimit + FAST_HEALTH.probeIntervalMs + SLACK_MS;
const LOAD = { maxOps: 1_000_000, concurrency: 32, keys: 100, callTimeoutMs: 1000 } as const;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 6, redis: 6 });
});
afterAll(() => fleet.stop());

const addresses = (nodes: readonly FleetNode[]): string[] => nodes.map((node) => node.address);

describe.each([
  ['memcached', 'next'],
  ['redis', 'rebuild'],
] as const)('kill one %s node (failover %s)', (backend, failover) => {
  it('bounds every call, stops erring within the detection window, refills, reads no wrong value', async () => {
    const nodes = serversOf(fleet, backend);
    const victim = nodes[1] as FleetNode;
    const client = chaosClient(backend, addresses(nodes), { failover });
    const target = new RecordingTarget(client, 'kill-one:');
    const events = recordRingEvents(target);
    const kill = timedFault(target, () => applyFault(victim, { type: 'kill' }));
    try {
      await client.ping();
      // Dead until the load ends (then restarted empty, for the next test).
      const report = await target.run({ ...LOAD, keys: 500, durationMs: 3500, faults: [{ atMs: 1200, durationMs: 60_000, apply: kill.apply }] });
      const killedAt = kill.times.appliedMs;
      const lastStart = lastStartMs(target.calls);
      const lastErrorEnd = target.calls.reduce((latest, call) => (call.errorCode === undefined ? latest : Math.max(latest, call.endMs)), 0);
      const ejection = events.find((event) => event.type === 'ejected' && event.node === victim.address);
      const measured = {
        loopStallMs: target.loopStallMs,
        failover,
        ejectedAfterMs: ms((ejection?.atMs ?? Number.NaN) - killedAt),
        errorsFor: ms(lastErrorEnd - killedAt),
        hitRateBefore: share(hitRate(startedBetween(target.calls, killedAt - 700, killedAt))),
        hitRateAfterKill: share(hitRate(startedBetween(target.calls, killedAt, killedAt + 300))),
        hitRateEnd: share(hitRate(startedBetween(target.calls, lastStart - 700, lastStart + 1))),
      };
      saveResult({ scenario: 'kill one', backend, report, measured });

      expect(report.maxCallMs).toBeLessThanOrEqual(callBoundMs(target));
      expect(untypedCodes(report)).toEqual([]);
      expect(ejection?.node).toBe(victim.address);
      expect(measured.errorsFor).toBeLessThanOrEqual(DETECTION_MS);
      // Its keys miss on their new nodes at first (so the check below can fail), then refill there
      // and the hit rate comes back to where it was.
      expect(measured.hitRateAfterKill).toBeLessThan(measured.hitRateBefore);
      expect(measured.hitRateEnd).toBeGreaterThanOrEqual(measured.hitRateBefore - 0.05);
      expect(report.wrongValues).toBe(0);
      expect(report.staleReads).toBe(0);
    } finally {
      await client.destroy();
    }
  });
});

describe.each(BACKENDS)('kill half of the %s fleet', (backend) => {
  it('holds the max-ejected cap; calls degrade to misses or typed errors and none hangs', async () => {
    const nodes = serversOf(fleet, backend);
    const victims = [nodes[0], nodes[2], nodes[4]] as FleetNode[];
    // A cap below the half that dies: floor(0.34 x 6) = 2 nodes may be out, the third stays in.
    const cap = 2;
    const client = chaosClient(backend, addresses(nodes), { health: { maxEjectedShare: 0.34 } });
    const target = new RecordingTarget(client, 'kill-half:');
    const events = recordRingEvents(target);
    const kills = victims.map((victim) => timedFault(target, () => applyFault(victim, { type: 'kill' })));
    try {
      await client.ping();
      const report = await target.run({ ...LOAD, durationMs: 2500, faults: kills.map((kill) => ({ atMs: 600, durationMs: 60_000, apply: kill.apply })) });
      const victimIds = new Set(addresses(victims));
      const ejected = events.filter((event) => event.type === 'ejected');
      const survivorErrors = target.calls.filter((call) => call.errorCode !== undefined && !victimIds.has(call.node ?? ''));
      const measured = {
        loopStallMs: target.loopStallMs,
        ejected: ejected.length,
        maxOut: Math.max(0, ...events.map((event) => event.ejectedAfter)),
        survivorErrors: survivorErrors.length,
      };
      saveResult({ scenario: 'kill half', backend, report, measured });

      // Exactly the cap: fewer would mean ejection failed, more that the cap did not hold.
      expect(ejected.map((event) => victimIds.has(event.node))).toEqual(Array.from({ length: cap }, () => true));
      expect(measured.maxOut).toBe(cap);
      expect(untypedCodes(report)).toEqual([]);
      expect(report.maxCallMs).toBeLessThanOrEqual(callBoundMs(target));
      // Only keys placed on dead nodes fail; everything else still answers.
      expect(survivorErrors).toEqual([]);
      expect(report.errors).toBeGreaterThan(0);
      expect(report.wrongValues).toBe(0);
    } finally {
      await client.destroy();
    }
  });
});

describe.each(BACKENDS)('kill every %s node', (backend) => {
  it('fails every call fast with a typed error, and recovers fully when they return', async () => {
    const nodes = serversOf(fleet, backend);
    const client = chaosClient(backend, addresses(nodes));
    const target = new RecordingTarget(client, 'kill-all:');
    const kills = nodes.map((node) => timedFault(target, () => applyFault(node, { type: 'kill' })));
    try {
      await client.ping();
      // Restarted (same ports, empty) after 1 s, then 2.5 s more of load to recover in.
      const report = await target.run({ ...LOAD, durationMs: 4500, faults: kills.map((kill) => ({ atMs: 800, durationMs: 1000, apply: kill.apply })) });
      const allDead = Math.max(...kills.map((kill) => kill.times.appliedMs));
      const firstBack = Math.min(...kills.map((kill) => kill.times.revertStartedMs));
      const allBack = Math.max(...kills.map((kill) => kill.times.revertedMs));
      const whileDead = startedBetween(target.calls, allDead, firstBack);
      const lastStart = lastStartMs(target.calls);
      const end = startedBetween(target.calls, lastStart - 500, lastStart + 1);
      const measured = {
        loopStallMs: target.loopStallMs,
        callsWhileDead: whileDead.length,
        p99WhileDead: ms(percentileMs(whileDead, 99)),
        maxWhileDead: ms(percentileMs(whileDead, 100)),
        restartedIn: ms(allBack - firstBack),
        errorsLast500ms: end.filter((call) => call.errorCode !== undefined).length,
      };
      saveResult({ scenario: 'kill all', backend, report, measured });

      expect(whileDead.length).toBeGreaterThan(100);
      expect(whileDead.filter((call) => call.errorCode === undefined)).toEqual([]);
      expect(untypedCodes(report)).toEqual([]);
      // Fast: no waiting on a dead server (refused connections, open breakers, no node left).
      expect(measured.p99WhileDead).toBeLessThanOrEqual(20);
      expect(report.maxCallMs).toBeLessThanOrEqual(callBoundMs(target));
      // Full recovery under load: the last 500 ms without an error, then every node back in the ring.
      expect(end.length).toBeGreaterThan(100);
      expect(measured.errorsLast500ms).toBe(0);
      await expect.poll(() => client.ejected, { timeout: 3000, interval: 20 }).toEqual([]);
      expect(report.wrongValues).toBe(0);
    } finally {
      await client.destroy();
    }
  });
});
