import { UnknownHashError } from '../errors.js';
import type { HashName } from '../hash-key.js';
import { byteHashNamed, hashNames, hashRange } from '../hash-key.js';
import type { ByteHash } from './bytes.js';
import type { KeyHasher } from './key-hasher.js';
import { byteKeyHasher, murmur3KeyHasher } from './key-hasher.js';

/**
 * A native ring's `hash` option: a built-in name, or a function of the key's bytes (for tests
 * that inject a trivial hash, groupcache style). Its result is read as a uint32.
 *
 * @example
 * ketamaRing(['a', 'b'], { hash: 'fnv1a_32' });
 * ketamaRing(['a', 'b'], { hash: (bytes) => bytes.length });
 */
export type HashOption = HashName | ((bytes: Uint8Array) => number);

/** A resolved hash option: what hashes keys and point labels, and how rings compare it. */
export interface ResolvedHash {
  readonly name: string;
  readonly identity: unknown;
  readonly range: number;
  readonly bytes: ByteHash;
  readonly key: KeyHasher;
}

const cache = new Map<unknown, ResolvedHash>();

/** Validates and resolves a `hash` option (default murmur3); one object per option value. */
export function resolveHash(option: unknown = 'murmur3'): ResolvedHash {
  const cached = cache.get(option);
  if (cached !== undefined) return cached;
  let resolved: ResolvedHash;
  if (typeof option === 'function') {
    const fn = option as (bytes: Uint8Array) => unknown;
    const bytes: ByteHash = (buf, start, end) => Number(fn(buf.slice(start, end))) >>> 0;
    resolved = { name: 'custom', identity: option, range: 2 ** 32, bytes, key: byteKeyHasher(bytes) };
    // Functions are not cached: a WeakMap would do, but custom hashes are for tests and tools.
    return resolved;
  }
  if (typeof option !== 'string' || !hashNames.includes(option as HashName)) {
    throw new UnknownHashError(option, hashNames);
  }
  const name = option as HashName;
  const bytes = byteHashNamed(name);
  const key = name === 'murmur3' ? murmur3KeyHasher : byteKeyHasher(bytes);
  resolved = { name, identity: name, range: hashRange(name), bytes, key };
  cache.set(option, resolved);
  return resolved;
}
