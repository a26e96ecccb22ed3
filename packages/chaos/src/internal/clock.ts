import type { Clock } from '@shardcache/health';

/**
 * The default clock of faults, proxies and scenarios: health's `Clock`, with epoch milliseconds
 * of sub-millisecond precision (health's `systemClock` reads `Date.now()`, whole milliseconds:
 * too coarse for a scenario's call latencies and for the proxy's latency and bandwidth schedule,
 * which holds bytes for fractions of a millisecond) that never step back with the wall clock.
 * Timers are unref'd: a forgotten fault timer must not keep a test process alive.
 */
// Read once: `performance.timeOrigin` is a checked getter.
const origin = performance.timeOrigin;

export const systemClock: Clock = Object.freeze({
  now: () => origin + performance.now(),
  schedule: (callback: () => void, ms: number) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
});
