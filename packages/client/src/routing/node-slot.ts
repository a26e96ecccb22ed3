import { OverloadedError } from '../errors.js';
import type { Clock } from '@shardcache/health';
import type { DeadlineQueue } from '../internal/deadline-queue.js';
import type { CacheNode } from '../nodes/cache-node.js';
import type { NodeAddress } from '../nodes/node-address.js';
import { NodeStats } from '../stats/node-stats.js';
import { gateRefusal, type HealthGate } from './health-gate.js';
import { PendingCall } from './pending-call.js';

export interface NodeSlotOptions {
  readonly maxInFlight: number;
  /** The client's `maxValueBytes`. */
  readonly maxValueBytes: number;
  readonly clock: Clock;
  readonly deadlines: DeadlineQueue;
  readonly gate: HealthGate;
}

/**
 * One node as the router sees it: the adapter behind a health gate, an in-flight limit and a
 * deadline per call. The last step of the request path before the wire.
 */
export class NodeSlot {
  /** Replaced (not mutated) when a membership change reweighs the node. */
  address: NodeAddress;
  readonly node: CacheNode;
  readonly stats = new NodeStats();
  readonly options: NodeSlotOptions;
  #waiting = 0;
  #maxValueBytes: number;
  /** Asked the node for its value limit (after its first good answer). */
  #limitAsked = false;
  #drained: (() => void) | undefined;

  constructor(address: NodeAddress, node: CacheNode, options: NodeSlotOptions) {
    this.address = address;
    this.node = node;
    this.options = options;
    this.#maxValueBytes = options.maxValueBytes;
  }

  /** Calls whose callers are still waiting (close() drains these). */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * The largest value writes to this node may carry: the client's `maxValueBytes`, or the
   * server's own limit (`CacheNode.maxValueBytes`) once the node has told it, when lower.
   */
  get maxValueBytes(): number {
    return this.#maxValueBytes;
  }

  get id(): string {
    return this.address.id;
  }

  setWeight(weight: number): void {
    this.address = { ...this.address, weight };
  }

  /**
   * Why a call may not start on this node now (ERR_OVERLOADED, ERR_BREAKER_OPEN, the signal's
   * reason), or undefined when it may. Callers check this before sending anything.
   */
  refuse(signal: AbortSignal | undefined): unknown {
    const { stats, options } = this;
    if (stats.inFlight >= options.maxInFlight) {
      stats.recordError('ERR_OVERLOADED');
      return new OverloadedError(this.id, options.maxInFlight);
    }
    try {
      options.gate.admit();
    } catch (error) {
      const refusal = gateRefusal(this.id, error);
      stats.recordError(refusal.code);
      return refusal;
    }
    return signal?.aborted === true ? signal.reason : undefined;
  }

  /**
   * Sends `request()` (after `refuse()` said yes) and follows it until `timeoutMs`, counted from
   * before the send: a node that builds a large command synchronously spends the caller's
   * deadline doing it. The caller's wait ends at the deadline or when `signal` aborts; the
   * request itself keeps counting against `maxInFlight` until the server answers or the
   * connection drops. A `request` that throws fails the call like one that rejects. With
   * `startedAt` (the clock's time when the caller's call began, read in the same synchronous run),
   * the deadline counts from then: work before the send (encoding a value) spends it too. With
   * `map`, resolves with `map(value)` (a throw rejects): saves the caller a `.then`.
   */
  track<T, R = T>(command: string, timeoutMs: number, signal: AbortSignal | undefined, request: () => Promise<T>, map?: (value: T) => R, startedAt?: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const call = new PendingCall<T, R>(this, command, timeoutMs, signal, resolve, reject, map, startedAt);
      let sent: Promise<T>;
      try {
        sent = request();
      } catch (error) {
        call.fail(error);
        return;
      }
      sent.then(
        (value) => call.succeed(value),
        (error: unknown) => call.fail(error),
      );
    });
  }

  /** `refuse`, then `track`: for calls off the hot path. */
  run<T>(command: string, timeoutMs: number, signal: AbortSignal | undefined, operation: () => Promise<T>, startedAt?: number): Promise<T> {
    const refusal = this.refuse(signal);
    if (refusal !== undefined) return Promise.reject(refusal);
    return this.track(command, timeoutMs, signal, operation, undefined, startedAt);
  }

  /**
   * Asks the node, once, for the server's own value limit: straight to the node (housekeeping,
   * not a call of the application's: no stats, no in-flight slot, no health), bounded by this
   * deadline. A failed answer is asked again after the next good one.
   */
  learnLimit(timeoutMs: number): void {
    if (this.#limitAsked) return;
    this.#limitAsked = true;
    const { node } = this;
    if (node.maxValueBytes === undefined) return;
    // The deadline on the client's clock (not AbortSignal.timeout, a real timer no clock drives).
    const deadline = new AbortController();
    const cancel = this.options.clock.schedule(() => deadline.abort(new DOMException('learning the value limit timed out', 'TimeoutError')), timeoutMs);
    node.maxValueBytes({ signal: deadline.signal }).then(
      (bytes) => {
        cancel();
        if (bytes !== undefined) this.#maxValueBytes = Math.min(this.options.maxValueBytes, bytes);
      },
      () => {
        cancel();
        this.#limitAsked = false;
      },
    );
  }

  /** Resolves once no caller is waiting on this node (deadlines bound the wait). */
  drain(): Promise<void> {
    if (this.#waiting === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  /** A call's caller starts waiting. */
  waited(): void {
    this.#waiting++;
  }

  /** Called by a call whose caller stopped waiting. */
  released(): void {
    if (--this.#waiting === 0) this.#drained?.();
  }
}
