// A paused node (SIGSTOP: connections stay open, nothing answers, data kept) under load. It must
// leave the ring within the detection bound and return after SIGCONT without serving what it
// held from before. The same test runs without rejoin safety to prove stale reads would show.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { applyFault, startFleet, type Fleet, type FleetNode, type ScenarioReport } from '@shardcache/chaos';
import {
  BACKENDS,
  chaosClient,
  FAST_HEALTH,
  ms,
  recordRingEvents,
  RecordingTarget,
  saveResult,
  serversOf,
  timedFault,
  TIMEOUT_MS,
  untypedCodes,
  type Backend,
} from './support/chaos-kit.js';
import { Checks } from './support/checks.js';
import { callBoundMs, loopHeld, returnBoundMs } from './support/lateness.js';

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
  readonly target: RecordingTarget;
  readonly measured: {
    readonly outAtFaultByStall: boolean | null;
    readonly ejectedAfterMs: number;
    readonly ejectedLateMs: number;
    readonly ejectedLateBoundMs: number;
    readonly restoredAfterResumeMs: number;
    readonly restoreBoundMs: number;
    readonly victimReadsAfterRestore: number;
    readonly maxCallBoundMs: number;
    readonly loopStallMs: number;
    readonly loopStalledMs: number;
    readonly noFaultP99Ms: number;
  };
}

async function pauseUnderLoad(backend: Backend, victim: FleetNode, rejoin: boolean): Promise<PauseRun> {
  const nodes = serversOf(fleet, backend).map((node) => node.address);
  const client = chaosClient(backend, nodes, { failover: 'next', rejoin: { enabled: rejoin, failoverTtl: 'none' } });
  const target = new RecordingTarget(client, `pause:${String(rejoin)}:`, TIMEOUT_MS, serversOf(fleet, backend));
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
    const victimEvents = events.filter((event) => event.node === victim.address);
    // Out already when the pause began (a stall of ours timed its calls out, which is checked):
    // then this run cannot time the pause's detection, only its return.
    const lastBefore = victimEvents.filter((event) => event.atMs < pause.times.appliedMs).at(-1);
    const outAtFault = lastBefore?.type === 'ejected' ? lastBefore : undefined;
    const ejected = victimEvents.find((event) => event.type === 'ejected' && event.atMs >= pause.times.appliedMs);
    const restored = victimEvents.find((event) => event.type === 'restored' && event.atMs >= pause.times.appliedMs);
    const restoredAt = restored?.atMs ?? Number.NaN;
    // Every call the victim got once it was stopped fails at its deadline, so the ejection is due
    // by the deadline of the serverFailureLimit-th of them (earlier if calls in flight at the
    // stop failed first): measured from that call's start, the client's detection is one
    // deadline, late as a call may be (`callBoundMs`). (The settings' worst case, `timeout x
    // serverFailureLimit` plus a probe interval, is looser: a detection twice as slow passes it.)
    const hung = target.calls.filter((call) => call.node === victim.address && call.startMs >= pause.times.activeMs).sort((a, b) => a.startMs - b.startMs);
    const due = hung[FAST_HEALTH.serverFailureLimit - 1]?.startMs ?? Infinity;
    return {
      report,
      target,
      measured: {
        outAtFaultByStall: outAtFault === undefined ? null : loopHeld(target).explains(outAtFault),
        ejectedAfterMs: ms((ejected?.atMs ?? Number.NaN) - pause.times.appliedMs),
        ejectedLateMs: ms(Math.max(0, (ejected?.atMs ?? Number.NaN) - due)),
        ejectedLateBoundMs: ms(callBoundMs(target)),
        restoredAfterResumeMs: ms(restoredAt - pause.times.revertedMs),
        restoreBoundMs: ms(returnBoundMs(target, { lostBytes: false })),
        victimReadsAfterRestore: target.calls.filter((call) => call.kind === 'get' && call.startMs >= restoredAt && call.node === victim.address).length,
        maxCallBoundMs: ms(callBoundMs(target)),
        ...target.lateness,
      },
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
    const safeChecks = new Checks();
    const unsafeChecks = new Checks();
    const runs = [
      { scenario: 'pause', run: safe, checks: safeChecks },
      { scenario: 'pause, rejoin off', run: unsafe, checks: unsafeChecks },
    ];
    for (const { run: { report, measured }, checks } of runs) {
      if (measured.outAtFaultByStall === null) {
        checks.above('ejected after the pause began', measured.ejectedAfterMs, 0, ' ms');
        checks.atMost('ejected within a deadline of its second hung call', measured.ejectedLateMs, measured.ejectedLateBoundMs, ' ms late');
      } else {
        checks.that('out at the pause only because a stall of ours timed its calls out', measured.outAtFaultByStall, String(measured.outAtFaultByStall));
      }
      checks.above('restored after the resume', measured.restoredAfterResumeMs, 0, ' ms');
      checks.atMost('restored in time', measured.restoredAfterResumeMs, measured.restoreBoundMs, ' ms');
      // The victim's keys were read after it returned: the stale check had something to look at.
      checks.above("the victim's keys read after its return", measured.victimReadsAfterRestore, 100);
      checks.equal('every failure has a client error code', untypedCodes(report), []);
      checks.atMost('no call outlived its deadline', report.maxCallMs, measured.maxCallBoundMs, ' ms');
      checks.atMost('no wrong value read', report.wrongValues, 0);
    }
    safeChecks.atMost('no stale read (rejoin safety)', safe.report.staleReads, 0);
    unsafeChecks.above('stale reads without rejoin safety (the control)', unsafe.report.staleReads, 0);
    for (const { scenario, run, checks } of runs) saveResult({ scenario, backend, report: run.report, measured: run.measured, checks: checks.list, description: `SIGSTOP ${victim.id} from 600 ms for 1.2 s under 32 callers, then SIGCONT` }, run.target);
    for (const { checks } of runs) checks.assertAll();
  });
});
