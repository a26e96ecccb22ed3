/**
 * A small deterministic PRNG (mulberry32): numbers in [0, 1) that replay from the seed, for
 * fault proxies' `random`, fault schedules and tests that must run the same way twice.
 *
 * @example
 * const random = seededRandom(20261207);
 * random(); // the same first number on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
