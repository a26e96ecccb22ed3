// Jump consistent hash (Lamping and Veach 2014) in exact 64-bit arithmetic without BigInt: the
// 64-bit LCG state is kept as two uint32 halves, and its product with the multiplier
// 2862933555777941757 = 0x27bb2ee6_87b0b0fd is built from 16 x 16-bit partial products, each
// exact in a double (and small enough that V8 keeps them unboxed).
const C_HI = 0x27bb2ee6;
const C_LO = 0x87b0b0fd | 0;
const C_LO_HIGH16 = 0x87b0;
const C_LO_LOW16 = 0xb0fd;
const TWO_16 = 65536;
const TWO_31 = 2147483648;
const TWO_32 = 4294967296;

/**
 * The reference loop with the key as uint32 halves:
 *   while (j < n) { b = j; key = key * 2862933555777941757 + 1; j = (b + 1) * (2^31 / ((key >> 33) + 1)); }
 * Callers validate: `hi`, `lo` are uint32, `buckets` an integer in [1, 2^31).
 */
export function jumpBucket(hi: number, lo: number, buckets: number): number {
  let b = 0; // the first pass always sets b = j = 0
  for (;;) {
    // (hi, lo) = (hi, lo) * C + 1 mod 2^64.
    const l0 = lo & 0xffff;
    const l1 = lo >>> 16;
    const m1 = l1 * C_LO_LOW16; // < 2^32
    const m2 = l0 * C_LO_HIGH16; // < 2^32
    const low = l0 * C_LO_LOW16 + (m1 & 0xffff) * TWO_16 + (m2 & 0xffff) * TWO_16 + 1; // < 3 * 2^32
    const carry = low >= TWO_32 ? (low >= 2 * TWO_32 ? 2 : 1) : 0;
    const high = l1 * C_LO_HIGH16 + (m1 >>> 16) + (m2 >>> 16) + carry + Math.imul(lo, C_HI) + Math.imul(hi, C_LO);
    lo = low >>> 0;
    hi = high >>> 0;
    // key >> 33 is the high word >> 1. floor(next) < buckets exactly when next < buckets.
    const next = (b + 1) * (TWO_31 / ((hi >>> 1) + 1));
    if (next >= buckets) return b;
    b = next | 0;
  }
}
