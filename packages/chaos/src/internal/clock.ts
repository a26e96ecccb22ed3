/**
 * The default clock of faults, proxies and scenarios: health's `preciseClock`, epoch
 * milliseconds of sub-millisecond precision (`systemClock`'s `Date.now()` is too coarse for a
 * scenario's call latencies and for the proxy's latency and bandwidth schedule, which holds
 * bytes for fractions of a millisecond) and unref'd timers (a forgotten fault timer must not
 * keep a test process alive).
 */
export { preciseClock as systemClock } from '@shardcache/health';
