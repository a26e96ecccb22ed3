/**
 * Where a node stands. `up` and `suspect` take requests (a suspect node is being probed);
 * `ejected` does not (breaker open) until `serverRetryTimeout` ends; then `probing` (half-open)
 * runs probes only, and the node is `up` again after `successThreshold` of them pass.
 *
 * @example
 * const inRing = (state: NodeState) => state === 'up' || state === 'suspect';
 */
export type NodeState = 'up' | 'suspect' | 'ejected' | 'probing';

/**
 * Why a node changed state.
 * - `failures`: `serverFailureLimit` consecutive failures; `error-rate`: the window's failure
 *   share reached `errorRateThreshold`; `latency`: a latency outlier (registry);
 * - `ejection-capped`: it tripped but may not be ejected (the max-ejected share is reached);
 * - `retry-timeout`: the ejection ended, probing starts; `probe-failed`: back to ejected;
 * - `probes-passed`: `successThreshold` probes in a row passed; `recovered`: a suspect node's
 *   causes cleared.
 *
 * @example
 * health.on('state', ({ reason }) => { if (reason === 'latency') metrics.slowNodes.inc(); });
 */
export type TransitionReason =
  | 'failures'
  | 'error-rate'
  | 'latency'
  | 'ejection-capped'
  | 'retry-timeout'
  | 'probe-failed'
  | 'probes-passed'
  | 'recovered';

/**
 * The payload of a `state` event: emitted on every change and only on a change.
 *
 * @example
 * health.on('state', (change: StateChange) => console.log(`${change.node}: ${change.from} -> ${change.to} (${change.reason})`));
 */
export interface StateChange {
  readonly node: string;
  readonly from: NodeState;
  readonly to: NodeState;
  readonly reason: TransitionReason;
  /** Clock time of the change, ms since the epoch. */
  readonly at: number;
  /** When an ejection ends and probing starts (only when `to` is `ejected`). */
  readonly retryAt: number | undefined;
}

/**
 * A snapshot of one node's health, as the `stats` getter returns it (a frozen plain object).
 * Counts without `total` cover the rolling window; latencies are over its samples.
 *
 * @example
 * const { state, p99Ms, lastErrorCode } = health.stats;
 */
export interface NodeStats {
  readonly node: string;
  readonly state: NodeState;
  readonly requests: number;
  readonly failures: number;
  readonly timeouts: number;
  readonly totalRequests: number;
  readonly totalFailures: number;
  readonly totalTimeouts: number;
  /** Latency samples in the window (successes and timeouts). */
  readonly latencySamples: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  /** `code` (else `name`) of the last failure, request or probe. */
  readonly lastErrorCode: string | undefined;
  readonly timeInStateMs: number;
  readonly consecutiveFailures: number;
  /** Ejections in the current streak; each one doubles the ejection time up to `maxEjectionMs`. */
  readonly ejectionStreak: number;
}
