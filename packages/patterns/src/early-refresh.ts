/**
 * When to refresh an entry before everyone sees it expire.
 *
 * - `staleWhileRevalidate`: seconds an entry stays in the cache past its TTL; a read in that
 *   window gets the old value at once and starts one refresh in the background.
 * - `beta`: XFetch (Vattani, Chierichetti, Lowenstein, "Optimal Probabilistic Cache Stampede
 *   Prevention", VLDB 2015). A read refreshes early when `now - delta * beta * ln(random()) >=
 *   expiry`, `delta` being how long the loader took: the closer to expiry and the slower the
 *   loader, the likelier. `1` is the paper's optimum; `0` turns it off.
 *
 * @example
 * const cache = new PatternCache(client, { defaultTtl: 60, earlyRefresh: { staleWhileRevalidate: 30, beta: 1 } });
 */
export interface EarlyRefreshOptions {
  readonly staleWhileRevalidate?: number;
  readonly beta?: number;
  /** Uniform in [0, 1); injected by tests. Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Where an entry stands at `now`: `fresh` (serve), `early` (serve and refresh in the
 * background, XFetch said so), `stale` (past its TTL, inside the SWR window: serve and refresh).
 *
 * @example
 * entryFreshness({ expiresAt: 10_000, loadMs: 100 }, 9_990, { beta: 1, random: () => 0.5 }); // 'early'
 */
export type Freshness = 'fresh' | 'early' | 'stale';

/**
 * Decides the {@link Freshness} of an entry with logical expiry `expiresAt` whose loader took
 * `loadMs`. Entries without an expiry (no TTL known, or `'never'`) are always fresh.
 *
 * @example
 * entryFreshness({ expiresAt: 10_000, loadMs: 100 }, 10_001, { beta: 1, random: Math.random }); // 'stale'
 */
export function entryFreshness(
  entry: { readonly expiresAt: number | undefined; readonly loadMs: number | undefined },
  now: number,
  options: { readonly beta: number; readonly random: () => number },
): Freshness {
  if (entry.expiresAt === undefined) return 'fresh';
  if (now >= entry.expiresAt) return 'stale';
  if (options.beta === 0 || entry.loadMs === undefined || entry.loadMs <= 0) return 'fresh';
  // 1 - random() is in (0, 1]: ln never sees 0, so the gap is finite.
  const gap = -entry.loadMs * options.beta * Math.log(1 - options.random());
  return now + gap >= entry.expiresAt ? 'early' : 'fresh';
}
