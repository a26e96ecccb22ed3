import type { Ring } from '@shardcache/ring';
import { nativeRing, type Algorithm } from '../internal/ring-args.js';

/** One algorithm's numbers at one fleet size. */
export interface RingBenchResult {
  readonly algorithm: Algorithm;
  readonly nodes: number;
  readonly keys: number;
  /** `locate` calls per second over the keys (`user:0` ...), after a warm-up pass. */
  readonly lookupsPerSecond: number;
  /** Median time to build the ring from its node list. */
  readonly buildMs: number;
  /** The busiest node's keys over the mean (1 is perfect balance), counted over the keys. */
  readonly maxOverMean: number;
}

const BUILDS = 5;
/** Written by the timed loop so the engine cannot drop the lookups as unused. */
let _sink = 0;
/** Timed passes over the keys go on until at least this long has been measured. */
const MEASURE_MS = 100;

/** Node ids as a fleet would name them: `10.0.<i / 256>.<i % 256>:11211`. */
export function benchNodes(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `10.0.${i >> 8}.${i & 255}:11211`);
}

/**
 * Measures one algorithm: build time (median of five), lookups per second over `keys` (the
 * best of at least two timed passes after a warm-up pass), and balance over the same keys. `now` is a high-resolution clock in ms.
 *
 * @example
 * benchRing('ketama', benchNodes(100), Array.from({ length: 100_000 }, (_, i) => `user:${i}`));
 */
export function benchRing(algorithm: Algorithm, nodes: readonly string[], keys: readonly string[], now: () => number = () => performance.now()): RingBenchResult {
  const builds: number[] = [];
  let ring: Ring | undefined;
  for (let i = 0; i < BUILDS; i++) {
    const started = now();
    ring = nativeRing(algorithm, nodes);
    builds.push(now() - started);
  }
  if (ring === undefined) throw new RangeError('no ring was built');
  builds.sort((a, b) => a - b);

  // One pass warms the JIT on the same code path; the best of the timed passes counts.
  const pass = (): number => {
    const started = now();
    for (const key of keys) _sink += ring.locate(key).length;
    return Math.max(now() - started, 1e-3);
  };
  pass();
  let bestMs = Infinity;
  for (let measured = 0, passes = 0; measured < MEASURE_MS || passes < 2; passes++) {
    const ms = pass();
    bestMs = Math.min(bestMs, ms);
    measured += ms;
  }

  const perNode = new Map<string, number>();
  for (const key of keys) {
    const node = ring.locate(key);
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const mean = keys.length / nodes.length;
  return {
    algorithm,
    nodes: nodes.length,
    keys: keys.length,
    lookupsPerSecond: (keys.length / bestMs) * 1000,
    buildMs: builds[Math.floor(builds.length / 2)] ?? 0,
    maxOverMean: Math.max(0, ...perNode.values()) / mean,
  };
}
