import { systemClock, type Clock } from './clock.js';
import { milliseconds, number, object, share } from './internal/validate.js';

/**
 * Options of a {@link RetryBudget}. Defaults in brackets.
 *
 * @example
 * const options: RetryBudgetOptions = { ratio: 0.1, minRetriesPerSecond: 10 };
 */
export interface RetryBudgetOptions {
  /** Retries allowed as a share of the window's requests, 0..1. [0.1] */
  readonly ratio?: number;
  /** Retries allowed whatever the traffic, per second of window (the floor). [10] */
  readonly minRetriesPerSecond?: number;
  /** How far back requests and retries count, in ms. [10000] */
  readonly windowMs?: number;
  readonly clock?: Clock;
}

const BUCKETS = 10;

/**
 * Limits retries to a share of recent requests plus a small floor (Finagle's retry budget), so
 * a sick fleet is not hammered by retry storms: when every request fails, traffic grows by at
 * most `ratio`, not by the retry count.
 *
 * @example
 * const budget = new RetryBudget({ ratio: 0.1 });
 * budget.recordRequest();
 * if (budget.tryAcquire()) retry();
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #floor: number;
  readonly #bucketMs: number;
  readonly #clock: Clock;
  readonly #requests = new Float64Array(BUCKETS);
  readonly #retries = new Float64Array(BUCKETS);
  #bucket: number;

  constructor(options?: RetryBudgetOptions) {
    const input = object('options', options) as RetryBudgetOptions;
    this.#ratio = share('ratio', input.ratio, 0.1);
    const windowMs = milliseconds('windowMs', input.windowMs, 10_000);
    this.#floor = number('minRetriesPerSecond', input.minRetriesPerSecond, 10, 0) * (windowMs / 1000);
    this.#bucketMs = windowMs / BUCKETS;
    this.#clock = input.clock ?? systemClock;
    this.#bucket = this.#current();
  }

  /** Counts one request (first attempts only). */
  recordRequest(): void {
    const slot = this.#advance();
    this.#requests[slot] = (this.#requests[slot] ?? 0) + 1;
  }

  /** Takes one retry from the budget; false when it is spent. */
  tryAcquire(): boolean {
    const slot = this.#advance();
    if (this.available < 1) return false;
    this.#retries[slot] = (this.#retries[slot] ?? 0) + 1;
    return true;
  }

  /** Retries the budget would allow now. */
  get available(): number {
    this.#advance();
    return Math.floor(this.#ratio * sum(this.#requests) + this.#floor) - sum(this.#retries);
  }

  #current(): number {
    return Math.floor(this.#clock.now() / this.#bucketMs);
  }

  /** Clears the buckets time has passed over since the last call; returns the current slot. */
  #advance(): number {
    const current = this.#current();
    for (let passed = this.#bucket + 1; passed <= current && passed <= this.#bucket + BUCKETS; passed++) {
      this.#requests[passed % BUCKETS] = 0;
      this.#retries[passed % BUCKETS] = 0;
    }
    if (current > this.#bucket) this.#bucket = current;
    return current % BUCKETS;
  }
}

function sum(values: Float64Array): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
