import type { TtlInput } from '../values/ttl.js';

/** Options every call takes. */
export interface CallOptions {
  /** Overrides the client's `timeoutMs` for this call. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Options for multi-key calls. */
export interface ManyOptions extends CallOptions {
  /**
   * Throw ERR_PARTIAL_FAILURE (carrying `failures` and the partial result) when any key failed,
   * instead of returning the failures beside the results. Default false.
   */
  readonly throwOnPartialFailure?: boolean;
}

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
