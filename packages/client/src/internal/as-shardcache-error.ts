import { ShardcacheError, UnknownError } from '../errors.js';

/**
 * A thrown value where a `ShardcacheError` is promised (multi-key `failures`, `ping`'s `down`,
 * `error` events): ours as they are, anything else wrapped, its original kept as `cause`. Health's
 * refusals never get here as health errors: NodeSlot.refuse makes them client errors first.
 */
export function asShardcacheError(error: unknown): ShardcacheError {
  return error instanceof ShardcacheError ? error : new UnknownError(error);
}
