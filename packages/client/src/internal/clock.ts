/**
 * Time as the client sees it. Every timer goes through here, so tests drive time with fake
 * timers or their own clock, and no timer keeps the process alive.
 */
export interface Clock {
  /** Milliseconds, monotonic enough for deadlines and latencies. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
