// A node whose network flaps (blackholed for 300 ms, sound for 300 ms, for 10 s) under load:
// flap damping must keep it from cycling in and out of the ring, and once it is back it must
// serve nothing written elsewhere while it was out.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { BACKENDS, chaosClient, ms, RecordingTarget, recordRingEvents, saveResult, serversOf, timedFault, TIMEOUT_MS, untypedCodes } from './support/chaos-kit.js';
import { Checks } from './support/checks.js';
import { callBoundMs, loopHeld, returnBoundMs } from './support/lateness.js';

const FLAP = { periodMs: 300, forMs: 10_000 } as const;
/** Three probes 200 ms apart span more than one 300 ms healthy spell (see @shardcache/health's flapping tests). */
const HEALTH = { serverRetryTimeout: 1000, maxEjectionMs: 1000, probeIntervalMs: 200, successThreshold: 3 } as const;

/**
 * Found by this suite and fixed in the client: a connection that lost reply bytes (the proxy's
 * blackhole drops them mid-stream) used to keep its commands queued, so later replies were
 * matched to older commands (stale reads) and the node never came back. Nodes now reset their
 * connection when a call or a probe outlives its deadline.
 */

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 4, redis: 4 });
});
afterAll(() => fleet.stop());

describe.each(BACKENDS)('a flapping %s node', (backend) => {
  it('cycles out and back at most twice and serves no stale read after the flapping ends', async () => {
    const nodes = serversOf(fleet, backend);
    const victim = nodes[1] as FleetNode;
    const victimId = victim.proxyAddress ?? '';
    const client = chaosClient(backend, nodes.map((node) => (node === victim ? victimId : node.address)), { health: HEALTH });
    const target = new RecordingTarget(client, 'flap:', TIMEOUT_MS, nodes);
    const events = recordRingEvents(target);
    const flap = timedFault(target, () => applyFault(victim, { type: 'flap', fault: { type: 'blackhole' }, periodMs: FLAP.periodMs }));
    try {
      await client.ping();
      const report = await target.run({
        // The time limit must end the run: on memcached 32 (even 16) workers can reach the
        // toolkit's cap of a million calls before it, so fewer workers keep the load bounded.
        maxOps: 1_000_000,
        // After the flapping, time for its return (`returnBoundMs`: 3 s and what the run was
        // late) and for reads from it.
        durationMs: 500 + FLAP.forMs + 4500,
        concurrency: backend === 'memcached' ? 8 : 32,
        keys: 100,
        callTimeoutMs: 1000,
        faults: [{ atMs: 500, durationMs: FLAP.forMs, apply: flap.apply }],
      });
      const victimEvents = events.filter((event) => event.node === victimId);
      // Its return: the restore that had it in the ring when the flapping ended, or the first after.
      const endedAt = flap.times.revertedMs;
      const atEnd = victimEvents.filter((event) => event.atMs < endedAt).at(-1);
      const returned = atEnd?.type === 'restored' ? atEnd : victimEvents.find((event) => event.type === 'restored' && event.atMs >= endedAt);
      const returnedAt = returned?.atMs ?? Infinity;
      // After its return the node is sound: an ejection then is only excused when this process's
      // own stall timed its calls out (seen once: a 107 ms stall, timeouts of 100 ms).
      const held = loopHeld(target);
      const unexplained = victimEvents.filter((event) => event.type === 'ejected' && event.atMs > returnedAt && !held.explains(event));
      const measured = {
        ...target.lateness,
        flaps: report.faults[0]?.counters.flaps ?? 0,
        // The proxy's flap timers run on this event loop: each spell starts late by the stalls
        // before it, so over the whole flapping the stalls added up cost spells.
        flapsExpected: Math.floor((FLAP.forMs - target.stalls.totalMs) / (2 * FLAP.periodMs)) - 1,
        ejections: victimEvents.filter((event) => event.type === 'ejected').length,
        restores: victimEvents.filter((event) => event.type === 'restored').length,
        ejectionsWhileFlapping: victimEvents.filter((event) => event.type === 'ejected' && event.atMs < returnedAt).length,
        restoresToReturn: victimEvents.filter((event) => event.type === 'restored' && event.atMs <= returnedAt).length,
        ejectionsAfterReturn: victimEvents.filter((event) => event.type === 'ejected' && event.atMs > returnedAt).length,
        unexplainedEjectionsAfterReturn: unexplained.length,
        // Nodes other than the victim taken out too (a stall of this process past the deadline
        // does it): with the victim out as well, a key then lives two failover steps from its
        // owner, where the client has left copies that later read stale (issue 21's note). The
        // stale-read check stays strict: that is the client's to fix, not the suite's to excuse.
        otherEjections: events.filter((event) => event.node !== victimId && event.type === 'ejected').length,
        restoredAfterFlapMs: ms((returned?.atMs ?? Number.NaN) - endedAt),
        restoreBoundMs: ms(returnBoundMs(target, { health: HEALTH, lostBytes: true })),
        staleAfterRestore: target.calls.filter((call) => call.stale && call.startMs >= returnedAt).length,
        victimReadsAfter: target.calls.filter((call) => call.kind === 'get' && call.node === victimId && call.startMs >= returnedAt).length,
      };
      const checks = new Checks()
        .equal('the time limit ended the load', report.stoppedBy, 'duration')
        // `flaps` counts spells of the blackhole (one every two periods).
        .atLeast('blackhole spells played', measured.flaps, measured.flapsExpected)
        .atLeast('ejected while flapping', measured.ejectionsWhileFlapping, 1)
        .atMost('ejected while flapping: at most twice (damping)', measured.ejectionsWhileFlapping, 2)
        .atMost('restored before its return: at most twice', measured.restoresToReturn, 2)
        // Rejoin safety promises no stale read, ever, not only after the node returns.
        .atMost('no stale read', report.staleReads, 0)
        .atMost('no wrong value read', report.wrongValues, 0)
        .equal('every failure has a client error code', untypedCodes(report), [])
        .atMost('no call outlived its deadline', report.maxCallMs, callBoundMs(target), ' ms')
        // Back in the ring after the flapping, in time, staying there, and nothing stale read from
        // it afterwards.
        .atMost('back in time after the flapping', measured.restoredAfterFlapMs, measured.restoreBoundMs, ' ms')
        .atMost('no ejection after its return (stalls of ours excused)', measured.unexplainedEjectionsAfterReturn, 0)
        .above("the victim's keys read after its return", measured.victimReadsAfter, 100)
        .atMost('no stale read after its return', measured.staleAfterRestore, 0);
      saveResult({ scenario: 'flap', backend, report, measured, checks: checks.list, description: `${victim.id} (through its fault proxy) blackholed ${FLAP.periodMs} ms, sound ${FLAP.periodMs} ms, from 500 ms for ${FLAP.forMs / 1000} s` }, target);
      checks.assertAll();
    } finally {
      await client.destroy();
    }
  });
});
