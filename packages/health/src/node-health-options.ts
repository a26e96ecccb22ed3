import type { Clock } from './clock.js';

/**
 * Checks one node: resolves when it answered (`version` for memcached, `PING` for redis),
 * rejects otherwise. It should stop when `signal` aborts; it is abandoned at the deadline anyway.
 *
 * @example
 * const probe: ProbeFunction = (node, signal) => adapters.get(node)!.ping({ signal });
 */
export type ProbeFunction = (node: string, signal: AbortSignal) => Promise<void>;

/**
 * Says whether a failed request's error is cache semantics or a caller's mistake (true: not a
 * sign of ill health) rather than a node failure (false).
 *
 * @example
 * const errorFilter: ErrorFilter = (error) => error instanceof MyNotStoredError;
 */
export type ErrorFilter = (error: unknown) => boolean;

/**
 * How one node's health is judged. Every field is optional; defaults in brackets. The first
 * four are twemproxy's pool keys (see `fromTwemproxyPool`).
 *
 * @example
 * const options: NodeHealthOptions = { autoEjectHosts: true, serverFailureLimit: 3, probe };
 */
export interface NodeHealthOptions {
  /** Eject the node when it trips; otherwise it is only marked suspect. [false] (`auto_eject_hosts`) */
  readonly autoEjectHosts?: boolean;
  /** Consecutive failures (timeouts included) that trip the node. [2] (`server_failure_limit`) */
  readonly serverFailureLimit?: number;
  /** How long an ejection lasts before probing starts, in ms. [30000] (`server_retry_timeout`) */
  readonly serverRetryTimeout?: number;
  /** Request and probe deadline in ms. [1000] (`timeout`; twemproxy's default is no deadline) */
  readonly timeout?: number;
  /** Longest ejection once repeated ejections have doubled it, in ms. [10 x serverRetryTimeout] */
  readonly maxEjectionMs?: number;
  /** Failure share over the window that trips the node, 0..1 (0 turns it off). [0.5] */
  readonly errorRateThreshold?: number;
  /** Requests the window must hold before its failure share counts. [20] */
  readonly minimumVolume?: number;
  /** Length of the rolling window (error rate, latency percentiles), in ms. [10000] */
  readonly windowMs?: number;
  /** Length of one bucket of that window, in ms; the window may not be shorter. [1000] */
  readonly bucketMs?: number;
  /** Latency samples kept (the window's percentiles use the newest of them). [1024] */
  readonly latencySamples?: number;
  /** Consecutive successful probes (or requests, while suspect) before the node is up again. [3] */
  readonly successThreshold?: number;
  /** The active health check. Required when `autoEjectHosts` is true (probes bring nodes back). */
  readonly probe?: ProbeFunction;
  /** Time between probe starts, in ms. [1000] */
  readonly probeIntervalMs?: number;
  /** Random spread of that interval, as a share of it, 0..1. [0.2] */
  readonly probeJitter?: number;
  /** Probe while up too, not only while suspect or probing. [false] */
  readonly probeAlways?: boolean;
  /** Errors that are not node failures. [cache semantics and caller mistakes by `code`] */
  readonly errorFilter?: ErrorFilter;
  /** May this node be ejected now? The registry's max-ejected cap. [always] */
  readonly canEject?: (node: string) => boolean;
  /** Time source and timers. [systemClock] */
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for jitter. [Math.random] */
  readonly random?: () => number;
}
