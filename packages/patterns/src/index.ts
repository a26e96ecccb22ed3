export type { Cache, CacheCallOptions, CacheFailure, CacheManyResult, CacheWriteOptions, TtlInput } from './cache.js';
export type { GetOrSetOptions } from './cache-aside.js';
export { CacheLock } from './cache-lock.js';
export type { LockOptions, LockWaitOutcome } from './cache-lock.js';
// The one Clock of every shardcache package, defined in @shardcache/health.
export type { Clock } from '@shardcache/health';
export { entryFreshness } from './early-refresh.js';
export type { EarlyRefreshOptions, Freshness } from './early-refresh.js';
export {
  CachedLoaderError,
  CacheWriteError,
  ClosedError,
  InvalidOptionError,
  LoaderError,
  LockTimeoutError,
  PatternError,
  QueueFullError,
  WriteBehindError,
  WriterError,
} from './errors.js';
export type { PatternErrorCode } from './errors.js';
export type { PatternEvent, PatternListener } from './events.js';
export type { InvalidationBus } from './invalidation-bus.js';
export { L1Cache } from './l1-cache.js';
export type { L1CacheOptions, L1Stats } from './l1-cache.js';
export { namespacedCache } from './namespace.js';
export type { NamespaceOptions } from './namespace.js';
export { PatternCache } from './pattern-cache.js';
export type { PatternCacheOptions, PatternStats, WrapOptions } from './pattern-cache.js';
export { RedisInvalidationBus } from './redis-invalidation-bus.js';
export type { RedisInvalidationBusOptions, RedisPublisher, RedisSubscriber } from './redis-invalidation-bus.js';
export { SingleFlight } from './single-flight.js';
export { TagVersions } from './tags.js';
export { WriteBehind } from './write-behind.js';
export type { WriteBehindEntry, WriteBehindOptions, WriteBehindStats } from './write-behind.js';
export { writeThrough } from './write-through.js';
