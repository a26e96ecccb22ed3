import { ShardcacheError } from '../errors.js';

/** Errors from other layers (health's ERR_BREAKER_OPEN, a caller's abort) keep their code. */
export function asShardcacheError(error: unknown): ShardcacheError {
  if (error instanceof ShardcacheError) return error;
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'ERR_UNKNOWN';
  return new ShardcacheError(code, error instanceof Error ? error.message : String(error), { cause: error });
}
