export type { Clock } from '@shardcache/health';

/**
 * The client's real clock: health's `preciseClock`, epoch milliseconds with sub-millisecond
 * precision (latencies need it; health snapshots need epoch time), and unref'd timers. Shared
 * with the health registry, so one injected clock drives deadlines, latencies, ejection and
 * probes alike.
 */
export { preciseClock as systemClock } from '@shardcache/health';
