import { InvalidOptionError, InvalidTtlError } from '../errors.js';
import type { Ttl } from '../nodes/cache-node.js';

/**
 * A TTL as callers write it: whole seconds (> 0), or `'never'` for no expiry.
 *
 * `0` is rejected: memcached reads it as "never" and redis `SET EX 0` as an error, so neither
 * meaning would be safe to guess. Write `'never'` when you mean it.
 */
export type TtlInput = number | 'never';

/** Redis' limit for EX; memcached's absolute timestamps end in 2106. */
const MAX_TTL_SECONDS = 2 ** 31 - 1;

/** Validates a caller's TTL and turns it into the nodes' form (`null` for no expiry). */
export function normalizeTtl(ttl: unknown): Ttl {
  if (ttl === 'never') return null;
  if (typeof ttl === 'number' && Number.isInteger(ttl) && ttl > 0 && ttl <= MAX_TTL_SECONDS) return ttl;
  throw new InvalidTtlError(ttl);
}

/** The client-wide default TTL, validated as an option. Default: one hour. */
export function defaultTtlOption(ttl: unknown): Ttl {
  if (ttl === undefined) return 3600;
  try {
    return normalizeTtl(ttl);
  } catch {
    throw new InvalidOptionError('defaultTtl', `expected a positive whole number of seconds or 'never', got ${JSON.stringify(ttl)}`);
  }
}
