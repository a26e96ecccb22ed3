import { sleep, type Clock } from '@shardcache/health';
import type { Cache } from './cache.js';
import { nonNegativeNumber, oneOf, positiveInteger, positiveNumber } from './internal/validate.js';

/**
 * Cross-process stampede protection for cache-aside: before loading, a process `add`s the lock
 * key (`lock:<key>`) with a short TTL; processes that lose wait for the value to appear.
 *
 * @example
 * const cache = new PatternCache(client, { lock: { ttl: 5, waitMs: 3000, pollMs: 25 } });
 */
export interface LockOptions {
  /** Seconds the lock lives if its holder dies before releasing it. Default 10. */
  readonly ttl?: number;
  /** How long a process waits for another's load before `onTimeout`. Default 5000 ms. */
  readonly waitMs?: number;
  /** How often a waiting process reads the key. Default 50 ms. */
  readonly pollMs?: number;
  /** After `waitMs`: call the loader anyway (`'load'`, default) or throw ERR_LOCK_TIMEOUT. */
  readonly onTimeout?: 'load' | 'throw';
}

/**
 * What waiting on another process's lock ended with: the value it stored, the lock itself (its
 * holder gave up without a value: now this process loads), or the deadline.
 *
 * @example
 * const outcome = await lock.wait('k', read, Date.now() + 5000);
 * if (typeof outcome === 'object') return outcome.found;
 */
export type LockWaitOutcome<T> = { readonly found: T } | 'acquired' | 'timeout';

/**
 * The lock itself: acquire with `add`, release with `delete`, wait by polling the value.
 * Releasing deletes the key without checking ownership: a holder that outlives its lock TTL
 * may delete a successor's lock, which costs at most one extra load.
 *
 * @example
 * const lock = new CacheLock(cache, systemClock, { ttl: 5 });
 * if (await lock.acquire('user:1')) try { await load(); } finally { await lock.release('user:1'); }
 */
export class CacheLock {
  readonly ttl: number;
  readonly waitMs: number;
  readonly pollMs: number;
  readonly onTimeout: 'load' | 'throw';
  readonly #cache: Cache;
  readonly #clock: Clock;

  constructor(cache: Cache, clock: Clock, options: LockOptions = {}) {
    this.#cache = cache;
    this.#clock = clock;
    this.ttl = positiveInteger('lock.ttl', options.ttl, 10);
    this.waitMs = nonNegativeNumber('lock.waitMs', options.waitMs, 5000);
    this.pollMs = positiveNumber('lock.pollMs', options.pollMs, 50);
    this.onTimeout = oneOf('lock.onTimeout', options.onTimeout, ['load', 'throw'], 'load');
  }

  static keyOf(key: string): string {
    return `lock:${key}`;
  }

  /** True when this process now holds the lock. */
  acquire(key: string): Promise<boolean> {
    return this.#cache.add(CacheLock.keyOf(key), '1', { ttl: this.ttl });
  }

  /** Best effort: an unreleased lock ends with its TTL. */
  async release(key: string): Promise<void> {
    await this.#cache.delete(CacheLock.keyOf(key)).catch(() => false);
  }

  /**
   * Polls `read` until it finds a value, the lock can be taken (its holder failed or gave up
   * without storing one), or `deadline` (epoch ms) passes. The lock is probed with `add`, never
   * read, so a near-cache in front of the cluster cannot show a stale lock.
   */
  async wait<T>(key: string, read: () => Promise<T | undefined>, deadline: number): Promise<LockWaitOutcome<T>> {
    for (;;) {
      const left = deadline - this.#clock.now();
      if (left <= 0) return 'timeout';
      await sleep(this.#clock, Math.min(this.pollMs, left));
      const found = await read();
      if (found !== undefined) return { found };
      if (await this.acquire(key)) return 'acquired';
    }
  }
}
