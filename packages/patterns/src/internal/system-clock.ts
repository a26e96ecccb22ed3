import type { Clock } from '../clock.js';

/** `Date.now()` and unref'd `setTimeout`, looked up at call time so fake timers drive them. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  schedule: (callback: () => void, ms: number) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
});

/** Resolves after `ms` on `clock`. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => void clock.schedule(resolve, ms));
}
