/**
 * Points on a 32-bit circle, sorted, with owners in a parallel array, plus a table on the top
 * bits of the hash that resolves most lookups by itself: each bucket holds a threshold and two
 * owners (at-or-below the threshold, above it). A bucket with no point has threshold 0xffffffff
 * and the next point's owner; a bucket with one point p has threshold p, p's owner and the owner
 * of the point after p. Only buckets with two or more points send the lookup to the point arrays.
 */
export interface Continuum {
  /** Number of points. */
  readonly count: number;
  /**
   * Point values ascending (equal values keep insertion order: the tie rule), then a sentinel
   * 0xffffffff (owned by point 0's owner) that ends every scan and wraps around.
   */
  readonly points: Uint32Array;
  /** Owner index of each point, sentinel included. */
  readonly owners: Uint16Array | Uint32Array;
  /**
   * Two int32 words per bucket: the threshold with its sign bit flipped (so a signed comparison
   * orders like an unsigned one and nothing leaves int32 range), then `below << 16 | above`; or
   * the bucket's first point index, then SCAN.
   */
  readonly table: Int32Array;
  readonly shift: number;
}

/** Second table word of a bucket that holds two or more points: scan from the first word. */
export const SCAN = -1;
/** Flips the sign bit: unsigned order of x equals signed order of `x ^ SIGN`. */
export const SIGN = -0x80000000;
// Owners are packed two per table word, so the table resolves buckets only below this.
const MAX_PACKED_OWNERS = 0xffff;
const SCAN_LIMIT = 8;

const DIGIT_BITS = 11;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;

/**
 * Sorts (value, owner) pairs by value with a stable LSD radix sort (three 11-bit digits), so
 * equal values keep insertion order: callers insert in tie-break order. O(n), unlike a
 * comparison sort, which keeps a 160,000-point build in a few milliseconds.
 */
function radixSort(values: Uint32Array, owners: Uint32Array): void {
  const n = values.length;
  let srcV: Uint32Array = values;
  let srcO: Uint32Array = owners;
  let dstV: Uint32Array = new Uint32Array(n);
  let dstO: Uint32Array = new Uint32Array(n);
  const counts = new Uint32Array(DIGIT_MASK + 2);
  for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (((srcV[i] ?? 0) >>> shift) & DIGIT_MASK) + 1;
      counts[d] = (counts[d] ?? 0) + 1;
    }
    for (let d = 1; d < counts.length; d++) counts[d] = (counts[d] ?? 0) + (counts[d - 1] ?? 0);
    for (let i = 0; i < n; i++) {
      const v = srcV[i] ?? 0;
      const d = (v >>> shift) & DIGIT_MASK;
      const at = counts[d] ?? 0;
      counts[d] = at + 1;
      dstV[at] = v;
      dstO[at] = srcO[i] ?? 0;
    }
    [srcV, dstV] = [dstV, srcV];
    [srcO, dstO] = [dstO, srcO];
  }
  // Three passes leave the result in the scratch arrays; copy it back.
  if (srcV !== values) {
    values.set(srcV);
    owners.set(srcO);
  }
}

/**
 * About one bucket per point: then 74-88% of lookups end in the table, and the table stays small
 * enough for the CPU cache (2 MiB at 1,000 nodes); larger tables measured slower, not faster.
 */
function tableBits(count: number): number {
  let bits = 1;
  while (bits < 22 && 2 ** bits < count) bits++;
  return bits;
}

/**
 * Builds a continuum from points given in tie-break order (`values[i]` owned by `owners[i]`).
 * Sorts both arrays in place.
 */
export function buildContinuum(values: Uint32Array, owners: Uint32Array, ownerCount: number): Continuum {
  radixSort(values, owners);
  const count = values.length;
  const points = new Uint32Array(count + 1);
  points.set(values);
  points[count] = 0xffffffff;
  const packed = ownerCount <= MAX_PACKED_OWNERS;
  const ownerArray = packed ? new Uint16Array(count + 1) : new Uint32Array(count + 1);
  ownerArray.set(owners);
  ownerArray[count] = owners[0] ?? 0;
  const bits = tableBits(count);
  const buckets = 2 ** bits;
  const shift = 32 - bits;
  const width = 2 ** shift;
  const table = new Int32Array(2 * buckets);
  let j = 0;
  for (let b = 0; b < buckets; b++) {
    while (j < count && (points[j] ?? 0) < b * width) j++;
    let k = j;
    while (k < count && (points[k] ?? 0) < (b + 1) * width && k - j < 2) k++;
    if (packed && k - j < 2) {
      // j is the bucket's only point, or (empty bucket) the next point; j + 1 may be the sentinel.
      const below = ownerArray[j] ?? 0;
      const above = k === j ? below : (ownerArray[j + 1] ?? 0);
      table[2 * b] = (k === j ? 0xffffffff : (points[j] ?? 0)) ^ SIGN;
      table[2 * b + 1] = (below << 16) | above;
    } else {
      table[2 * b] = j;
      table[2 * b + 1] = SCAN;
    }
  }
  return { count, points, owners: ownerArray, table, shift };
}

/** Index of the first point >= `hash` at or after point `from`; `count` means wrap to point 0. */
function scan(c: Continuum, from: number, hashBits: number): number {
  const points = c.points;
  const hash = hashBits >>> 0;
  let i = from;
  for (let steps = 0; (points[i] ?? 0) < hash; i++) {
    if (++steps > SCAN_LIMIT) {
      // Clustered points (a weak or injected hash): finish with a binary search.
      let hi = c.count;
      while (i < hi) {
        const mid = (i + hi) >>> 1;
        if ((points[mid] ?? 0) < hash) i = mid + 1;
        else hi = mid;
      }
      return i;
    }
  }
  return i;
}

/** Index of the first point >= `hash` (int32 bits), or `count` (the sentinel: wrap to point 0). */
export function pointIndex(c: Continuum, hashBits: number): number {
  const hash = hashBits >>> 0;
  const b = 2 * (hash >>> c.shift);
  // A resolved bucket only knows owners; find the index from its first point on.
  if (c.table[b + 1] === SCAN) return scan(c, c.table[b] ?? 0, hash);
  let lo = 0;
  let hi = c.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((c.points[mid] ?? 0) < hash) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The owner of `hash` (int32 bits): one table read for most hashes, a short scan for the rest. */
export function ownerOf(c: Continuum, hash: number): number {
  const b = 2 * (hash >>> c.shift);
  const meta = c.table[b + 1] ?? 0;
  if (meta !== SCAN) return (hash ^ SIGN) <= (c.table[b] ?? 0) ? meta >>> 16 : meta & 0xffff;
  return c.owners[scan(c, c.table[b] ?? 0, hash)] ?? 0;
}

/**
 * How many hash values in [0, range) each owner receives: point i owns (p[i-1], p[i]], and
 * point 0 also owns everything past the last point (wrap-around). Equal points own nothing after
 * the first of them.
 */
export function continuumCounts(c: Continuum, ownerCount: number, range: number): Float64Array {
  const counts = new Float64Array(ownerCount);
  const { points, owners } = c;
  let lo = 0;
  for (let i = 0; i < c.count && lo < range; i++) {
    const hi = Math.min(points[i] ?? 0, range - 1);
    if (hi >= lo) {
      const o = owners[i] ?? 0;
      counts[o] = (counts[o] ?? 0) + (hi - lo + 1);
      lo = hi + 1;
    }
  }
  if (lo < range && c.count > 0) {
    const o = owners[0] ?? 0;
    counts[o] = (counts[o] ?? 0) + (range - lo);
  }
  return counts;
}
