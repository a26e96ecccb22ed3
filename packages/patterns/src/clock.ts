/**
 * Where the patterns read the time and set timers, so tests can drive both. `now()` is epoch
 * milliseconds (logical expiries are compared across processes); timers must not keep the
 * process alive.
 *
 * @example
 * const clock: Clock = { now: () => Date.now(), schedule: (cb, ms) => { const t = setTimeout(cb, ms); t.unref(); return () => clearTimeout(t); } };
 */
export interface Clock {
  now(): number;
  /** Calls `callback` once after `ms`; the returned function cancels it (twice is harmless). */
  schedule(callback: () => void, ms: number): () => void;
}
