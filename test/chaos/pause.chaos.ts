// A paused node (SIGSTOP: connections stay open, nothing answers, data kept) under load. It must
// leave the ring within the detection bound and return after SIGCONT without serving what it
// held from before. The same test runs without rejoin safety to prove stale reads would show.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode, type ScenarioReport } from '@shardcache/chaos';
import {
  BACKENDS,
  callBoundMs,
  chaosClient,
  FAST_HEALTH,
  ms,
  recordRingEvents,
  RecordingTarget,
  saveResult,
  serversOf,
  SLACK_MS,
  STABLE_MS,
  timedFault,
  TIMEOUT_MS,
  untypedCodes,
  type Backend,
} from './support/chaos-kit.js';

/** Ejected within `timeout x serverFailureLimit` plus one probe interval (plus slack). */
const EJECTION_BOUND_MS = TIMEOUT_MS * FAST_HEALTH.serverFailureLimit + FAST_HEALTH.probeIntervalMs + SLACK_MS;
/**
 * Back after SIGCONT within: the longest ejection (a probe failed just before), `successThreshold`
 * probes, a probe deadline, rejoin's `stableMs`, plus slack.
 */
const RESTORE_BOUND_MS = FAST_HEALTH.maxEjectionMs + FAST_HEALTH.successThreshold * FAST_HEALTH.probeIntervalMs + TIMEOUT_MS + STABLE_MS + SLACK_MS;

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ memcached: 5, redis: 5 });
});
afterAll(async () => {
  for (const node of fleet.servers) if (node.paused) await node.resume();
  await fleet.stop();
});

interface PauseRun {
  readonly report: ScenarioReport;
  readonly ejectedAfterMs: number;
  readonly restoredAfterResumeMs: number;
  readonly readsAfterRestore: number;
  readonly maxCallBoundMs: number;
  readonly loopStallMs: number;
}

async function pauseUnderLoad(backend: Backend, victim: FleetNode, rejoin: boolean): Promise<PauseRun> {
  const nodes = serversOf(fleet, backend).map((node) => node.address);
  const client = chaosClient(backend, nodes, { failover: 'next', rejoin: { enabled: rejoin, failoverTtl: 'none' } });
  const target = new RecordingTarget(client, `pause:${String(rejoin)}:`);
  const events = recordRingEvents(target);
  const pause = timedFault(target, () => applyFault(victim, { type: 'pause' }));
  try {
    await client.ping();
    const report = await target.run({
      maxOps: 1_000_000,
      durationMs: 3500,
      concurrency: 32,
      keys: 100,
      callTimeoutMs: 1000,
      faults: [{ atMs: 600, durationMs: 1200, apply: pause.apply }],
    });
    const ejected = events.find((event) => event.type === 'ejected' && event.node === victim.address);
    const restored = events.find((event) => event.type === 'restored' && event.node === victim.address);
    const restoredAt = restored?.atMs ?? Number.NaN;
    return {
      report,
      ejectedAfterMs: ms((ejected?.atMs ?? Number.NaN) - pause.times.appliedMs),
      restoredAfterResumeMs: ms(restoredAt - pause.times.revertedMs),
      maxCallBoundMs: callBoundMs(target),
      loopStallMs: target.loopStallMs,
      readsAfterRestore: target.calls.filter((call) => call.kind === 'get' && call.startMs >= restoredAt && call.node === victim.address).length,
    };
  } finally {
    await client.destroy();
  }
}

describe.each(BACKENDS)('pause one %s node', (backend) => {
  it('is ejected in time, restored after resume, and serves no stale read; without rejoin safety it does (control)', async () => {
    const victim = serversOf(fleet, backend)[1] as FleetNode;
    const safe = await pauseUnderLoad(backend, victim, true);
    const unsafe = await pauseUnderLoad(backend, victim, false);
    const measured = (run: PauseRun) => ({ ejectedAfterMs: run.ejectedAfterMs, restoredAfterResumeMs: run.restoredAfterResumeMs, victimReadsAfterRestore: run.readsAfterRestore, loopStallMs: run.loopStallMs });
    saveResult({ scenario: 'pause', backend, report: safe.report, measured: measured(safe) });
    saveResult({ scenario: 'pause, rejoin off', backend, report: unsafe.report, measured: measured(unsafe) });

    for (const run of [safe, unsafe]) {
      expect(run.ejectedAfterMs).toBeLessThanOrEqual(EJECTION_BOUND_MS);
      expect(run.restoredAfterResumeMs).toBeGreaterThan(0);
      expect(run.restoredAfterResumeMs).toBeLessThanOrEqual(RESTORE_BOUND_MS);
      // The victim's keys were read after it returned: the stale check had something to look at.
      expect(run.readsAfterRestore).toBeGreaterThan(100);
      expect(untypedCodes(run.report)).toEqual([]);
      expect(run.report.maxCallMs).toBeLessThanOrEqual(run.maxCallBoundMs);
      expect(run.report.wrongValues).toBe(0);
    }
    expect(safe.report.staleReads).toBe(0);
    expect(unsafe.report.staleReads).toBeGreaterThan(0);
  });
});
