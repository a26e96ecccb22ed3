/**
 * A TTL as the cache takes it: whole seconds greater than 0, or `'never'` for no expiry.
 * `0` is rejected everywhere (memcached reads it as "never", redis as an error).
 *
 * @example
 * const ttl: TtlInput = 300;
 */
export type TtlInput = number | 'never';

/**
 * Options every cache call takes.
 *
 * @example
 * await cache.get('k', { timeoutMs: 50 });
 */
export interface CacheCallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Options for cache writes; without `ttl` the cache's own default TTL applies.
 *
 * @example
 * await cache.set('k', 'v', { ttl: 60 });
 */
export interface CacheWriteOptions extends CacheCallOptions {
  readonly ttl?: TtlInput;
}

/**
 * One key of a multi-key call that failed, and why.
 *
 * @example
 * const { failures } = await cache.getMany(['a', 'b']); // [{ key: 'b', error }]
 */
export interface CacheFailure {
  readonly key: string;
  readonly error: unknown;
}

/**
 * The result of `getMany`: values in the order of the keys asked, and the keys that failed.
 *
 * @example
 * const { values: [a, b] } = await cache.getMany(['a', 'b']);
 */
export interface CacheManyResult<T> {
  readonly values: (T | undefined)[];
  readonly failures: readonly CacheFailure[];
}

/**
 * The calls the patterns need from a cache, with `ShardedClient`'s signatures, so a
 * `ShardedClient` is a `Cache` as it is (checked by a type test), and so is an `L1Cache`.
 *
 * Semantics the patterns rely on: `add` stores only if absent (false otherwise); `incr` of an
 * absent key returns undefined and creates nothing (memcached's rule); counters are stored as
 * raw decimal bytes (`Buffer`), which `incr` can read on both backends.
 *
 * @example
 * const cache: Cache = new ShardedClient({ backend: 'redis', nodes: ['127.0.0.1:6379'] });
 * await cache.add('lock:k', Buffer.from('1'), { ttl: 5 });
 */
export interface Cache {
  get<T = unknown>(key: string, options?: CacheCallOptions): Promise<T | undefined>;
  set(key: string, value: unknown, options?: CacheWriteOptions): Promise<void>;
  add(key: string, value: unknown, options?: CacheWriteOptions): Promise<boolean>;
  delete(key: string, options?: CacheCallOptions): Promise<boolean>;
  incr(key: string, delta?: number, options?: CacheCallOptions): Promise<number | undefined>;
  getMany<T = unknown>(keys: readonly string[], options?: CacheCallOptions): Promise<CacheManyResult<T>>;
}
