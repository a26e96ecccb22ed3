// One node's replies replaced by random bytes (through its fault proxy) under load: calls fail
// with typed errors, the client reconnects when the replies are sound again, and no garbage is
// ever returned as a value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode } from '@shardcache/chaos';
import {
  BACKENDS,
  callBoundMs,
  chaosClient,
  lastStartMs,
  ms,
  RecordingTarget,
  recordRingEvents,
  saveResult,
  serversOf,
  startedBetween,
  timedFault,
  untypedCodes,
} from './support/chaos-kit.js';

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
    const target = new RecordingTarget(client, 'corrupt:');
    const events = recordRingEvents(target);
    const corrupt = timedFault(target, () => applyFault(victim, { type: 'corrupt', mode: 'garbage' }));
    try {
      await client.ping();
      const report = await target.run({ maxOps: 1_000_000, durationMs: 3500, concurrency: 32, keys: 100, callTimeoutMs: 1000, faults: [{ atMs: 600, durationMs: 1000, apply: corrupt.apply }] });
      const victimCalls = target.calls.filter((call) => call.node === victimId);
      const lastStart = lastStartMs(target.calls);
      const victimEnd = startedBetween(victimCalls, lastStart - 500, lastStart + 1);
      const measured = {
        loopStallMs: target.loopStallMs,
        bytesAltered: report.faults[0]?.counters.bytesAltered ?? 0,
        victimErrors: victimCalls.filter((call) => call.errorCode !== undefined).length,
        ejections: events.filter((event) => event.type === 'ejected').length,
        victimOkLast500ms: victimEnd.filter((call) => call.errorCode === undefined).length,
        victimErrorsLast500ms: victimEnd.filter((call) => call.errorCode !== undefined).length,
        firstVictimOkAfterRevertMs: ms((victimCalls.find((call) => call.startMs >= corrupt.times.revertedMs && call.errorCode === undefined)?.endMs ?? Number.NaN) - corrupt.times.revertedMs),
      };
      saveResult({ scenario: 'corrupt', backend, report, measured });

      expect(measured.bytesAltered).toBeGreaterThan(0);
      expect(measured.victimErrors).toBeGreaterThan(0);
      expect(untypedCodes(report)).toEqual([]);
      expect(report.wrongValues).toBe(0);
      expect(report.maxCallMs).toBeLessThanOrEqual(callBoundMs(target));
      // Reconnected: the victim answers again, without errors, by the end of the load.
      expect(measured.victimOkLast500ms).toBeGreaterThan(50);
      expect(measured.victimErrorsLast500ms).toBe(0);
    } finally {
      await client.destroy();
    }
  });
});
