import { errorCode } from '@shardcache/health';
import { TimeoutError } from '../errors.js';
import type { Expirable } from '../internal/deadline-queue.js';
import type { NodeSlot } from './node-slot.js';

/** One call in flight: settles its caller once, from the reply, the deadline or the signal. */
export class PendingCall<T, R = T> implements Expirable {
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
    slot.waited();
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
    this.#slot.learnLimit(this.#timeoutMs);
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
    stats.recordError(errorCode(error));
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
