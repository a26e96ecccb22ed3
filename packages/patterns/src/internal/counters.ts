/** Mutable counters behind `PatternCache.stats`; shared by a cache and its namespaces. */
export class Counters {
  hits = 0;
  coalesced = 0;
  misses = 0;
  loads = 0;
  loadErrors = 0;
  lockWaits = 0;
  lockTimeouts = 0;
  earlyRefreshes = 0;
  staleServed = 0;
  refreshFailures = 0;
  negativeHits = 0;
  tagMisses = 0;
  cacheErrors = 0;
}
