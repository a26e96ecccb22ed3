import { OverloadedError, TimeoutError } from '../errors.js';
import type { Clock } from '@shardcache/health';
import type { DeadlineQueue, Expirable } from '../internal/deadline-queue.js';
import type { CacheNode } from '../nodes/cache-node.js';
import type { NodeAddress } from '../nodes/node-address.js';
import { NodeStats } from '../stats/node-stats.js';
import type { HealthGate } from './health-gate.js';

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
  /** Calls whose callers are still waiting (close() drains these). */
  waiting = 0;
  /**
   * The largest value writes to this node may carry: the client's `maxValueBytes`, or the
   * server's own limit (`CacheNode.maxValueBytes`) once the node has told it, when lower.
   */
  maxValueBytes: number;
  /** Asked the node for it (after its first good answer). */
  limitAsked = false;
  #drained: (() => void) | undefined;

  constructor(address: NodeAddress, node: CacheNode, options: NodeSlotOptions) {
    this.address = address;
    this.node = node;
    this.options = options;
    this.maxValueBytes = options.maxValueBytes;
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
      stats.recordError(codeOf(error));
      return error;
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
    this.limitAsked = true;
    const { node } = this;
    if (node.maxValueBytes === undefined) return;
    node.maxValueBytes({ signal: AbortSignal.timeout(timeoutMs) }).then(
      (bytes) => {
        if (bytes !== undefined) this.maxValueBytes = Math.min(this.options.maxValueBytes, bytes);
      },
      () => {
        this.limitAsked = false;
      },
    );
  }

  /** Resolves once no caller is waiting on this node (deadlines bound the wait). */
  drain(): Promise<void> {
    if (this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = resolve;
    });
  }

  /** Called by a call whose caller stopped waiting. */
  released(): void {
    if (--this.waiting === 0) this.#drained?.();
  }
}

/** One call in flight: settles its caller once, from the reply, the deadline or the signal. */
class PendingCall<T, R = T> implements Expirable {
  at = 0;
  done = false;
  readonly #slot: NodeSlot;
  readonly #command: string;
  readonly #timeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #started: number;
  readonly #resolve: (value: R) => void;
  readonly #reject: (error: unknown) => void;
  readonly #map: ((value: T) => R) | undefined;
  readonly #onAbort: (() => void) | undefined;

  constructor(
    slot: NodeSlot,
    command: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    resolve: (value: R) => void,
    reject: (error: unknown) => void,
    map: ((value: T) => R) | undefined,
    startedAt: number | undefined,
  ) {
    this.#map = map;
    this.#slot = slot;
    this.#command = command;
    this.#timeoutMs = timeoutMs;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    const { stats, options } = slot;
    stats.calls++;
    stats.inFlight++;
    slot.waiting++;
    options.deadlines.add(this, timeoutMs, startedAt);
    // The queue read the clock (or took the caller's) to set `at`; one read per call is enough.
    this.#started = this.at - timeoutMs;
    if (signal !== undefined) {
      this.#onAbort = () => {
        if (this.#finish()) this.#reject(signal.reason);
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  succeed(value: T): void {
    const { stats, options } = this.#slot;
    stats.inFlight--;
    if (!this.#finish()) return;
    const latency = options.clock.now() - this.#started;
    options.gate.success(latency);
    if (!this.#slot.limitAsked) this.#slot.learnLimit(this.#timeoutMs);
    if (this.#map === undefined) {
      // Without `map`, R is T (see `track`).
      this.#resolve(value as unknown as R);
      return;
    }
    try {
      this.#resolve(this.#map(value));
    } catch (error) {
      this.#reject(error);
    }
  }

  fail(error: unknown): void {
    const { stats, options } = this.#slot;
    stats.inFlight--;
    if (!this.#finish()) return;
    const latency = options.clock.now() - this.#started;
    stats.recordError(codeOf(error));
    options.gate.failure(error, latency);
    this.#reject(error);
  }

  expire(): void {
    // The queue set `done` already; the request itself may still complete later.
    this.#release();
    const { stats, options } = this.#slot;
    const error = new TimeoutError(this.#slot.id, this.#command, this.#timeoutMs);
    stats.recordError(error.code);
    options.gate.failure(error, options.clock.now() - this.#started);
    // A reply that never came may leave the connection out of step: the node decides.
    this.#slot.node.lateCall?.(this.#timeoutMs);
    this.#reject(error);
  }

  /** Marks the call settled for its caller; false if it already was. */
  #finish(): boolean {
    if (this.done) return false;
    this.done = true;
    this.#slot.options.deadlines.settled(this, this.#timeoutMs);
    this.#release();
    return true;
  }

  #release(): void {
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#slot.released();
  }
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_UNKNOWN';
}
