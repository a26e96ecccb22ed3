import { sleep, systemClock, type Clock } from '@shardcache/health';
import { ClosedError, InvalidOptionError, QueueFullError, WriteBehindError } from './errors.js';
import { functionOption, nonNegativeNumber, oneOf, positiveInteger } from './internal/validate.js';

/**
 * One queued write.
 *
 * @example
 * const entry: WriteBehindEntry<User> = { key: 'user:1', value: { name: 'Ada' } };
 */
export interface WriteBehindEntry<V> {
  readonly key: string;
  readonly value: V;
}

/**
 * Options of a {@link WriteBehind} queue. Only `writer` is required.
 *
 * @example
 * const options: WriteBehindOptions<User> = { writer: (batch) => db.upsertMany(batch), batchSize: 50 };
 */
export interface WriteBehindOptions<V> {
  /** Writes one batch to the source of truth; a rejection retries the whole batch. */
  readonly writer: (batch: readonly WriteBehindEntry<V>[]) => Promise<void>;
  /** Writes the cache before queueing (so readers see the value at once). */
  readonly store?: (key: string, value: V) => Promise<void>;
  /** Most entries waiting; past it `write` waits (`onFull: 'wait'`, default) or rejects. Default 10,000. */
  readonly maxQueue?: number;
  readonly onFull?: 'wait' | 'reject';
  /** Most entries per writer call; a full batch is flushed at once. Default 100. */
  readonly batchSize?: number;
  /** A partial batch waits at most this long. Default 100 ms. */
  readonly flushIntervalMs?: number;
  /** Retries per batch after the first attempt. Default 3. `TypeError`s are never retried. */
  readonly retries?: number;
  /** First retry delay, doubling per retry up to `maxRetryDelayMs`. Defaults 100 and 5000 ms. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Told about each batch dropped after its retries. */
  readonly onFailed?: (error: WriteBehindError, batch: readonly WriteBehindEntry<V>[]) => void;
  readonly clock?: Clock;
}

/**
 * A write-behind queue's counters.
 *
 * @example
 * queue.stats; // { queueDepth: 3, blockedWriters: 0, written: 120, batches: 2, retries: 0, failed: 0 }
 */
export interface WriteBehindStats {
  readonly queueDepth: number;
  readonly blockedWriters: number;
  readonly written: number;
  readonly batches: number;
  readonly retries: number;
  readonly failed: number;
}

/**
 * Write-behind: `write` updates the cache and queues the write; the queue flushes to `writer`
 * in batches (full batch, or `flushIntervalMs`), one batch at a time so writes of a key reach
 * the writer in order. Rewrites of a queued key replace its value (only the last is written).
 *
 * `close()` (and `drain()`) flush everything queued, including writers blocked by back-pressure,
 * so nothing is lost on a clean shutdown. On a crash, everything queued or in flight (at most
 * `maxQueue` entries plus one batch) is lost while the cache already holds those values: the
 * cache is ahead of the source until the entries expire. Use write-through where that matters.
 *
 * @example
 * const queue = new WriteBehind({ writer: (batch) => db.upsertMany(batch), batchSize: 100 });
 * await queue.write('user:1', { name: 'Ada' });
 * await queue.close(); // every queued write has reached the writer
 */
export class WriteBehind<V = unknown> {
  readonly #writer: WriteBehindOptions<V>['writer'];
  readonly #store: WriteBehindOptions<V>['store'];
  readonly #onFailed: WriteBehindOptions<V>['onFailed'];
  readonly #clock: Clock;
  readonly #maxQueue: number;
  readonly #onFull: 'wait' | 'reject';
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #queue = new Map<string, V>();
  readonly #blocked: (() => void)[] = [];
  #blockedWriters = 0;
  #flushing: Promise<void> | undefined;
  #cancelTimer: (() => void) | undefined;
  #partial = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #written = 0;
  #batches = 0;
  #retried = 0;
  #failed = 0;

  constructor(options: WriteBehindOptions<V>) {
    const writer = functionOption('writer', options.writer);
    if (writer === undefined) throw new InvalidOptionError('writer', 'required: the function that writes a batch to the source of truth');
    this.#writer = writer;
    this.#store = functionOption('store', options.store);
    this.#onFailed = functionOption('onFailed', options.onFailed);
    this.#clock = options.clock ?? systemClock;
    this.#maxQueue = positiveInteger('maxQueue', options.maxQueue, 10_000);
    this.#onFull = oneOf('onFull', options.onFull, ['wait', 'reject'], 'wait');
    this.#batchSize = positiveInteger('batchSize', options.batchSize, 100);
    this.#flushIntervalMs = nonNegativeNumber('flushIntervalMs', options.flushIntervalMs, 100);
    this.#retries = Math.floor(nonNegativeNumber('retries', options.retries, 3));
    this.#retryDelayMs = nonNegativeNumber('retryDelayMs', options.retryDelayMs, 100);
    this.#maxRetryDelayMs = nonNegativeNumber('maxRetryDelayMs', options.maxRetryDelayMs, 5000);
  }

  get stats(): WriteBehindStats {
    return { queueDepth: this.#queue.size, blockedWriters: this.#blockedWriters, written: this.#written, batches: this.#batches, retries: this.#retried, failed: this.#failed };
  }

  /**
   * Stores `value` in the cache (if `store` was given), then queues it for the writer. Resolves
   * once queued; waits while the queue is full (back-pressure) unless `onFull` is `'reject'`.
   * If the cache write fails, the call rejects with its error and nothing is queued.
   */
  async write(key: string, value: V): Promise<void> {
    if (this.#closed) throw new ClosedError('the write-behind queue');
    if (this.#store !== undefined) await this.#store(key, value);
    if (this.#queue.size >= this.#maxQueue && !this.#queue.has(key)) {
      if (this.#onFull === 'reject') throw new QueueFullError(this.#maxQueue);
      this.#blockedWriters++;
      try {
        while (this.#queue.size >= this.#maxQueue && !this.#queue.has(key)) {
          await new Promise<void>((resolve) => this.#blocked.push(resolve));
        }
      } finally {
        this.#blockedWriters--;
      }
    }
    // Delete first: a rewritten key moves behind writes queued after it.
    this.#queue.delete(key);
    this.#queue.set(key, value);
    if (this.#queue.size >= this.#batchSize) this.#flush(false);
    else this.#cancelTimer ??= this.#clock.schedule(() => this.#flush(true), this.#flushIntervalMs);
  }

  /** Resolves when everything queued so far (and every blocked writer's entry) is written. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.#queue.size > 0) this.#flush(true);
      if (this.#flushing !== undefined) await this.#flushing;
      else if (this.#blockedWriters > 0) await Promise.resolve(); // they enqueue within a few microtasks
      else if (this.#queue.size === 0) return;
    }
  }

  /** Refuses new writes, then drains. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.drain().finally(() => {
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
    });
    return this.#closing;
  }

  /** Full batches only, or (`partial`: the timer fired, or a drain) everything queued. */
  #flush(partial: boolean): void {
    if (partial) {
      this.#partial = true;
      this.#cancelTimer?.();
      this.#cancelTimer = undefined;
    }
    this.#flushing ??= this.#flushBatches().finally(() => {
      this.#flushing = undefined;
      this.#partial = false;
      if (this.#queue.size > 0) this.#cancelTimer ??= this.#clock.schedule(() => this.#flush(true), this.#flushIntervalMs);
    });
  }

  async #flushBatches(): Promise<void> {
    while (this.#queue.size >= this.#batchSize || (this.#partial && this.#queue.size > 0)) {
      const batch: WriteBehindEntry<V>[] = [];
      for (const [key, value] of this.#queue) {
        batch.push({ key, value });
        if (batch.length === this.#batchSize) break;
      }
      for (const entry of batch) this.#queue.delete(entry.key);
      for (const wake of this.#blocked.splice(0)) wake();
      await this.#writeBatch(batch);
    }
  }

  async #writeBatch(batch: readonly WriteBehindEntry<V>[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#writer(batch);
        this.#written += batch.length;
        this.#batches++;
        return;
      } catch (error) {
        // Programmer errors do not get better with time (p-retry's rule).
        if (attempt > this.#retries || error instanceof TypeError) {
          this.#failed += batch.length;
          this.#onFailed?.(new WriteBehindError(batch.map((entry) => entry.key), attempt, error), batch);
          return;
        }
        this.#retried++;
        await sleep(this.#clock, Math.min(this.#maxRetryDelayMs, this.#retryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }
}
