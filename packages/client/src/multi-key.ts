import type { KeyFailure } from './errors.js';

/** The outcome of a multi-key read: values in the caller's key order, and the keys that failed. */
export interface ManyResult<T> {
  readonly values: (T | undefined)[];
  readonly failures: readonly KeyFailure[];
}
