// How late a scenario's run was, and what that excuses: the time bounds of the chaos checks
// (detection settings in force, late by what the same run measured) and the failures of sound
// nodes that a stall of this process explains. Nothing here is a slack tuned on some machine.
import type { LoopStall } from '@shardcache/chaos';
import type { ClientHealthOptions } from '@shardcache/client';
import { CONNECT_TIMEOUT_MS, FAST_HEALTH, RECONNECT_MAX_MS, STABLE_MS, TIMEOUT_MS, type CallRecord, type RecordingTarget, type RingEvent } from './chaos-kit.js';

/**
 * How late `links` timers or round trips in a row may finish in the target's last run, from what
 * that run measured (never a slack guessed on a quieter machine): each link by the event loop's
 * longest stall, all of them together by its stalls added up, whichever is less; plus, per link,
 * the p99 of the run's no-fault phase (a busy turn of the loop, and a server's answer when the
 * servers share the 2 cores with us).
 */
export function lateMs(target: RecordingTarget, links: number): number {
  const { longestMs, totalMs } = target.stalls;
  return Math.min(totalMs, links * longestMs) + links * target.noFaultP99Ms;
}

/**
 * The longest a call may take: its deadline, late by two links (`lateMs`): the deadline's timer,
 * then the turn that hands the failure back (a connection dropped for a late call fails the
 * calls on it from its close, an I/O event). Seen: 455 ms against one link's 449 ms.
 */
export function callBoundMs(target: RecordingTarget, timeoutMs = TIMEOUT_MS): number {
  return timeoutMs + lateMs(target, 2);
}

/** Round trips the purge before a return takes at most (the client's MAX_PURGE_ROUNDS). */
const PURGE_ROUNDS = 3;

/** The health settings a return to the ring waits on. */
export type ReturnSettings = Pick<Required<ClientHealthOptions>, 'maxEjectionMs' | 'successThreshold' | 'probeIntervalMs'>;

/**
 * Back in the ring after a fault ends within: the longest ejection (a probe failed just before
 * the end), the node's reconnect pause, `successThreshold` probes and one probe deadline,
 * rejoin's `stableMs`, and the purge before the return (at most `PURGE_ROUNDS` round trips:
 * Rejoin.purgeThen); late by as many links (`lateMs`). A fault that drops or garbles bytes
 * (`lostBytes`: blackhole, corrupt) can leave a handshake hanging, and the node waits for its
 * `CONNECT_TIMEOUT_MS` before it starts over (seen: redis back 2.0 s after garbage, not 1.0 s).
 * A paused server answers its handshakes when it resumes.
 */
export function returnBoundMs(target: RecordingTarget, options: { readonly health?: ReturnSettings; readonly lostBytes: boolean }): number {
  const { health = FAST_HEALTH, lostBytes } = options;
  const links = 4 + health.successThreshold + PURGE_ROUNDS + (lostBytes ? 1 : 0);
  return health.maxEjectionMs + (lostBytes ? CONNECT_TIMEOUT_MS : 0) + RECONNECT_MAX_MS + health.successThreshold * health.probeIntervalMs + TIMEOUT_MS + STABLE_MS + lateMs(target, links);
}

/**
 * What this process's own stalls explain in the target's last run. A call timed out because of
 * us when one stall of the event loop lasted from before its answer was due (its start plus the
 * no-fault phase's slowest call, at most the deadline) until after its deadline: the loop never
 * turned in between, so nothing could read the answer, and the deadline's timer runs first when
 * the loop comes back. Shorter stalls explain nothing (a turn in between reads the answer). After such a call, until the node
 * answers again but at most one reconnect (`RECONNECT_MAX_MS`), one handshake
 * (`CONNECT_TIMEOUT_MS`) and one deadline later, the node's failures other than timeouts are the
 * stall's doing too (a RESP connection is dropped at a late call: the calls on it fail, and new
 * ones while it reconnects), and so is its ejection if it falls there. Nothing else is excused: a
 * timeout no stall covers, or a node that still fails after that, fails the checks.
 */
export interface LoopHeld {
  /** Failed calls the stalls explain. */
  readonly failures: ReadonlySet<CallRecord>;
  /** Whether the stalls explain this ejection (of a node that was failing only because of them). */
  explains(event: RingEvent): boolean;
}

export function loopHeld(target: RecordingTarget): LoopHeld {
  // Not the p99: 1 % of sound answers come later than that (seen: 3 survivors' timeouts in a 112
  // ms stall, and the 229 failures of their dropped connections, charged to the survivors).
  const dueMs = Math.min(target.noFaultMaxMs, target.timeoutMs);
  const held = (call: CallRecord): boolean =>
    call.errorCode === 'ERR_TIMEOUT' && target.stalls.stalls.some((stall: LoopStall) => stall.fromMs <= call.startMs + dueMs && stall.toMs >= call.startMs + target.timeoutMs);
  const failures = new Set(target.calls.filter(held));
  const windows = [...failures].map((call) => {
    const answered = target.calls.find((other) => other.node === call.node && other.errorCode === undefined && other.endMs >= call.endMs);
    const reconnectedBy = call.endMs + RECONNECT_MAX_MS + CONNECT_TIMEOUT_MS + target.timeoutMs;
    return { node: call.node, fromMs: call.startMs + target.timeoutMs, toMs: Math.min(reconnectedBy, answered?.endMs ?? Infinity) };
  });
  const inWindow = (node: string | undefined, atMs: number): boolean => windows.some((window) => window.node === node && window.fromMs <= atMs && atMs <= window.toMs);
  for (const call of target.calls) {
    if (call.errorCode !== undefined && call.errorCode !== 'ERR_TIMEOUT' && inWindow(call.node, call.endMs)) failures.add(call);
  }
  return {
    failures,
    explains: (event) => event.type === 'ejected' && inWindow(event.node, event.atMs),
  };
}

/** Failed calls among `calls` that `held` does not explain. */
export function unexplainedFailures(calls: readonly CallRecord[], held: LoopHeld): CallRecord[] {
  return calls.filter((call) => call.errorCode !== undefined && !held.failures.has(call));
}
