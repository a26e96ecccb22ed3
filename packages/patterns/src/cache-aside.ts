import type { Clock } from '@shardcache/health';
import type { Cache, TtlInput } from './cache.js';
import { CacheLock, type LockOptions, type LockWaitOutcome } from './cache-lock.js';
import { entryFreshness } from './early-refresh.js';
import { CachedLoaderError, LoaderError, LockTimeoutError } from './errors.js';
import type { PatternEvent } from './events.js';
import type { Counters } from './internal/counters.js';
import { readEnvelope, toStored, type Envelope } from './internal/envelope.js';
import type { Listeners } from './internal/listeners.js';
import { nonNegativeNumber, positiveInteger, ttlOption } from './internal/validate.js';
import type { SingleFlight } from './single-flight.js';
import type { TagVersions } from './tags.js';

/**
 * Per-call options of `getOrSet` and `wrap`; each defaults to the `PatternCache` option of the
 * same name. When several callers are coalesced, the first caller's options and loader win.
 *
 * @example
 * await cache.getOrSet('user:1', () => db.user(1), { ttl: 300, tags: ['users'], negativeTtl: 5 });
 */
export interface GetOrSetOptions {
  /** Seconds or `'never'`; without it, the cache's own default TTL (and no early refresh). */
  readonly ttl?: TtlInput;
  /** Tags to store the value under (see `invalidateTag`). */
  readonly tags?: readonly string[];
  /** Cache loader failures for this many seconds (negative caching). Default: not cached. */
  readonly negativeTtl?: number;
  /** Seconds past the TTL a stale value is served while one refresh runs. Default 0. */
  readonly staleWhileRevalidate?: number;
  /** XFetch's beta; 0 turns probabilistic early refresh off. */
  readonly beta?: number;
  /** Cross-process lock on a miss: `true` (defaults), `false`, or lock options. */
  readonly lock?: boolean | LockOptions;
}

/**
 * What a cache-aside engine shares with the `PatternCache` that owns it (namespaces share the
 * counters, listeners and refreshes of their parent). Not public: `PatternCache` is the API.
 *
 * @example
 * const aside = new CacheAside({ cache, clock, random: Math.random, counters, listeners, flight: new SingleFlight(), tags, defaults: { ttl: 60 }, refreshes: new Set() });
 */
export interface CacheAsideContext {
  readonly cache: Cache;
  readonly clock: Clock;
  readonly random: () => number;
  readonly counters: Counters;
  readonly listeners: Listeners<PatternEvent>;
  readonly flight: SingleFlight;
  readonly tags: TagVersions;
  readonly defaults: GetOrSetOptions;
  /** Background refreshes in flight, awaited by `close()`. */
  readonly refreshes: Set<Promise<void>>;
}

interface Resolved {
  readonly ttl: TtlInput | undefined;
  readonly tags: readonly string[];
  readonly negativeTtl: number;
  readonly staleWhileRevalidate: number;
  readonly beta: number;
  readonly lock: CacheLock | undefined;
}

/**
 * Cache-aside (read-through by the caller): read the key; on a miss, load once per process
 * (single-flight), optionally once per fleet (lock), store and return. Also serves stale values
 * while revalidating, refreshes early (XFetch), and remembers loader failures when asked.
 * A failing cache is not a failing call: reads that fail fall back to the loader.
 *
 * @example
 * const aside = new CacheAside(context);
 * const user = await aside.getOrSet('user:1', () => db.user(1), { ttl: 300 });
 */
export class CacheAside {
  readonly #context: CacheAsideContext;
  readonly #defaults: Resolved;

  constructor(context: CacheAsideContext) {
    this.#context = context;
    this.#defaults = this.#resolve({}); // validates the defaults at construction
  }

  getOrSet<T>(key: string, loader: () => T | Promise<T>, options?: GetOrSetOptions): Promise<T> {
    let resolved = this.#defaults;
    try {
      if (options !== undefined && Object.keys(options).length > 0) resolved = this.#resolve(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#context.flight.run(key, () => this.#readOrLoad(key, loader, resolved)) as Promise<T>;
  }

  /** The current value, honouring tags, expiry and negative entries; undefined on a miss. */
  async get<T>(key: string): Promise<T | undefined> {
    const entry = await this.#read(key);
    if (entry === undefined) return undefined;
    if (entry.e !== undefined) throw new CachedLoaderError(key, entry.e.c, entry.e.m);
    return entry.v as T;
  }

  async #readOrLoad<T>(key: string, loader: () => T | Promise<T>, options: Resolved): Promise<T> {
    const { counters, clock } = this.#context;
    let entry: Envelope | undefined;
    try {
      entry = await this.#read(key);
    } catch (error) {
      this.#cacheError(key, 'get', error);
      return this.#load(key, loader, options);
    }
    if (entry === undefined) {
      counters.misses++;
      return this.#loadLocked(key, loader, options);
    }
    counters.hits++;
    const freshness = entryFreshness({ expiresAt: entry.x, loadMs: entry.d }, clock.now(), { beta: options.beta, random: this.#context.random });
    if (freshness === 'stale') counters.staleServed++;
    if (freshness !== 'fresh') this.#refreshInBackground(key, loader, options, freshness === 'stale' ? 'stale' : 'xfetch');
    return this.#unwrap<T>(key, entry);
  }

  #unwrap<T>(key: string, entry: Envelope): T {
    if (entry.e !== undefined) {
      this.#context.counters.negativeHits++;
      throw new CachedLoaderError(key, entry.e.c, entry.e.m);
    }
    return entry.v as T;
  }

  /** Reads and narrows the entry; a tagged entry whose tags moved on reads as a miss. */
  async #read(key: string): Promise<Envelope | undefined> {
    const entry = readEnvelope(await this.#context.cache.get(key));
    if (entry?.t === undefined || (await this.#context.tags.isCurrent(entry.t))) return entry;
    this.#context.counters.tagMisses++;
    return undefined;
  }

  async #loadLocked<T>(key: string, loader: () => T | Promise<T>, options: Resolved): Promise<T> {
    const lock = options.lock;
    if (lock === undefined) return this.#load(key, loader, options);
    const { clock, counters } = this.#context;
    const started = clock.now();
    let outcome: LockWaitOutcome<Envelope>;
    try {
      outcome = (await lock.acquire(key)) ? 'acquired' : await this.#waitForLock(key, lock, started + lock.waitMs);
    } catch (error) {
      // No lock service is no reason to fail the call: load without it.
      this.#cacheError(key, 'lock', error);
      return this.#load(key, loader, options);
    }
    if (typeof outcome === 'object') return this.#unwrap<T>(key, outcome.found);
    if (outcome === 'timeout') {
      counters.lockTimeouts++;
      if (lock.onTimeout === 'throw') throw new LockTimeoutError(key, clock.now() - started);
      return this.#load(key, loader, options);
    }
    // Taken: but a holder may have stored its value and released the lock between this
    // process's last miss and its `add` (two processes, under load, then loaded twice: seen in
    // CI). Its value was stored before its release, so one read now finds it.
    const stored = await this.#read(key).catch(() => undefined);
    if (stored !== undefined) {
      await lock.release(key);
      return this.#unwrap<T>(key, stored);
    }
    try {
      return await this.#load(key, loader, options);
    } finally {
      await lock.release(key);
    }
  }

  #waitForLock(key: string, lock: CacheLock, deadline: number): Promise<LockWaitOutcome<Envelope>> {
    this.#context.counters.lockWaits++;
    this.#context.listeners.emit(() => ({ type: 'lock-wait', key }));
    return lock.wait(key, () => this.#read(key).catch(() => undefined), deadline);
  }

  /** Calls the loader, stores what it returned (or, with negativeTtl, its failure). */
  async #load<T>(key: string, loader: () => T | Promise<T>, options: Resolved): Promise<T> {
    const { clock, counters, listeners } = this.#context;
    const started = clock.now();
    counters.loads++;
    // Versions are read before loading: an invalidation during the load leaves the entry stale.
    const versions = options.tags.length === 0 ? undefined : await this.#context.tags.current(options.tags, true).catch(() => undefined);
    let value: T;
    try {
      value = await loader();
    } catch (error) {
      counters.loadErrors++;
      const ms = clock.now() - started;
      listeners.emit(() => ({ type: 'load', key, ms, ok: false }));
      if (options.negativeTtl > 0) {
        const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
        const message = error instanceof Error ? error.message : String(error);
        await this.#store(key, { e: code === undefined ? { m: message } : { c: code, m: message } }, options.negativeTtl);
      }
      throw new LoaderError(key, error);
    }
    const ms = clock.now() - started;
    listeners.emit(() => ({ type: 'load', key, ms, ok: true }));
    if (options.tags.length > 0 && versions === undefined) return value; // tags unreadable: do not cache
    await this.#store(key, this.#entry(value, options, ms, versions), this.#physicalTtl(options));
    return value;
  }

  /** Writes `value` the way `getOrSet` stores it (so reads see tags and expiry); errors propagate. */
  async set(key: string, value: unknown, options: Pick<GetOrSetOptions, 'ttl' | 'tags' | 'staleWhileRevalidate'> = {}): Promise<void> {
    const resolved = Object.keys(options).length === 0 ? this.#defaults : this.#resolve(options);
    const versions = resolved.tags.length === 0 ? undefined : await this.#context.tags.current(resolved.tags, true);
    const ttl = this.#physicalTtl(resolved);
    await this.#context.cache.set(key, toStored(this.#entry(value, resolved, undefined, versions)), ttl === undefined ? {} : { ttl });
  }

  #entry(value: unknown, options: Resolved, loadMs: number | undefined, versions: Record<string, number> | undefined): Envelope {
    const entry: { v: unknown; x?: number; d?: number; t?: Record<string, number> } = { v: value };
    if (typeof options.ttl === 'number') entry.x = this.#context.clock.now() + options.ttl * 1000;
    if (loadMs !== undefined) entry.d = Math.round(loadMs);
    if (versions !== undefined) entry.t = versions;
    return entry;
  }

  /** Stale values stay in the cluster for the SWR window past their TTL. */
  #physicalTtl(options: Resolved): TtlInput | undefined {
    return typeof options.ttl === 'number' ? options.ttl + options.staleWhileRevalidate : options.ttl;
  }

  async #store(key: string, envelope: Envelope, ttl: TtlInput | undefined): Promise<void> {
    try {
      await this.#context.cache.set(key, toStored(envelope), ttl === undefined ? {} : { ttl });
    } catch (error) {
      this.#cacheError(key, 'set', error);
    }
  }

  /** One refresh per key at a time; with the lock on, one per fleet (losers skip it). */
  #refreshInBackground<T>(key: string, loader: () => T | Promise<T>, options: Resolved, reason: 'stale' | 'xfetch'): void {
    const { counters, listeners, refreshes } = this.#context;
    const refreshKey = `refresh:${key}`;
    if (this.#context.flight.has(refreshKey)) return;
    counters.earlyRefreshes++;
    listeners.emit(() => ({ type: 'early-refresh', key, reason }));
    const refresh = this.#context.flight
      .run(refreshKey, async () => {
        const lock = options.lock;
        if (lock !== undefined && !(await lock.acquire(key))) return;
        try {
          await this.#load(key, loader, { ...options, negativeTtl: 0 });
        } finally {
          if (lock !== undefined) await lock.release(key);
        }
      })
      .catch((error: unknown) => {
        counters.refreshFailures++;
        listeners.emit(() => ({ type: 'refresh-failed', key, error }));
      });
    refreshes.add(refresh);
    void refresh.finally(() => refreshes.delete(refresh));
  }

  #cacheError(key: string, operation: string, error: unknown): void {
    this.#context.counters.cacheErrors++;
    this.#context.listeners.emit(() => ({ type: 'cache-error', key, operation, error }));
  }

  #resolve(options: GetOrSetOptions): Resolved {
    const defaults = this.#context.defaults;
    const lockOption = options.lock ?? defaults.lock ?? false;
    const lockSettings = lockOption === true ? {} : lockOption === false ? undefined : lockOption;
    const negativeTtl = options.negativeTtl ?? defaults.negativeTtl;
    return {
      ttl: ttlOption('ttl', options.ttl ?? defaults.ttl),
      tags: options.tags ?? defaults.tags ?? [],
      negativeTtl: negativeTtl === undefined ? 0 : positiveInteger('negativeTtl', negativeTtl, 0),
      staleWhileRevalidate: nonNegativeInteger('staleWhileRevalidate', options.staleWhileRevalidate ?? defaults.staleWhileRevalidate),
      beta: nonNegativeNumber('beta', options.beta ?? defaults.beta, 0),
      lock: lockSettings === undefined ? undefined : new CacheLock(this.#context.cache, this.#context.clock, lockSettings),
    };
  }
}

function nonNegativeInteger(option: string, value: number | undefined): number {
  return value === undefined || value === 0 ? 0 : positiveInteger(option, value, 0);
}
