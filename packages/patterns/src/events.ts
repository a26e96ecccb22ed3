import type { WriteBehindError } from './errors.js';

/**
 * What `subscribe()` listeners hear. Keys are included; values never are.
 *
 * @example
 * cache.subscribe((event) => { if (event.type === 'lock-wait') console.log('waiting for', event.key); });
 */
export type PatternEvent =
  | { readonly type: 'load'; readonly key: string; readonly ms: number; readonly ok: boolean }
  | { readonly type: 'lock-wait'; readonly key: string }
  | { readonly type: 'early-refresh'; readonly key: string; readonly reason: 'stale' | 'xfetch' }
  | { readonly type: 'refresh-failed'; readonly key: string; readonly error: unknown }
  | { readonly type: 'cache-error'; readonly key: string; readonly operation: string; readonly error: unknown }
  | { readonly type: 'write-behind-failed'; readonly error: WriteBehindError };

/**
 * A listener of {@link PatternEvent}s.
 *
 * @example
 * const listener: PatternListener = (event) => console.log(event.type);
 */
export type PatternListener = (event: PatternEvent) => void;
