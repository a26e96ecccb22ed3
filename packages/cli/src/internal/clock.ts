import type { Clock } from '@shardcache/health';

/**
 * The real clock for the long-running commands (demo, chaos, bench): epoch milliseconds with
 * sub-millisecond precision (bench latencies need it) and timers that are deliberately not
 * unref'd: a command waiting on one is the program's main work, and an unref'd timer would let
 * Node exit in the middle of it. Waits go through health's `sleep(clock, ms, signal)`.
 */
// Read once: `performance.timeOrigin` is a checked getter.
const origin = performance.timeOrigin;

export const systemClock: Clock = Object.freeze({
  now: () => origin + performance.now(),
  schedule: (callback: () => void, ms: number) => {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
});
