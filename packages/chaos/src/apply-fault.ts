import type { Cancel, Clock } from '@shardcache/health';
import { FaultNotApplicableError } from './errors.js';
import { isNetworkFault, validateFault, ZERO_COUNTERS, type Fault, type FaultCounters } from './faults.js';
import type { FaultProxy } from './fault-proxy.js';
import { systemClock } from './internal/clock.js';

/**
 * What a fault can be played on: a fleet node (`FleetNode`) or an etcd member (`EtcdMember`).
 * Network faults need its `proxy`; `kill` is reverted by `restart()` on the same address.
 */
export interface FaultTarget {
  readonly id: string;
  readonly proxy: FaultProxy | undefined;
  readonly running: boolean;
  pause(): Promise<void>;
  resume(): Promise<void> | void;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/** A fault being played on one node. */
export interface ActiveFault {
  readonly fault: Fault;
  readonly node: string;
  /** What the fault did since it was applied (proxy counters as a difference, plus signals sent). */
  counters(): FaultCounters;
  /** Undoes the fault: proxy back to pass-through, SIGCONT, or a restart of a killed server. Idempotent. */
  revert(): Promise<void>;
}

export interface ApplyFaultOptions {
  /**
   * Timers for `kill.restartAfterMs` and `flap`: `@shardcache/health`'s `Clock`. Default: epoch
   * milliseconds from `performance` and unref'd timers.
   */
  readonly clock?: Clock;
}

interface Signals { kills: number; pauses: number; restarts: number; flaps: number }

/**
 * Applies a fault to a fleet node (or an etcd member) and returns the handle that reverts it. Network faults go
 * through the node's fault proxy; `kill` and `pause` signal the server itself.
 *
 * @example
 * const active = await applyFault(fleet.redis[0], { type: 'latency', ms: 100, jitterMs: 20 });
 * // ... load through fleet.redis[0].proxyAddress ...
 * await active.revert();
 * console.log(active.counters().bytesHeld > 0);
 */
export async function applyFault(node: FaultTarget, fault: Fault, options: ApplyFaultOptions = {}): Promise<ActiveFault> {
  validateFault(fault);
  const clock = options.clock ?? systemClock;
  const proxy = node.proxy;
  const needsProxy = isNetworkFault(fault) || (fault.type === 'flap' && isNetworkFault(fault.fault));
  if (needsProxy && proxy === undefined) throw new FaultNotApplicableError(node.id, `"${fault.type}" needs a fault proxy (start the fleet with proxy: true)`);
  if (proxy?.fault !== undefined) throw new FaultNotApplicableError(node.id, `its proxy already plays "${proxy.fault.type}"; revert that first`);
  const before = proxy?.counters ?? ZERO_COUNTERS;
  const signals: Signals = { kills: 0, pauses: 0, restarts: 0, flaps: 0 };
  const timers = new Set<Cancel>();
  let reverted = false;
  let work: Promise<void> = Promise.resolve();
  // Every start and stop of the fault runs in order, so a flap never overlaps itself.
  const serial = (step: () => Promise<void>): Promise<void> => (work = work.then(step, step));
  const later = (ms: number, step: () => Promise<void>): void => {
    const cancel = clock.schedule(() => {
      timers.delete(cancel);
      if (!reverted) void serial(step);
    }, ms);
    timers.add(cancel);
  };

  const start = async (inner: Exclude<Fault, { type: 'flap' }>): Promise<void> => {
    if (isNetworkFault(inner)) return proxy?.setFault(inner);
    if (inner.type === 'pause') {
      signals.pauses += 1;
      return node.pause();
    }
    signals.kills += 1;
    await node.kill();
    if (inner.restartAfterMs !== undefined) later(inner.restartAfterMs, () => restartIfDown());
  };
  const restartIfDown = async (): Promise<void> => {
    if (node.running) return;
    await node.restart();
    signals.restarts += 1;
  };
  const stop = async (inner: Exclude<Fault, { type: 'flap' }>): Promise<void> => {
    if (isNetworkFault(inner)) return proxy?.setFault(undefined);
    if (inner.type === 'pause') return node.resume();
    return restartIfDown();
  };

  if (fault.type === 'flap') {
    const { fault: inner, periodMs } = fault;
    const on = async (): Promise<void> => {
      signals.flaps += 1;
      await start(inner);
      later(periodMs, off);
    };
    const off = async (): Promise<void> => {
      await stop(inner);
      later(periodMs, on);
    };
    await serial(on);
  } else {
    await serial(() => start(fault));
  }

  return {
    fault,
    node: node.id,
    counters: () => {
      const now = proxy?.counters ?? ZERO_COUNTERS;
      return Object.freeze({
        connections: now.connections - before.connections,
        bytesForwarded: now.bytesForwarded - before.bytesForwarded,
        bytesHeld: now.bytesHeld - before.bytesHeld,
        bytesDropped: now.bytesDropped - before.bytesDropped,
        bytesAltered: now.bytesAltered - before.bytesAltered,
        connectionsReset: now.connectionsReset - before.connectionsReset,
        requestsFailed: now.requestsFailed - before.requestsFailed,
        ...signals,
      });
    },
    revert: async () => {
      if (reverted) return work;
      reverted = true;
      for (const cancel of timers) cancel();
      timers.clear();
      const inner = fault.type === 'flap' ? fault.fault : fault;
      await serial(() => stop(inner));
    },
  };
}
