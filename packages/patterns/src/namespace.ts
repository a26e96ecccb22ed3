import type { Cache, CacheCallOptions, CacheManyResult, CacheWriteOptions } from './cache.js';
import { InvalidOptionError } from './errors.js';

/**
 * Options of `PatternCache.namespace`.
 *
 * @example
 * const users = cache.namespace('user', { version: 3 }); // keys become 'user:v3:<key>'
 */
export interface NamespaceOptions {
  /**
   * Part of every key: bump it (in code or configuration) to make every entry of the previous
   * version unreachable at once, with no scan; the old entries expire by their TTLs.
   */
  readonly version: number | string;
}

/**
 * A {@link Cache} whose keys all live under `<name>:v<version>:`; tag counters and locks created
 * through it are under the prefix too, so they are versioned with the namespace.
 *
 * @example
 * const v2 = namespacedCache(client, 'user', { version: 2 });
 * await v2.set('1', 'Ada'); // stored as 'user:v2:1'
 */
export function namespacedCache(cache: Cache, name: string, options: NamespaceOptions): Cache {
  if (typeof name !== 'string' || name === '' || name.includes(' ')) throw new InvalidOptionError('name', 'expected a non-empty string without spaces');
  const version = options?.version;
  if (!((typeof version === 'number' && Number.isSafeInteger(version) && version >= 0) || (typeof version === 'string' && /^[\w.-]+$/.test(version)))) {
    throw new InvalidOptionError('version', `expected a whole number >= 0 or a word, got ${JSON.stringify(version)}`);
  }
  const prefix = `${name}:v${version}:`;
  const scoped = (key: string): string => prefix + key;
  return {
    get: <T = unknown>(key: string, callOptions?: CacheCallOptions): Promise<T | undefined> => cache.get<T>(scoped(key), callOptions),
    set: (key: string, value: unknown, writeOptions?: CacheWriteOptions) => cache.set(scoped(key), value, writeOptions),
    add: (key: string, value: unknown, writeOptions?: CacheWriteOptions) => cache.add(scoped(key), value, writeOptions),
    delete: (key: string, callOptions?: CacheCallOptions) => cache.delete(scoped(key), callOptions),
    incr: (key: string, delta?: number, callOptions?: CacheCallOptions) => cache.incr(scoped(key), delta, callOptions),
    getMany: <T = unknown>(keys: readonly string[], callOptions?: CacheCallOptions): Promise<CacheManyResult<T>> =>
      cache.getMany<T>(
        keys.map(scoped),
        callOptions,
      ).then(({ values, failures }) => ({ values, failures: failures.map((failure) => ({ ...failure, key: failure.key.slice(prefix.length) })) })),
  };
}
