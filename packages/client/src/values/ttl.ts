import { InvalidOptionError, InvalidTtlError } from '../errors.js';
import type { Ttl } from '../nodes/cache-node.js';

/**
 * A TTL as callers write it: whole seconds (> 0), or `'never'` for no expiry.
 *
 * `0` is rejected: memcached reads it as "never" and redis `SET EX 0` as an error, so neither
 * meaning would be safe to guess. Write `'never'` when you mean it.
 */
export type TtlInput = number | 'never';

/**
 * memcached reads an expiry above 30 days as a Unix time, and 1.6 reads a Unix time past
 * 2038-01-19T03:14:07Z (2^31 - 1) as a negative one: the write succeeds and the item is a miss
 * at once (and 2^32 wraps to "never"). Measured on memcached 1.6.18, meta and text protocols.
 */
export const MEMCACHED_LAST_UNIX_TIME = 2 ** 31 - 1;
const MEMCACHED_RELATIVE_LIMIT = 60 * 60 * 24 * 30;

/**
 * The largest TTL, in seconds from `nowMs`, the backend stores as asked: memcached up to its
 * last Unix time (about 11 years from 2026); redis any whole number JavaScript holds exactly
 * (`SET ... EX` refuses only past 2^63 ms).
 */
export function maxTtlSeconds(backend: 'memcached' | 'redis', nowMs: number): number {
  return backend === 'memcached' ? MEMCACHED_LAST_UNIX_TIME - Math.ceil(nowMs / 1000) : Number.MAX_SAFE_INTEGER;
}

/**
 * Validates a caller's TTL and turns it into the nodes' form (`null` for no expiry). `limit`
 * gives the backend's largest TTL now (asked only for TTLs past 30 days).
 */
export function normalizeTtl(ttl: unknown, limit: () => number = () => Number.MAX_SAFE_INTEGER): Ttl {
  if (ttl === 'never') return null;
  if (typeof ttl !== 'number' || !Number.isSafeInteger(ttl) || ttl <= 0) throw new InvalidTtlError(ttl);
  if (ttl <= MEMCACHED_RELATIVE_LIMIT) return ttl;
  const max = limit();
  if (ttl > max) throw new InvalidTtlError(ttl, `the server would keep at most ${max} seconds from now (memcached cannot expire items after 2038-01-19T03:14:07Z; it would store this one as already expired)`);
  return ttl;
}

/** The client-wide default TTL, validated as an option. Default: one hour. */
export function defaultTtlOption(ttl: unknown, limit?: () => number): Ttl {
  if (ttl === undefined) return 3600;
  try {
    return normalizeTtl(ttl, limit);
  } catch (error) {
    throw new InvalidOptionError('defaultTtl', error instanceof Error ? error.message : `expected a positive whole number of seconds or 'never', got ${JSON.stringify(ttl)}`);
  }
}
