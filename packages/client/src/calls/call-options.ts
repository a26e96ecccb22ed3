import { InvalidOptionError } from '../errors.js';
import type { TtlInput } from '../values/ttl.js';

/** Options every call takes. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options for single-key reads (`get`, `gets`). */
export interface ReadOptions extends CallOptions {
  /**
   * `'buffer'`: every value as its bytes (inflated if the client compressed it), never decoded
   * into text or through the serializer. For binary values under `values: 'plain'`, where bytes
   * without our tag otherwise read back as text.
   */
  readonly as?: 'buffer';
}

/** Options for multi-key calls. */
export interface ManyOptions extends CallOptions {
  /**
   * Throw ERR_PARTIAL_FAILURE (carrying `failures` and the partial result) when any key failed,
   * instead of returning the failures beside the results. Default false.
   */
  readonly throwOnPartialFailure?: boolean;
}

/** Options for `getMany`: a multi-key call that reads. */
export interface ManyReadOptions extends ManyOptions, ReadOptions {}

/** Options for writes. */
export interface WriteOptions extends CallOptions {
  /** Seconds, or `'never'`. Default: the client's `defaultTtl`. */
  readonly ttl?: TtlInput;
}

/** One entry for `setMany`. */
export interface SetEntry<T = unknown> {
  readonly key: string;
  readonly value: T;
  readonly ttl?: TtlInput;
}

export const NO_OPTIONS: CallOptions = Object.freeze({});

/**
 * Whether a read asks for bytes (`as: 'buffer'`). Any other `as` is refused: a typo read as
 * "decode as usual" would hand out text where the caller expects a Buffer.
 */
export function readsBuffer(options: ReadOptions): boolean {
  const as: unknown = options.as;
  if (as === undefined) return false;
  if (as === 'buffer') return true;
  throw new InvalidOptionError('as', `expected 'buffer' or nothing, got ${typeof as === 'string' ? JSON.stringify(as) : typeof as}`);
}
