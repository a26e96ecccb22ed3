/** Cancels a callback scheduled with {@link Clock.schedule}. Calling it twice is harmless. */
export type Cancel = () => void;

/**
 * Where every piece of `@shardcache/health` reads the time and sets its timers, so tests (and
 * hosts with their own event loop) can replace both. Timers must not keep the process alive.
 *
 * @example
 * const clock: Clock = { now: () => Date.now(), schedule: (callback, ms) => { const t = setTimeout(callback, ms); t.unref(); return () => clearTimeout(t); } };
 * const health = new NodeHealth('cache-1:11211', { clock });
 */
export interface Clock {
  /** Milliseconds since the epoch. Snapshots store absolute times, so restore works across processes. */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds; the returned function cancels it. */
  schedule(callback: () => void, ms: number): Cancel;
}

/**
 * The real clock: `Date.now()` and unref'd `setTimeout`. Both are looked up at call time, so
 * vitest's or sinon's fake timers drive it too.
 *
 * @example
 * const cancel = systemClock.schedule(() => console.log('tick'), 1000);
 * cancel();
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  schedule: (callback: () => void, ms: number): Cancel => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
});

// Read once: `performance.timeOrigin` is a checked getter, too slow to read per call.
const origin = performance.timeOrigin;

/**
 * The real clock with sub-millisecond precision: epoch milliseconds from `performance.now()`
 * (which never steps back with the wall clock), and unref'd timers. For latencies and schedules
 * finer than a millisecond (the client's calls, chaos's proxy); `systemClock`'s whole
 * milliseconds are what fake timers set with `setSystemTime` drive.
 *
 * @example
 * const started = preciseClock.now();
 * await call();
 * const latencyMs = preciseClock.now() - started; // e.g. 0.137
 */
export const preciseClock: Clock = Object.freeze({
  now: () => origin + performance.now(),
  schedule: systemClock.schedule,
});

/**
 * Resolves after `ms` on `clock`, or as soon as `signal` aborts. Never rejects: the caller of a
 * cancelled wait looks at its own signal, and a wait is not an error. For a process's main work
 * (a CLI command's wait), pass a clock whose timers are not unref'd, or Node may exit mid-wait.
 *
 * @example
 * await sleep(systemClock, 100, AbortSignal.timeout(50)); // back after 50 ms
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    // Assigned after scheduling; a no-op before then, should a clock call back at once.
    let cancel: Cancel = () => undefined;
    const done = (): void => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    cancel = clock.schedule(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
