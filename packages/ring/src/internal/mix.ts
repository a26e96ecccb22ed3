/**
 * MurmurHash3's 32-bit finalizer: a bijection whose output bits each depend on every input bit.
 * Rings that hash a key once derive per-node and per-probe values with it instead of hashing
 * strings again. Returns int32 bits (`>>> 0` for the unsigned value), so nothing is boxed.
 */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** Odd constant (2^32 / golden ratio) that spreads small integers (seeds, probe numbers) apart. */
export const GOLDEN = 0x9e3779b9 | 0;
