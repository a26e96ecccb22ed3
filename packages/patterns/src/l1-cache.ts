import { systemClock, type Clock } from '@shardcache/health';
import type { Cache, CacheCallOptions, CacheManyResult, CacheWriteOptions } from './cache.js';
import type { InvalidationBus } from './invalidation-bus.js';
import { estimateBytes, Lru } from './internal/lru.js';
import { functionOption, positiveInteger, positiveNumber } from './internal/validate.js';

/**
 * Options of an {@link L1Cache}.
 *
 * @example
 * const options: L1CacheOptions = { maxEntries: 10_000, maxBytes: 64 << 20, ttlMs: 2000 };
 */
export interface L1CacheOptions {
  /** Default 1,000. */
  readonly maxEntries?: number;
  /** Estimated bytes held (values and keys). Default 16 MiB. */
  readonly maxBytes?: number;
  /** How long a copy is served without asking the cluster: the staleness bound without a bus. Default 1000 ms. */
  readonly ttlMs?: number;
  /** Keeps copies coherent across processes (redis pub/sub); without it, staleness is bounded by `ttlMs`. */
  readonly bus?: InvalidationBus;
  /** Bytes a value holds; default: exact for bytes and strings, JSON length otherwise. */
  readonly sizeOf?: (key: string, value: unknown) => number;
  readonly clock?: Clock;
}

/**
 * Hits and misses per level: `l1` is this process's memory, `l2` the cluster (asked on L1 misses).
 *
 * @example
 * l1.stats; // { l1: { hits: 90, misses: 10, hitRate: 0.9, ... }, l2: { hits: 8, misses: 2, hitRate: 0.8 } }
 */
export interface L1Stats {
  readonly l1: {
    readonly hits: number;
    readonly misses: number;
    readonly hitRate: number;
    readonly entries: number;
    readonly bytes: number;
    readonly evictions: number;
    readonly invalidations: number;
  };
  readonly l2: { readonly hits: number; readonly misses: number; readonly hitRate: number };
}

const rate = (hits: number, misses: number): number => (hits + misses === 0 ? 0 : hits / (hits + misses));

/**
 * A near-cache: an in-process LRU in front of any {@link Cache}, itself a `Cache`, so the
 * patterns run over it unchanged. Reads are served from memory for `ttlMs`; misses (never
 * cached) go to the cluster. Writes go to the cluster first, then drop (or, for `set`, replace)
 * the local copy and publish the key on the `bus`, whose other processes drop theirs.
 *
 * Coherence: with a bus, another process's write is seen once its message arrives (a lost
 * message: after `ttlMs`); a read racing with an invalidation never stores the old value. On
 * memcached (no bus) a copy may be up to `ttlMs` stale. Copies are shared references: do not
 * mutate values read through an L1.
 *
 * @example
 * const l1 = new L1Cache(client, { maxEntries: 10_000, ttlMs: 1000 });
 * await l1.get('user:1'); // from the cluster
 * await l1.get('user:1'); // from memory
 */
export class L1Cache implements Cache {
  readonly #remote: Cache;
  readonly #lru: Lru<unknown>;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #sizeOf: (key: string, value: unknown) => number;
  readonly #bus: InvalidationBus | undefined;
  readonly #unsubscribe: (() => void) | undefined;
  /** Reads in flight per key; an invalidation removes the token so the read does not store. */
  readonly #fills = new Map<string, object>();
  #hits = 0;
  #misses = 0;
  #remoteHits = 0;
  #remoteMisses = 0;
  #invalidations = 0;

  constructor(remote: Cache, options: L1CacheOptions = {}) {
    this.#remote = remote;
    this.#lru = new Lru(positiveInteger('maxEntries', options.maxEntries, 1000), positiveInteger('maxBytes', options.maxBytes, 16 * 1024 * 1024));
    this.#ttlMs = positiveNumber('ttlMs', options.ttlMs, 1000);
    this.#clock = options.clock ?? systemClock;
    this.#sizeOf = functionOption('sizeOf', options.sizeOf) ?? estimateBytes;
    this.#bus = options.bus;
    this.#unsubscribe = options.bus?.subscribe((keys) => {
      for (const key of keys) this.invalidate(key);
    });
  }

  get stats(): L1Stats {
    return {
      l1: {
        hits: this.#hits,
        misses: this.#misses,
        hitRate: rate(this.#hits, this.#misses),
        entries: this.#lru.size,
        bytes: this.#lru.bytes,
        evictions: this.#lru.evictions,
        invalidations: this.#invalidations,
      },
      l2: { hits: this.#remoteHits, misses: this.#remoteMisses, hitRate: rate(this.#remoteHits, this.#remoteMisses) },
    };
  }

  get<T = unknown>(key: string, options?: CacheCallOptions): Promise<T | undefined> {
    const local = this.#lru.get(key, this.#clock.now());
    if (local !== undefined) {
      this.#hits++;
      return Promise.resolve(local as T);
    }
    this.#misses++;
    const token = {};
    this.#fills.set(key, token);
    return this.#remote.get<T>(key, options).then(
      (value) => {
        this.#fill(key, token, value);
        return value;
      },
      (error: unknown) => {
        if (this.#fills.get(key) === token) this.#fills.delete(key);
        throw error;
      },
    );
  }

  async getMany<T = unknown>(keys: readonly string[], options?: CacheCallOptions): Promise<CacheManyResult<T>> {
    const now = this.#clock.now();
    const values: (T | undefined)[] = keys.map((key) => this.#lru.get(key, now) as T | undefined);
    const missing: number[] = [];
    values.forEach((value, index) => (value === undefined ? missing.push(index) : this.#hits++));
    if (missing.length === 0) return { values, failures: [] };
    this.#misses += missing.length;
    const tokens = missing.map((index) => {
      const token = {};
      this.#fills.set(keys[index] ?? '', token);
      return token;
    });
    let remote: CacheManyResult<T>;
    try {
      remote = await this.#remote.getMany<T>(
        missing.map((index) => keys[index] ?? ''),
        options,
      );
    } catch (error) {
      missing.forEach((index, position) => {
        if (this.#fills.get(keys[index] ?? '') === tokens[position]) this.#fills.delete(keys[index] ?? '');
      });
      throw error;
    }
    missing.forEach((index, position) => {
      const value = remote.values[position];
      values[index] = value;
      this.#fill(keys[index] ?? '', tokens[position] ?? {}, value);
    });
    return { values, failures: remote.failures };
  }

  async set(key: string, value: unknown, options?: CacheWriteOptions): Promise<void> {
    this.invalidate(key);
    await this.#remote.set(key, value, options);
    this.#store(key, value);
    await this.#publish(key);
  }

  async add(key: string, value: unknown, options?: CacheWriteOptions): Promise<boolean> {
    const added = await this.#remote.add(key, value, options);
    if (added) {
      this.invalidate(key);
      await this.#publish(key);
    }
    return added;
  }

  async delete(key: string, options?: CacheCallOptions): Promise<boolean> {
    this.invalidate(key);
    const deleted = await this.#remote.delete(key, options);
    await this.#publish(key);
    return deleted;
  }

  async incr(key: string, delta?: number, options?: CacheCallOptions): Promise<number | undefined> {
    this.invalidate(key);
    const value = await this.#remote.incr(key, delta, options);
    if (value !== undefined) await this.#publish(key);
    return value;
  }

  /** Drops this process's copy of `key` (the bus calls this for other processes' writes). */
  invalidate(key: string): void {
    this.#fills.delete(key);
    if (this.#lru.delete(key)) this.#invalidations++;
  }

  /** Drops every local copy. */
  clear(): void {
    this.#fills.clear();
    this.#lru.clear();
  }

  /** Stops listening to the bus. Neither the bus nor the remote cache is closed. */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.clear();
  }

  #fill(key: string, token: object, value: unknown): void {
    if (value === undefined) this.#remoteMisses++;
    else this.#remoteHits++;
    if (this.#fills.get(key) !== token) return; // invalidated (or re-read) meanwhile
    this.#fills.delete(key);
    if (value !== undefined) this.#store(key, value);
  }

  #store(key: string, value: unknown): void {
    this.#lru.set(key, value, this.#sizeOf(key, value), this.#clock.now() + this.#ttlMs);
  }

  async #publish(key: string): Promise<void> {
    // Best effort by design: a lost message is bounded by ttlMs.
    await this.#bus?.publish([key]).catch(() => undefined);
  }
}
