// Crashes under load (SIGKILL): one node, half the fleet, every node. No call may hang past its
// deadline, failures carry typed codes, and the client recovers when the servers return.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import {
  BACKENDS,
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
  startedBetween,
  timedFault,
  TIMEOUT_MS,
  untypedCodes,
  type CallRecord,
} from './support/chaos-kit.js';
import { Checks } from './support/checks.js';
import { callBoundMs, lateMs, loopHeld, unexplainedFailures } from './support/lateness.js';

/**
 * Errors may go on after a crash for `timeout x serverFailureLimit` plus one probe interval: that
 * many deadlines and a probe in a row (`lateMs`). Refused connections fail at once, so the run
 * takes far less; the bound is what the detection settings promise, and without ejection errors
 * go on to the end of the load.
 */
const DETECTION_MS = TIMEOUT_MS * FAST_HEALTH.serverFailureLimit + FAST_HEALTH.probeIntervalMs;
const DETECTION_LINKS = FAST_HEALTH.serverFailureLimit + 1;
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
    const target = new RecordingTarget(client, 'kill-one:', TIMEOUT_MS, nodes);
    const events = recordRingEvents(target);
    const kill = timedFault(target, () => applyFault(victim, { type: 'kill' }));
    try {
      await client.ping();
      // Dead until the load ends (then restarted empty, for the next test).
      const report = await target.run({ ...LOAD, keys: 500, durationMs: 3500, faults: [{ atMs: 1200, durationMs: 60_000, apply: kill.apply }] });
      const killedAt = kill.times.appliedMs;
      const lastStart = lastStartMs(target.calls);
      // Failures a stall of this process explains (a sound node's calls timed out) do not count.
      const lastErrorEnd = unexplainedFailures(target.calls, loopHeld(target)).reduce((latest, call) => Math.max(latest, call.endMs), 0);
      const ejection = events.find((event) => event.type === 'ejected' && event.node === victim.address);
      // The victim's keys, and the first call of each once it was out: a read there misses (its
      // new node never had it) unless a write came first. The hit rates around the kill show the
      // same dip, but the rate before it still climbs on a slow machine (an empty cache at 0 ms).
      const victimKeys = new Set(target.calls.filter((call) => call.node === victim.address && call.startMs < killedAt).map((call) => call.key));
      const firstAfterOut = new Map<string, CallRecord>();
      for (const call of target.calls) {
        const first = firstAfterOut.get(call.key);
        if (victimKeys.has(call.key) && call.startMs >= (ejection?.atMs ?? Infinity) && (first === undefined || call.startMs < first.startMs)) firstAfterOut.set(call.key, call);
      }
      const movedReads = [...firstAfterOut.values()].filter((call) => call.hit !== undefined);
      const measured = {
        ...target.lateness,
        failover,
        ejectedAfterMs: ms((ejection?.atMs ?? Number.NaN) - killedAt),
        errorsFor: ms(lastErrorEnd - killedAt),
        errorsForBoundMs: ms(DETECTION_MS + lateMs(target, DETECTION_LINKS)),
        hitRateBefore: share(hitRate(startedBetween(target.calls, killedAt - 700, killedAt))),
        hitRateAfterKill: share(hitRate(startedBetween(target.calls, killedAt, killedAt + 300))),
        movedFirstReads: movedReads.length,
        movedFirstReadMisses: movedReads.filter((call) => call.hit === false).length,
        hitRateEnd: share(hitRate(startedBetween(target.calls, lastStart - 700, lastStart + 1))),
      };
      const checks = new Checks()
        .atMost('no call outlived its deadline', report.maxCallMs, callBoundMs(target), ' ms')
        .equal('every failure has a client error code', untypedCodes(report), [])
        .equal('the victim was ejected', ejection?.node ?? null, victim.address)
        .atMost('errors stopped within the detection window', measured.errorsFor, measured.errorsForBoundMs, ' ms')
        // Its keys miss on their new nodes at first (so the check below can fail), then refill there
        // and the hit rate comes back to where it was.
        .above("the victim's keys read on their new nodes", measured.movedFirstReads, 10)
        .above('most of those first reads missed', measured.movedFirstReadMisses, measured.movedFirstReads / 2)
        .atLeast('the hit rate came back (end against before, less 0.05)', measured.hitRateEnd, measured.hitRateBefore - 0.05)
        .atMost('no wrong value read', report.wrongValues, 0)
        .atMost('no stale read', report.staleReads, 0);
      saveResult({ scenario: 'kill one', backend, report, measured, checks: checks.list, description: `SIGKILL ${victim.id} at 1.2 s, kept down; failover ${failover}` }, target);
      checks.assertAll();
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
    const target = new RecordingTarget(client, 'kill-half:', TIMEOUT_MS, nodes);
    const events = recordRingEvents(target);
    const kills = victims.map((victim) => timedFault(target, () => applyFault(victim, { type: 'kill' })));
    try {
      await client.ping();
      const report = await target.run({ ...LOAD, durationMs: 2500, faults: kills.map((kill) => ({ atMs: 600, durationMs: 60_000, apply: kill.apply })) });
      const victimIds = new Set(addresses(victims));
      const ejected = events.filter((event) => event.type === 'ejected');
      // A survivor's failure or ejection is excused only when a stall of this process timed its calls out.
      const held = loopHeld(target);
      const survivorErrors = unexplainedFailures(target.calls, held).filter((call) => !victimIds.has(call.node ?? ''));
      const unexplainedEjections = ejected.filter((event) => !held.explains(event));
      const measured = {
        ...target.lateness,
        ejected: ejected.length,
        survivorsEjectedByStalls: ejected.length - unexplainedEjections.length,
        maxOut: Math.max(0, ...events.map((event) => event.ejectedAfter)),
        survivorErrors: survivorErrors.length,
      };
      const checks = new Checks()
        // Exactly the cap: fewer would mean ejection failed, more that the cap did not hold; and
        // only victims, unless a stall of ours took a survivor out (then it holds a place).
        .equal('ejected: victims only, up to the cap', unexplainedEjections.map((event) => victimIds.has(event.node)), Array.from({ length: cap - measured.survivorsEjectedByStalls }, () => true))
        .equal('nodes out at once: the cap', measured.maxOut, cap)
        .equal('every failure has a client error code', untypedCodes(report), [])
        .atMost('no call outlived its deadline', report.maxCallMs, callBoundMs(target), ' ms')
        // Only keys placed on dead nodes fail; everything else still answers.
        .atMost('no survivor failed', measured.survivorErrors, 0)
        .above('keys on dead nodes failed', report.errors, 0)
        .atMost('no wrong value read', report.wrongValues, 0);
      saveResult({ scenario: 'kill half', backend, report, measured, checks: checks.list, description: `SIGKILL ${victims.map((victim) => victim.id).join(', ')} (${victims.length} of ${nodes.length}) at 600 ms, kept down; at most ${cap} may be ejected` }, target);
      checks.assertAll();
    } finally {
      await client.destroy();
    }
  });
});

describe.each(BACKENDS)('kill every %s node', (backend) => {
  it('fails every call fast with a typed error, and recovers fully when they return', async () => {
    const nodes = serversOf(fleet, backend);
    const client = chaosClient(backend, addresses(nodes));
    const target = new RecordingTarget(client, 'kill-all:', TIMEOUT_MS, nodes);
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
      const held = loopHeld(target);
      const measured = {
        ...target.lateness,
        callsWhileDead: whileDead.length,
        p99WhileDead: ms(percentileMs(whileDead, 99)),
        // The strict figure, recorded, not asserted: on shared cores a descheduled process can
        // hold a few hundred of these calls past 20 ms.
        p99WhileDeadWithin20ms: percentileMs(whileDead, 99) <= 20,
        maxWhileDead: ms(percentileMs(whileDead, 100)),
        restartedIn: ms(allBack - firstBack),
        errorsLast500ms: end.filter((call) => call.errorCode !== undefined).length,
        // Those a stall of this process explains (calls to restarted servers timed out) excused.
        unexplainedErrorsLast500ms: unexplainedFailures(end, held).length,
      };
      const checks = new Checks()
        .above('calls while every node was dead', whileDead.length, 100)
        .atMost('none of them succeeded', whileDead.filter((call) => call.errorCode === undefined).length, 0)
        .equal('every failure has a client error code', untypedCodes(report), [])
        // Fast: no waiting on a dead server (refused connections, open breakers, no node left). A
        // call that waited would last its deadline: 99 % of them end well before it. (Thousands of
        // calls, so one stall moves the p99 by nothing.)
        .below('p99 while dead: fast, under half a deadline', measured.p99WhileDead, TIMEOUT_MS / 2, ' ms')
        .atMost('no call outlived its deadline', report.maxCallMs, callBoundMs(target), ' ms')
        // Full recovery under load: the last 500 ms without an error, then every node back in the ring.
        .above('calls in the last 500 ms', end.length, 100)
        .atMost('no error in the last 500 ms (stalls of ours excused)', measured.unexplainedErrorsLast500ms, 0)
        .atMost('no wrong value read', report.wrongValues, 0);
      saveResult({ scenario: 'kill all', backend, report, measured, checks: checks.list, description: `SIGKILL all ${nodes.length} nodes at 800 ms, restarted (empty) 1 s later` }, target);
      checks.assertAll();
      await expect.poll(() => client.ejected, { timeout: 3000, interval: 20 }).toEqual([]);
    } finally {
      await client.destroy();
    }
  });
});
