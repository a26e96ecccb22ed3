import type { Clock } from '@shardcache/health';

export type { Clock } from '@shardcache/health';

/**
 * The client's real clock: epoch milliseconds with sub-millisecond precision (latencies need
 * it; health snapshots need epoch time), and unref'd timers. Shared with the health registry,
 * so one injected clock drives deadlines, latencies, ejection and probes alike.
 */
// Read once: `performance.timeOrigin` is a checked getter, too slow to read per call.
const origin = performance.timeOrigin;

export const systemClock: Clock = Object.freeze({
  now: () => origin + performance.now(),
  schedule: (callback: () => void, ms: number) => {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
});
