import pRetry from 'p-retry';
import { systemClock, type Clock } from './clock.js';
import { InvalidOptionError, RetryBudgetExhaustedError } from './errors.js';
import { isAmbiguous, isNeverRetried } from './internal/error-facts.js';
import { sleep, withDeadline } from './internal/timing.js';
import { boolean, fn, integer, milliseconds, object } from './internal/validate.js';
import { isIdempotent } from './idempotency.js';
import type { NodeHealth } from './node-health.js';
import { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';

/**
 * Options of a {@link RetryPolicy}. Defaults in brackets.
 *
 * @example
 * const options: RetryPolicyOptions = { retries: 2, baseDelayMs: 20, maxDelayMs: 500, attemptTimeoutMs: 250 };
 */
export interface RetryPolicyOptions {
  /** Retries after the first attempt. [2] */
  readonly retries?: number;
  /** Back-off ceiling of the first retry, in ms; doubled for each further one. [20] */
  readonly baseDelayMs?: number;
  /** Back-off ceiling never exceeds this, in ms. [1000] */
  readonly maxDelayMs?: number;
  /** Deadline of each attempt, in ms. [the node's `timeout` when `health` is given, else 1000] */
  readonly attemptTimeoutMs?: number;
  /** A shared budget, or options for a budget of this policy's own. [ratio 0.1, floor 10/s] */
  readonly budget?: RetryBudget | RetryBudgetOptions;
  /** Says whether a failed request may have reached the server. [by error code; unknown: yes] */
  readonly isAmbiguous?: (error: unknown) => boolean;
  /** Idempotency of commands the built-in list lacks (or overrides), by lower-case name. */
  readonly idempotent?: Readonly<Record<string, boolean>>;
  /** Keep timers from holding the process open. [true] */
  readonly unref?: boolean;
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for jitter. [Math.random] */
  readonly random?: () => number;
}

/**
 * Per-call options of {@link RetryPolicy.run}.
 *
 * @example
 * await policy.run('get', attempt, { signal: AbortSignal.timeout(2000), health: registry.get(node) });
 */
export interface RetryRunOptions {
  /** Cancels the call: the attempt in flight and any back-off wait. */
  readonly signal?: AbortSignal;
  /** The target node's health: each attempt passes its gate and reports its outcome. */
  readonly health?: NodeHealth;
}

/**
 * Retries failed requests with p-retry: exponential back-off with full jitter (a random wait
 * between 0 and min(maxDelayMs, baseDelayMs x 2^(retry-1))), a deadline per attempt, an
 * AbortSignal honoured during the wait, and a retry budget. Never retried: programmer errors
 * (TypeError, RangeError, ...), errors marked `retryable: false`, cache semantics, an open
 * breaker, and a command that is not idempotent after an ambiguous failure.
 *
 * Retry sits outside the breaker: each attempt goes through `health.gate()` and reports its own
 * outcome, so a node's failures count once per attempt and a retry aimed at a node that has
 * just been ejected fails fast with ERR_BREAKER_OPEN instead of waiting.
 *
 * @example
 * const policy = new RetryPolicy({ retries: 2 });
 * const value = await policy.run('get', (signal) => node.get('user:1', { signal }), { health, signal });
 */
export class RetryPolicy {
  readonly #retries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #attemptTimeoutMs: number | undefined;
  readonly #budget: RetryBudget;
  readonly #isAmbiguous: (error: unknown) => boolean;
  readonly #idempotent: Readonly<Record<string, boolean>>;
  readonly #unref: boolean;
  readonly #clock: Clock;
  readonly #random: () => number;

  constructor(options?: RetryPolicyOptions) {
    const input = object('options', options) as RetryPolicyOptions;
    this.#retries = integer('retries', input.retries, 2, 0, 100);
    this.#baseDelayMs = milliseconds('baseDelayMs', input.baseDelayMs, 20);
    this.#maxDelayMs = milliseconds('maxDelayMs', input.maxDelayMs, 1000);
    if (this.#maxDelayMs < this.#baseDelayMs) throw new InvalidOptionError('maxDelayMs', `must be at least baseDelayMs (${this.#baseDelayMs}), got ${this.#maxDelayMs}`);
    this.#attemptTimeoutMs = input.attemptTimeoutMs === undefined ? undefined : milliseconds('attemptTimeoutMs', input.attemptTimeoutMs, 0);
    this.#clock = input.clock ?? systemClock;
    this.#budget = input.budget instanceof RetryBudget ? input.budget : new RetryBudget({ clock: this.#clock, ...object('budget', input.budget) });
    this.#isAmbiguous = fn('isAmbiguous', input.isAmbiguous, isAmbiguous);
    this.#idempotent = object('idempotent', input.idempotent) as Readonly<Record<string, boolean>>;
    for (const [command, value] of Object.entries(this.#idempotent)) boolean(`idempotent.${command}`, value, false);
    this.#unref = boolean('unref', input.unref, true);
    this.#random = fn('random', input.random, Math.random);
  }

  /** The budget this policy draws retries from. */
  get budget(): RetryBudget {
    return this.#budget;
  }

  /** The back-off ceiling before retry number `retry` (1-based); the wait is uniform in [0, ceiling). */
  delayCeiling(retry: number): number {
    return Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** (retry - 1));
  }

  /** Whether `command` may run twice (built-in list, then the `idempotent` option). */
  isIdempotent(command: string): boolean {
    return this.#idempotent[command.toLowerCase()] ?? isIdempotent(command);
  }

  /**
   * Runs `attempt` until it succeeds, retrying as the policy allows. Rejects with the last
   * failure, ERR_RETRY_BUDGET_EXHAUSTED (cause: that failure), or the signal's reason.
   */
  run<T>(command: string, attempt: (signal: AbortSignal, attemptNumber: number) => Promise<T>, options?: RetryRunOptions): Promise<T> {
    if (typeof command !== 'string' || command.length === 0) throw new InvalidOptionError('command', 'expected a command name such as "get"');
    if (typeof attempt !== 'function') throw new InvalidOptionError('attempt', 'expected a function');
    const { signal, health } = object('options', options) as RetryRunOptions;
    const idempotent = this.isIdempotent(command);
    const timeoutMs = this.#attemptTimeoutMs ?? health?.timeout ?? 1000;
    const clock = this.#clock;
    this.#budget.recordRequest();

    const once = async (attemptNumber: number): Promise<T> => {
      health?.gate();
      const startedAt = clock.now();
      try {
        const value = await withDeadline((attemptSignal) => attempt(attemptSignal, attemptNumber), timeoutMs, clock, signal, health?.node);
        health?.recordSuccess(clock.now() - startedAt);
        return value;
      } catch (error) {
        if (signal?.aborted !== true) health?.recordFailure(error, clock.now() - startedAt);
        throw error;
      }
    };

    return pRetry(once, {
      retries: this.#retries,
      // The wait is ours (full jitter, on the injected clock), taken in shouldRetry once every
      // check has passed; p-retry itself retries at once.
      minTimeout: 0,
      factor: 1,
      signal,
      unref: this.#unref,
      shouldRetry: async ({ error, attemptNumber }) => {
        if (signal?.aborted === true || isNeverRetried(error)) return false;
        if (!idempotent && this.#isAmbiguous(error)) return false;
        if (!this.#budget.tryAcquire()) throw new RetryBudgetExhaustedError(error);
        await sleep(this.#random() * this.delayCeiling(attemptNumber), clock, signal);
        return true;
      },
    });
  }
}
