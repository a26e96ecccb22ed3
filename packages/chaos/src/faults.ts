import { InvalidOptionError } from './errors.js';

/** Which way bytes travel through the fault proxy: to the server, back to the client, or both. */
export type Direction = 'upstream' | 'downstream' | 'both';

/** SIGKILL the server (a crash); with `restartAfterMs`, start it again on the same port, empty. */
export interface KillFault { readonly type: 'kill'; readonly restartAfterMs?: number }
/** SIGSTOP until reverted (SIGCONT): a hung node that keeps its data; TCP still connects. */
export interface PauseFault { readonly type: 'pause' }
/** Hold each chunk `ms` plus up to `jitterMs` more (order kept), in `direction` (default both). */
export interface LatencyFault { readonly type: 'latency'; readonly ms: number; readonly jitterMs?: number; readonly direction?: Direction }
/** Limit throughput to `bytesPerSecond` in `direction` (default both). */
export interface BandwidthFault { readonly type: 'bandwidth'; readonly bytesPerSecond: number; readonly direction?: Direction }
/** Accept connections, never answer: every byte either way is dropped. */
export interface BlackholeFault { readonly type: 'blackhole' }
/** RST new connections at once, or (with `afterBytes`) once that many bytes have passed on a connection. */
export interface ResetFault { readonly type: 'reset'; readonly afterBytes?: number }
/** Replies replaced by garbage of the same length, or cut in half and the connection closed. */
export interface CorruptFault { readonly type: 'corrupt'; readonly mode: 'garbage' | 'truncate' }
/** A share (0..1] of requests fail: the request is dropped and its connection reset. */
export interface PartialFault { readonly type: 'partial'; readonly share: number }
/** `fault` on for `periodMs`, off for `periodMs`, repeatedly, until reverted (then off). */
export interface FlapFault { readonly type: 'flap'; readonly fault: Exclude<Fault, FlapFault>; readonly periodMs: number }

/** Faults the TCP fault proxy plays; they need a node with a proxy. */
export type NetworkFault = LatencyFault | BandwidthFault | BlackholeFault | ResetFault | CorruptFault | PartialFault;
/** Faults sent to the server process (or container). */
export type ProcessFault = KillFault | PauseFault;

/**
 * A fault as typed data: applied and reverted by `applyFault`, never by hand.
 *
 * @example
 * const fault: Fault = { type: 'flap', periodMs: 200, fault: { type: 'latency', ms: 50, jitterMs: 10 } };
 */
export type Fault = ProcessFault | NetworkFault | FlapFault;

/** What a fault did: the proof that it was active. All zero for a fault that never bit. */
export interface FaultCounters {
  /** Connections the proxy accepted. */
  readonly connections: number;
  /** Bytes passed on unchanged (possibly late). */
  readonly bytesForwarded: number;
  /** Bytes held back by latency or bandwidth before being passed on. */
  readonly bytesHeld: number;
  /** Bytes never delivered (blackhole, reset, partial, truncate). */
  readonly bytesDropped: number;
  /** Bytes delivered changed (garbage). */
  readonly bytesAltered: number;
  /** Connections reset or closed by the fault. */
  readonly connectionsReset: number;
  /** Requests failed by a `partial` fault. */
  readonly requestsFailed: number;
  readonly kills: number;
  readonly pauses: number;
  readonly restarts: number;
  /** Times a `flap` switched its fault on. */
  readonly flaps: number;
}

export const ZERO_COUNTERS: FaultCounters = Object.freeze({
  connections: 0, bytesForwarded: 0, bytesHeld: 0, bytesDropped: 0, bytesAltered: 0,
  connectionsReset: 0, requestsFailed: 0, kills: 0, pauses: 0, restarts: 0, flaps: 0,
});

const NETWORK_TYPES = new Set<string>(['latency', 'bandwidth', 'blackhole', 'reset', 'corrupt', 'partial']);

/** True for the faults the proxy plays. */
export function isNetworkFault(fault: Fault): fault is NetworkFault {
  return NETWORK_TYPES.has(fault.type);
}

/**
 * Checks a fault's parameters, naming the one that is wrong (`fault.ms`, `fault.fault.share`, ...).
 *
 * @example
 * validateFault({ type: 'partial', share: 2 }); // throws InvalidOptionError (option "fault.share")
 */
export function validateFault(fault: Fault, name = 'fault'): void {
  const check = (field: string, ok: boolean, expected: string, value: unknown): void => {
    if (!ok) throw new InvalidOptionError(`${name}.${field}`, `expected ${expected}, got ${String(value)}`);
  };
  const nonNegative = (value: number | undefined): boolean => value === undefined || (Number.isFinite(value) && value >= 0);
  const direction = (value: Direction | undefined): boolean => value === undefined || ['upstream', 'downstream', 'both'].includes(value);
  switch (fault.type) {
    case 'kill':
      return check('restartAfterMs', nonNegative(fault.restartAfterMs), 'a number of milliseconds >= 0', fault.restartAfterMs);
    case 'pause':
    case 'blackhole':
      return;
    case 'latency':
      check('ms', nonNegative(fault.ms), 'a number of milliseconds >= 0', fault.ms);
      check('jitterMs', nonNegative(fault.jitterMs), 'a number of milliseconds >= 0', fault.jitterMs);
      return check('direction', direction(fault.direction), '"upstream", "downstream" or "both"', fault.direction);
    case 'bandwidth':
      check('bytesPerSecond', Number.isFinite(fault.bytesPerSecond) && fault.bytesPerSecond >= 1, 'a number >= 1', fault.bytesPerSecond);
      return check('direction', direction(fault.direction), '"upstream", "downstream" or "both"', fault.direction);
    case 'reset':
      return check('afterBytes', fault.afterBytes === undefined || (Number.isInteger(fault.afterBytes) && fault.afterBytes >= 0), 'an integer >= 0', fault.afterBytes);
    case 'corrupt':
      return check('mode', fault.mode === 'garbage' || fault.mode === 'truncate', '"garbage" or "truncate"', fault.mode);
    case 'partial':
      return check('share', Number.isFinite(fault.share) && fault.share > 0 && fault.share <= 1, 'a share in (0, 1]', fault.share);
    case 'flap':
      check('periodMs', Number.isFinite(fault.periodMs) && fault.periodMs >= 1, 'a number of milliseconds >= 1', fault.periodMs);
      check('fault', typeof fault.fault === 'object' && fault.fault !== null && (fault.fault.type as string) !== 'flap', 'a fault other than flap', fault.fault);
      return validateFault(fault.fault, `${name}.fault`);
    default:
      throw new InvalidOptionError(`${name}.type`, `unknown fault type ${JSON.stringify((fault as { type?: unknown }).type)}`);
  }
}
