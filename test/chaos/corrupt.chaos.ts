// One node's replies replaced by random bytes (through its fault proxy) under load: calls fail
// with typed errors, the client reconnects when the replies are sound again, and no garbage is
// ever returned as a value.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import { BACKENDS, chaosClient, ms, RecordingTarget, recordRingEvents, saveResult, serversOf, timedFault, TIMEOUT_MS, untypedCodes } from './support/chaos-kit.js';
import { Checks } from './support/checks.js';
import { callBoundMs, loopHeld, returnBoundMs, unexplainedFailures } from './support/lateness.js';

/*
 * Runs the default memcached node (meta protocol). Found with this suite: the memjs node never
 * recovered from one garbage reply (memjs waits for the garbage header's body length and its
 * idle timeout never fires while replies keep coming). The memjs node now closes its sockets
 * when a call outlives its deadline; that path is not exercised here.
 */

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 4, redis: 4 });
});
afterAll(() => fleet.stop());

describe.each(BACKENDS)('corrupt replies from one %s node', (backend) => {
  it('fail with typed errors, the client reconnects, and no wrong value is read', async () => {
    const nodes = serversOf(fleet, backend);
    const victim = nodes[2] as FleetNode;
    // The victim is reached through its proxy; the others directly.
    const victimId = victim.proxyAddress ?? '';
    const client = chaosClient(backend, nodes.map((node) => (node === victim ? victimId : node.address)));
    const target = new RecordingTarget(client, 'corrupt:', TIMEOUT_MS, nodes);
    const events = recordRingEvents(target);
    const corrupt = timedFault(target, () => applyFault(victim, { type: 'corrupt', mode: 'garbage' }));
    try {
      await client.ping();
      // 1 s of garbage, then 4 s of load: time for the victim's return (`returnBoundMs`, about
      // 2.3 s here) and for calls after it.
      const report = await target.run({ maxOps: 1_000_000, durationMs: 5600, concurrency: 32, keys: 100, callTimeoutMs: 1000, faults: [{ atMs: 600, durationMs: 1000, apply: corrupt.apply }] });
      const victimCalls = target.calls.filter((call) => call.node === victimId);
      const victimEvents = events.filter((event) => event.node === victimId);
      // Its return: the first restore once the replies were sound again (or the one that had it in
      // the ring then). After it the node is sound: an ejection then is excused only when a stall
      // of ours timed its calls out (seen: a 206 ms stall ejected it again; judging the last
      // restore instead failed that run).
      const endedAt = corrupt.times.revertedMs;
      const atEnd = victimEvents.filter((event) => event.atMs < endedAt).at(-1);
      const returned = atEnd?.type === 'restored' ? atEnd : victimEvents.find((event) => event.type === 'restored' && event.atMs >= endedAt);
      const backAt = returned?.atMs ?? Number.NaN;
      const afterBack = victimCalls.filter((call) => call.startMs >= backAt);
      const held = loopHeld(target);
      const measured = {
        ...target.lateness,
        bytesAltered: report.faults[0]?.counters.bytesAltered ?? 0,
        victimErrors: victimCalls.filter((call) => call.errorCode !== undefined).length,
        ejections: events.filter((event) => event.type === 'ejected').length,
        victimEjections: victimEvents.filter((event) => event.type === 'ejected').length,
        restoredAfterRevertMs: ms(backAt - endedAt),
        restoreBoundMs: ms(returnBoundMs(target, { lostBytes: true })),
        victimOkAfterRestore: afterBack.filter((call) => call.errorCode === undefined).length,
        victimErrorsAfterRestore: afterBack.filter((call) => call.errorCode !== undefined).length,
        // Those a stall of this process explains (its calls timed out while the loop stood still) excused.
        unexplainedVictimErrorsAfterRestore: unexplainedFailures(afterBack, held).length,
        unexplainedEjectionsAfterRestore: victimEvents.filter((event) => event.type === 'ejected' && event.atMs > backAt && !held.explains(event)).length,
        firstVictimOkAfterRevertMs: ms((victimCalls.find((call) => call.startMs >= corrupt.times.revertedMs && call.errorCode === undefined)?.endMs ?? Number.NaN) - corrupt.times.revertedMs),
      };
      const checks = new Checks()
        .above('the fault altered bytes', measured.bytesAltered, 0)
        .above("the victim's calls failed", measured.victimErrors, 0)
        .equal('every failure has a client error code', untypedCodes(report), [])
        .atMost('no wrong value read', report.wrongValues, 0)
        .atMost('no call outlived its deadline', report.maxCallMs, callBoundMs(target), ' ms')
        // Taken out while its replies were garbage, and back once they were sound, in time: the
        // client reconnected. Then it answers, without errors, to the end of the load.
        .atLeast('the victim was ejected', measured.victimEjections, 1)
        .atMost('restored in time after the revert', measured.restoredAfterRevertMs, measured.restoreBoundMs, ' ms')
        .above('the victim answered after its return', measured.victimOkAfterRestore, 50)
        .atMost('no victim error after its return (stalls of ours excused)', measured.unexplainedVictimErrorsAfterRestore, 0)
        .atMost('no ejection after its return (stalls of ours excused)', measured.unexplainedEjectionsAfterRestore, 0);
      saveResult({ scenario: 'corrupt', backend, report, measured, checks: checks.list, description: `replies of ${victim.id} (through its fault proxy) replaced by random bytes from 600 ms for 1 s` }, target);
      checks.assertAll();
    } finally {
      await client.destroy();
    }
  });
});
