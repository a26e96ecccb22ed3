import { systemClock, type Clock } from '@shardcache/health';
import type { Cache, TtlInput } from './cache.js';
import { CacheAside, type GetOrSetOptions } from './cache-aside.js';
import type { LockOptions } from './cache-lock.js';
import type { EarlyRefreshOptions } from './early-refresh.js';
import { ClosedError, InvalidOptionError } from './errors.js';
import type { PatternEvent, PatternListener } from './events.js';
import { Counters } from './internal/counters.js';
import { Listeners } from './internal/listeners.js';
import { functionOption, nonNegativeNumber, positiveInteger, ttlOption } from './internal/validate.js';
import { L1Cache, type L1CacheOptions, type L1Stats } from './l1-cache.js';
import { namespacedCache, type NamespaceOptions } from './namespace.js';
import { SingleFlight } from './single-flight.js';
import { TagVersions } from './tags.js';
import { WriteBehind, type WriteBehindOptions, type WriteBehindStats } from './write-behind.js';
import { writeThrough } from './write-through.js';

/**
 * Options of a {@link PatternCache}; every one is optional and validated at construction.
 *
 * @example
 * const options: PatternCacheOptions = { defaultTtl: 300, lock: true, earlyRefresh: { beta: 1 }, l1: { ttlMs: 1000 } };
 */
export interface PatternCacheOptions {
  /** TTL of every write without one. Default: none here, so the cache's own default applies. */
  readonly defaultTtl?: TtlInput;
  /** Cache loader failures for this many seconds. Default: never cached. */
  readonly negativeTtl?: number;
  /** Cross-process lock on misses. Default off. */
  readonly lock?: boolean | LockOptions;
  readonly earlyRefresh?: EarlyRefreshOptions;
  /** Put an in-process {@link L1Cache} in front of the cache. */
  readonly l1?: L1CacheOptions;
  /** Prefix of tag version counters. Default `'tag:'`. */
  readonly tagPrefix?: string;
  readonly clock?: Clock;
}

/**
 * `wrap` options: where each call's result is cached, plus any {@link GetOrSetOptions}.
 *
 * @example
 * const options: WrapOptions<[number]> = { key: (id) => `user:${id}`, ttl: 60 };
 */
export interface WrapOptions<A extends readonly unknown[]> extends GetOrSetOptions {
  readonly key: (...args: A) => string;
}

/**
 * A `PatternCache.stats` snapshot: per-pattern counters, write-behind queues (summed), and the
 * L1's per-level hits when there is one.
 *
 * @example
 * const { loads, coalesced, lockWaits, writeBehind: { queueDepth }, l1 } = cache.stats;
 */
export interface PatternStats {
  readonly hits: number;
  readonly misses: number;
  readonly hitRate: number;
  readonly loads: number;
  readonly loadErrors: number;
  readonly coalesced: number;
  readonly lockWaits: number;
  readonly lockTimeouts: number;
  readonly earlyRefreshes: number;
  readonly staleServed: number;
  readonly refreshFailures: number;
  readonly negativeHits: number;
  readonly tagMisses: number;
  readonly cacheErrors: number;
  readonly writeBehind: WriteBehindStats;
  readonly l1: L1Stats | undefined;
}

/** State a cache shares with its namespaces. */
interface Shared {
  readonly counters: Counters;
  readonly listeners: Listeners<PatternEvent>;
  readonly queues: Set<{ readonly stats: WriteBehindStats; close(): Promise<void> }>;
  readonly refreshes: Set<Promise<void>>;
}

/**
 * The caching patterns over any {@link Cache} (a `ShardedClient`, an `L1Cache`, ...):
 * cache-aside with stampede protection, early refresh, write-through, write-behind, tags,
 * versioned namespaces, an optional L1 and per-pattern stats. It does not own `cache`:
 * `close()` drains its own queues and refreshes, and the caller closes the client.
 *
 * @example
 * const cache = new PatternCache(client, { defaultTtl: 300, lock: true });
 * const user = await cache.getOrSet('user:1', () => db.user(1));
 * await cache.setTagged('post:9', post, ['user:1']);
 * await cache.invalidateTag('user:1'); // post:9 now reads as a miss, in every process
 * await cache.close();
 */
export class PatternCache {
  readonly #cache: Cache;
  readonly #l1: L1Cache | undefined;
  readonly #options: PatternCacheOptions;
  readonly #clock: Clock;
  readonly #shared: Shared;
  readonly #tags: TagVersions;
  readonly #aside: CacheAside;
  #closed = false;
  /** Set by `namespace()` for the one synchronous constructor call that adopts its state. */
  static #adopting: Shared | undefined;

  constructor(cache: Cache, options: PatternCacheOptions = {}) {
    if (typeof cache?.get !== 'function' || typeof cache.add !== 'function' || typeof cache.incr !== 'function') {
      throw new InvalidOptionError('cache', 'expected a Cache (get, set, add, delete, incr, getMany), such as a ShardedClient');
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#l1 = options.l1 === undefined ? undefined : new L1Cache(cache, { clock: this.#clock, ...options.l1 });
    this.#cache = this.#l1 ?? cache;
    this.#shared = PatternCache.#adopting ?? { counters: new Counters(), listeners: new Listeners(), queues: new Set(), refreshes: new Set() };
    const tagPrefix = options.tagPrefix ?? 'tag:';
    if (typeof tagPrefix !== 'string' || tagPrefix === '') throw new InvalidOptionError('tagPrefix', 'expected a non-empty string');
    this.#tags = new TagVersions(this.#cache, this.#clock, tagPrefix);
    const early = options.earlyRefresh ?? {};
    // Named as the caller wrote them; CacheAside validates the per-call forms.
    ttlOption('defaultTtl', options.defaultTtl);
    if (options.negativeTtl !== undefined) positiveInteger('negativeTtl', options.negativeTtl, 0);
    nonNegativeNumber('earlyRefresh.beta', early.beta, 0);
    if (early.staleWhileRevalidate !== 0) positiveInteger('earlyRefresh.staleWhileRevalidate', early.staleWhileRevalidate, 0);
    const counters = this.#shared.counters;
    this.#aside = new CacheAside({
      cache: this.#cache,
      clock: this.#clock,
      random: functionOption('earlyRefresh.random', early.random) ?? Math.random,
      counters,
      listeners: this.#shared.listeners,
      flight: new SingleFlight(() => counters.coalesced++),
      tags: this.#tags,
      refreshes: this.#shared.refreshes,
      defaults: {
        ...(options.defaultTtl === undefined ? {} : { ttl: options.defaultTtl }),
        ...(options.negativeTtl === undefined ? {} : { negativeTtl: options.negativeTtl }),
        ...(options.lock === undefined ? {} : { lock: options.lock }),
        ...(early.staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate: early.staleWhileRevalidate }),
        ...(early.beta === undefined ? {} : { beta: early.beta }),
      },
    });
  }

  /**
   * The cached value of `key`, or the loader's (stored, then returned). Concurrent calls for
   * one key in this process share one loader call; with `lock`, one process in the fleet loads.
   */
  getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: GetOrSetOptions): Promise<T> {
    if (this.#closed) return Promise.reject(new ClosedError('the pattern cache'));
    return this.#aside.getOrSet(key, loader, options);
  }

  /** `fn` with its results cached under `options.key(...args)`. */
  wrap<A extends readonly unknown[], R>(fn: (...args: A) => R | Promise<R>, options: WrapOptions<A>): (...args: A) => Promise<R> {
    const keyOf = functionOption('key', options?.key);
    if (keyOf === undefined) throw new InvalidOptionError('key', 'required: a function from the arguments to the cache key');
    const { key: _key, ...rest } = options;
    return (...args: A) => this.getOrSet(keyOf(...args), () => fn(...args), rest);
  }

  /** The current value (tags and negative entries honoured), or undefined. */
  get<T>(key: string): Promise<T | undefined> {
    if (this.#closed) return Promise.reject(new ClosedError('the pattern cache'));
    return this.#aside.get<T>(key);
  }

  /** Stores `value` as `getOrSet` would (default TTL unless given). */
  set(key: string, value: unknown, options: { readonly ttl?: TtlInput; readonly tags?: readonly string[] } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('the pattern cache'));
    return this.#aside.set(key, value, options);
  }

  /** Stores `value` under `tags`: `invalidateTag` of any of them makes it a miss everywhere. */
  setTagged(key: string, value: unknown, tags: readonly string[], options: { readonly ttl?: TtlInput } = {}): Promise<void> {
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== '')) {
      return Promise.reject(new InvalidOptionError('tags', 'expected an array of non-empty strings'));
    }
    return this.set(key, value, { ...options, tags });
  }

  delete(key: string): Promise<boolean> {
    if (this.#closed) return Promise.reject(new ClosedError('the pattern cache'));
    return this.#cache.delete(key);
  }

  /** Invalidates every entry tagged `tag`, in every process: one `incr` of its version counter. */
  invalidateTag(tag: string): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('the pattern cache'));
    return this.#tags.invalidate(tag);
  }

  /** Write-through: `writer` (the source of truth) first, then the cache; see `writeThrough`. */
  setThrough<V>(key: string, value: V, writer: (key: string, value: V) => Promise<unknown>, options: { readonly ttl?: TtlInput } = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('the pattern cache'));
    return writeThrough(
      key,
      () => writer(key, value),
      () => this.#aside.set(key, value, options),
      () => this.#cache.delete(key),
    );
  }

  /**
   * A write-behind queue whose writes also update this cache (with `ttl`, or the default TTL).
   * Its failures are reported as `write-behind-failed` events; `close()` drains it.
   */
  writeBehind<V>(options: Omit<WriteBehindOptions<V>, 'store' | 'clock'> & { readonly ttl?: TtlInput }): WriteBehind<V> {
    if (this.#closed) throw new ClosedError('the pattern cache');
    const { ttl, onFailed, ...rest } = options;
    const queue = new WriteBehind<V>({
      ...rest,
      clock: this.#clock,
      store: (key, value) => this.#aside.set(key, value, ttl === undefined ? {} : { ttl }),
      onFailed: (error, batch) => {
        this.#shared.listeners.emit({ type: 'write-behind-failed', error });
        onFailed?.(error, batch);
      },
    });
    this.#shared.queues.add(queue);
    return queue;
  }

  /**
   * A view whose keys (and tag counters, and locks) live under `<name>:v<version>:`. Changing
   * the version abandons every entry of the old one at once. Shares stats and events.
   */
  namespace(name: string, options: NamespaceOptions): PatternCache {
    const { l1: _l1, ...rest } = this.#options;
    const scoped = namespacedCache(this.#cache, name, options);
    PatternCache.#adopting = this.#shared;
    try {
      return new PatternCache(scoped, { ...rest, clock: this.#clock });
    } finally {
      PatternCache.#adopting = undefined;
    }
  }

  get stats(): PatternStats {
    const c = this.#shared.counters;
    const writeBehind = { queueDepth: 0, blockedWriters: 0, written: 0, batches: 0, retries: 0, failed: 0 };
    for (const queue of this.#shared.queues) {
      const stats = queue.stats;
      for (const name of Object.keys(writeBehind) as (keyof WriteBehindStats)[]) writeBehind[name] += stats[name];
    }
    return {
      hits: c.hits,
      misses: c.misses,
      hitRate: c.hits + c.misses === 0 ? 0 : c.hits / (c.hits + c.misses),
      loads: c.loads,
      loadErrors: c.loadErrors,
      coalesced: c.coalesced,
      lockWaits: c.lockWaits,
      lockTimeouts: c.lockTimeouts,
      earlyRefreshes: c.earlyRefreshes,
      staleServed: c.staleServed,
      refreshFailures: c.refreshFailures,
      negativeHits: c.negativeHits,
      tagMisses: c.tagMisses,
      cacheErrors: c.cacheErrors,
      writeBehind,
      l1: this.#l1?.stats,
    };
  }

  /** Listens to {@link PatternEvent}s; returns the unsubscribe function. */
  subscribe(listener: PatternListener): () => void {
    return this.#shared.listeners.subscribe(listener);
  }

  /** Drains write-behind queues, waits for background refreshes, detaches the L1. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#shared.queues].map((queue) => queue.close()));
    await Promise.all([...this.#shared.refreshes]);
    await this.#l1?.close();
  }
}
