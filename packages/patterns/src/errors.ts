/**
 * Every `code` a `PatternError` can carry, one per class (as undici's errors module does): a
 * `switch (err.code)` is checked for exhaustiveness, and a typo in a comparison fails to compile.
 */
export type PatternErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_LOADER'
  | 'ERR_CACHED_ERROR'
  | 'ERR_LOCK_TIMEOUT'
  | 'ERR_WRITER'
  | 'ERR_CACHE_WRITE'
  | 'ERR_QUEUE_FULL'
  | 'ERR_WRITE_BEHIND'
  | 'ERR_CLIENT_CLOSED';

/**
 * Base class of every error `@shardcache/patterns` throws. Match on `code`, never on the message.
 *
 * @example
 * try { await cache.getOrSet('user:1', load); } catch (error) {
 *   if (error instanceof PatternError && error.code === 'ERR_LOADER') console.warn(error.cause);
 * }
 */
export class PatternError extends Error {
  readonly code: PatternErrorCode;

  constructor(code: PatternErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * An option is wrong; `option` names it. A programmer error: thrown at once, never retried.
 *
 * @example
 * new PatternCache(cache, { lock: { waitMs: -1 } }); // throws ERR_INVALID_OPTION, option 'lock.waitMs'
 */
export class InvalidOptionError extends PatternError {
  declare readonly code: 'ERR_INVALID_OPTION';
  readonly option: string;

  constructor(option: string, reason: string) {
    super('ERR_INVALID_OPTION', `option "${option}": ${reason}`);
    this.option = option;
  }
}

/**
 * The loader (or a wrapped function) threw; `cause` is what it threw. Nothing was cached unless
 * `negativeTtl` is set.
 *
 * @example
 * await cache.getOrSet('k', () => Promise.reject(new Error('db down'))); // rejects with ERR_LOADER
 */
export class LoaderError extends PatternError {
  declare readonly code: 'ERR_LOADER';
  readonly key: string;

  constructor(key: string, cause: unknown) {
    super('ERR_LOADER', `the loader for "${key}" failed`, { cause });
    this.key = key;
  }
}

/**
 * A loader failure remembered by negative caching: served from the cache until `negativeTtl`
 * ends, without calling the loader. `loaderCode`/`loaderMessage` describe the original error.
 *
 * @example
 * await cache.getOrSet('k', failing, { negativeTtl: 5 }); // ERR_LOADER, then ERR_CACHED_ERROR for 5 s
 */
export class CachedLoaderError extends PatternError {
  declare readonly code: 'ERR_CACHED_ERROR';
  readonly key: string;
  readonly loaderCode: string | undefined;
  readonly loaderMessage: string;

  constructor(key: string, loaderCode: string | undefined, loaderMessage: string) {
    super('ERR_CACHED_ERROR', `the loader for "${key}" failed recently (cached): ${loaderMessage}`);
    this.key = key;
    this.loaderCode = loaderCode;
    this.loaderMessage = loaderMessage;
  }
}

/**
 * Another process held the key's lock for longer than `lock.waitMs` and `lock.onTimeout` is
 * `'throw'` (the default `'load'` calls the loader instead).
 *
 * @example
 * await cache.getOrSet('k', load, { lock: { waitMs: 100, onTimeout: 'throw' } }); // may reject with ERR_LOCK_TIMEOUT
 */
export class LockTimeoutError extends PatternError {
  declare readonly code: 'ERR_LOCK_TIMEOUT';
  readonly key: string;

  constructor(key: string, waitedMs: number) {
    super('ERR_LOCK_TIMEOUT', `gave up waiting ${waitedMs} ms for another process to load "${key}"`);
    this.key = key;
  }
}

/**
 * The writer of `setThrough` failed: the source of truth was not written and the cache was not
 * touched. `cause` is what the writer threw.
 *
 * @example
 * await cache.setThrough('k', v, () => Promise.reject(new Error('db'))); // rejects with ERR_WRITER
 */
export class WriterError extends PatternError {
  declare readonly code: 'ERR_WRITER';
  readonly key: string;

  constructor(key: string, cause: unknown) {
    super('ERR_WRITER', `the writer for "${key}" failed`, { cause });
    this.key = key;
  }
}

/**
 * `setThrough` wrote the source of truth but could neither update nor delete the cached copy:
 * readers may see the old value until its TTL ends.
 *
 * @example
 * try { await cache.setThrough('k', v, write); } catch (e) { if (e.code === 'ERR_CACHE_WRITE') metrics.stale++; }
 */
export class CacheWriteError extends PatternError {
  declare readonly code: 'ERR_CACHE_WRITE';
  readonly key: string;

  constructor(key: string, cause: unknown) {
    super('ERR_CACHE_WRITE', `"${key}" was written to its source but the cached copy could not be updated or removed`, { cause });
    this.key = key;
  }
}

/**
 * A write-behind queue is full and `onFull` is `'reject'`.
 *
 * @example
 * await queue.write('k', v); // rejects with ERR_QUEUE_FULL when maxQueue entries are waiting
 */
export class QueueFullError extends PatternError {
  declare readonly code: 'ERR_QUEUE_FULL';

  constructor(maxQueue: number) {
    super('ERR_QUEUE_FULL', `the write-behind queue holds its maximum of ${maxQueue} entries`);
  }
}

/**
 * A write-behind batch still failed after its retries; `keys` lists what was not written.
 * Delivered to `subscribe()` listeners (event `write-behind-failed`), never thrown at a caller.
 *
 * @example
 * cache.subscribe((event) => { if (event.type === 'write-behind-failed') console.error(event.error.keys); });
 */
export class WriteBehindError extends PatternError {
  declare readonly code: 'ERR_WRITE_BEHIND';
  readonly keys: readonly string[];

  constructor(keys: readonly string[], attempts: number, cause: unknown) {
    super('ERR_WRITE_BEHIND', `${keys.length} queued writes failed ${attempts} times and were dropped`, { cause });
    this.keys = keys;
  }
}

/**
 * The object was closed; calls after `close()` fail with this. The code is the client's and
 * health's own for the same thing (it was `ERR_CLOSED` in 0.1).
 *
 * @example
 * await queue.close(); await queue.write('k', v); // rejects with ERR_CLIENT_CLOSED
 */
export class ClosedError extends PatternError {
  declare readonly code: 'ERR_CLIENT_CLOSED';

  constructor(what: string) {
    super('ERR_CLIENT_CLOSED', `${what} is closed`);
  }
}
