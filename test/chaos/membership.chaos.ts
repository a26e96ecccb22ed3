// Nodes added and removed while the load runs: no call may fail, and the connections of removed
// nodes (then of the whole client, once closed) must go away, counted from /proc.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocketsTo, startFleet, type Fleet } from '@shardcache/chaos';
import type { MembershipChange } from '@shardcache/client';
import { BACKENDS, chaosClient, ms, RecordingTarget, saveResult, serversOf } from './support/chaos-kit.js';
import { Checks } from './support/checks.js';
import { callBoundMs, loopHeld, unexplainedFailures } from './support/lateness.js';

/** Calls between two changes, so each change lands while calls flow. */
const CALLS_PER_CHANGE = 8000;
/**
 * No node fails here, so detection is not under test: each call gets the load's own hang limit
 * as its deadline. Only a call the changes lost or left hanging fails, not one whose server the
 * machine starved past the kit's 100 ms (seen: 19 such timeouts at a load average of 14 on 2
 * cores, with no stall of ours long enough to explain them).
 */
const CALL_TIMEOUT_MS = 1000;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 6, redis: 6, proxy: false });
});
afterAll(() => fleet.stop());

describe.each(BACKENDS)('add and remove %s nodes under load', (backend) => {
  it('loses no call, reads nothing stale, and leaks no connection', async () => {
    const servers = serversOf(fleet, backend);
    const [a, b, c, d, e, f] = servers.map((node) => node.address) as [string, string, string, string, string, string];
    const sockets = (addresses: readonly string[]): number => openSocketsTo(servers.filter((node) => addresses.includes(node.address)).map((node) => node.port));
    const all = servers.map((node) => node.address);
    // Earlier clients are gone: nothing of this process is connected to the fleet.
    await expect.poll(() => sockets(all), { timeout: 3000, interval: 20 }).toBe(0);

    const client = chaosClient(backend, [a, b, c, d], { timeoutMs: CALL_TIMEOUT_MS });
    const target = new RecordingTarget(client, 'membership:', CALL_TIMEOUT_MS, servers);
    // Only fresh nodes join and removed nodes never return, so no key can move back to a node
    // holding an older copy: any stale read would be the client's.
    const changes: MembershipChange[] = [{ add: [e] }, { remove: [a] }, { add: [f] }, { remove: [b] }];
    const socketsAfterChange: number[] = [];
    try {
      await client.ping();
      const load = target.run({ maxOps: CALLS_PER_CHANGE * (changes.length + 3), durationMs: 20_000, concurrency: 48, keys: 200, callTimeoutMs: 2 * CALL_TIMEOUT_MS });
      for (const [index, change] of changes.entries()) {
        await expect.poll(() => target.calls.length, { timeout: 10_000, interval: 5 }).toBeGreaterThan((index + 1) * CALLS_PER_CHANGE);
        await client.applyChange(change);
        socketsAfterChange.push(sockets(all));
      }
      const report = await load;
      // Removed nodes close once their calls in flight are done.
      await expect.poll(() => sockets([a, b]), { timeout: 3000, interval: 20 }).toBe(0);
      const openAtEnd = sockets(all);
      await client.close();
      await expect.poll(() => sockets(all), { timeout: 3000, interval: 20 }).toBe(0);
      const measured = {
        ...target.lateness,
        maxCallBoundMs: ms(callBoundMs(target, CALL_TIMEOUT_MS)),
        // Calls a stall of this process timed out are excused; no other may fail.
        unexplainedErrors: unexplainedFailures(target.calls, loopHeld(target)).length,
        changes: changes.length, socketsAfterEachChange: socketsAfterChange.join('/'), openAtEnd, openAfterClose: sockets(all) };
      const checks = new Checks()
        .equal('the load ran to its last call', report.stoppedBy, 'maxOps')
        .equal('failures only timeouts or connection errors', Object.keys(report.errorsByCode).filter((code) => code !== 'ERR_TIMEOUT' && code !== 'ERR_CONNECTION'), [])
        .atMost('no call failed (stalls of ours excused)', measured.unexplainedErrors, 0)
        .atMost('no call outlived its deadline', report.maxCallMs, measured.maxCallBoundMs, ' ms')
        .atMost('no stale read', report.staleReads, 0)
        .atMost('no wrong value read', report.wrongValues, 0)
        .equal('the ring holds the nodes the changes left', client.ring.nodes.map((node) => node.id).sort(), [c, d, e, f].sort())
        // At most one connection per node in the ring at each step, and at least one in use.
        .that('1 to 5 connections after each change', socketsAfterChange.every((count) => count >= 1 && count <= 5), socketsAfterChange.join('/'))
        .atLeast('connections open at the end', openAtEnd, 1)
        .atMost('connections open at the end: one per node at most', openAtEnd, 4);
      saveResult({ scenario: 'add/remove', backend, report, measured, checks: checks.list, description: `${changes.length} membership changes (add, remove, add, remove) under 48 callers` }, target);
      checks.assertAll();
    } finally {
      await client.destroy();
    }
  });
});
