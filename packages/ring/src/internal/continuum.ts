/**
 * Points on a 32-bit circle, sorted, in a layout made for lookups that miss the CPU cache. The
 * top `bits` bits of a value choose its bucket; a prefix index gives each bucket's first entry;
 * each entry packs a point's remaining low bits with its owner in one int32. A lookup reads two
 * adjacent index words, then the bucket's few adjacent entries (a line or two): one random access
 * into the large array, where a binary search makes about twenty dependent ones (1.6M points at
 * 10,000 nodes). Packing also needs 4 bytes per point where separate point and owner arrays need 6.
 */
export interface Continuum {
  /** Number of points. */
  readonly count: number;
  /** A value's bucket is `value >>> (32 - bits)`; `bits > ownerBits`, so an entry fits 31 bits. */
  readonly bits: number;
  /** Low bits of an entry that hold the owner index. */
  readonly ownerBits: number;
  /** `2 ** ownerBits - 1`, kept as an int32 field so a lookup does no float arithmetic. */
  readonly ownerMask: number;
  /** `index[b]`: the first entry in bucket b or a later one; `index[2 ** bits]` is `count`. */
  readonly index: Int32Array;
  /**
   * Per point in ascending order, `low value bits << ownerBits | owner`, in [0, 2^31) (within a
   * bucket, entry order is point order, equal points by owner index); then a sentinel owned by
   * point 0's owner, where every search past the last point ends (the wrap-around).
   */
  readonly entries: Int32Array;
}

/**
 * Bucket count. A small ring gets one bucket per point up to 2^14 (a 64 KiB index: about one
 * compare per lookup, all in cache). A larger one gets about four points per bucket (one cache
 * line of entries), so the index stays small beside the entries: at 1,000 nodes 2^15 buckets
 * (128 KiB; 2^14 and 2^16 measured the same within noise, and this leaves the most room under
 * 1 MiB per ring). At most 2^17 (512 KiB): at 10,000 nodes, 12 points per bucket measured faster
 * than 24 or 49 (fewer compares while the entries' line is fetched).
 */
const SMALL_INDEX_BITS = 14;
const POINTS_PER_BUCKET = 4;
const MAX_INDEX_BITS = 17;
/** Buckets up to this size are scanned; larger ones (a weak or injected hash) are bisected. */
const SCAN_LIMIT = 64;
/**
 * Buckets up to this size are insertion-sorted at build time, larger ones by the built-in sort
 * (a subarray per bucket costs more than insertion-sorting the usual few dozen entries).
 */
const INSERTION_LIMIT = 64;

/** Bits needed for the numbers 0 .. n - 1. */
function bitsFor(n: number): number {
  let bits = 0;
  while (2 ** bits < n) bits++;
  return bits;
}

function indexBits(count: number, ownerBits: number): number {
  const dense = bitsFor(Math.floor(count / POINTS_PER_BUCKET) + 1) - 1; // floor(log2(count / 4))
  const bits = Math.min(MAX_INDEX_BITS, Math.max(Math.min(SMALL_INDEX_BITS, bitsFor(count)), dense));
  // One bit more than the owner needs keeps every entry below 2^31 (see pointIndex).
  return Math.max(ownerBits + 1, bits);
}

/** Sorts entries[from, to) ascending: insertion sort for the usual few, the built-in sort beyond. */
function sortBucket(entries: Int32Array, from: number, to: number): void {
  if (to - from > INSERTION_LIMIT) {
    entries.subarray(from, to).sort();
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = entries[i] ?? 0;
    let j = i - 1;
    for (; j >= from && (entries[j] ?? 0) > x; j--) entries[j + 1] = entries[j] ?? 0;
    entries[j + 1] = x;
  }
}

/**
 * Builds a continuum from points (`values[i]` owned by `owners[i]`, any order). Equal points go
 * to the smaller owner index, so callers number owners in tie-break order. A counting sort on
 * the bucket builds the index as it goes; each bucket is then sorted alone. O(n) for a good hash.
 */
export function buildContinuum(values: Int32Array, owners: Int32Array, ownerCount: number): Continuum {
  const count = values.length;
  const ownerBits = bitsFor(ownerCount);
  const bits = indexBits(count, ownerBits);
  const shift = 32 - bits;
  const lowMask = 2 ** shift - 1;
  const buckets = 2 ** bits;
  const index = new Int32Array(buckets + 1);
  for (let i = 0; i < count; i++) {
    const b = ((values[i] ?? 0) >>> shift) + 1;
    index[b] = (index[b] ?? 0) + 1;
  }
  for (let b = 1; b <= buckets; b++) index[b] = (index[b] ?? 0) + (index[b - 1] ?? 0);
  const next = index.slice(0, buckets);
  const entries = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) {
    const value = values[i] ?? 0;
    const b = value >>> shift;
    const at = next[b] ?? 0;
    next[b] = at + 1;
    entries[at] = ((value & lowMask) << ownerBits) | (owners[i] ?? 0);
  }
  for (let b = 0; b < buckets; b++) sortBucket(entries, index[b] ?? 0, index[b + 1] ?? 0);
  const ownerMask = 2 ** ownerBits - 1;
  const first = count > 0 ? (entries[0] ?? 0) & ownerMask : 0;
  entries[count] = (lowMask << ownerBits) | first;
  return { count, bits, ownerBits, ownerMask, index, entries };
}

/**
 * Index of the first point >= `hash` (int32 bits), or `count` (the sentinel: wrap to point 0).
 * Points of lower buckets are smaller and those of higher buckets larger, so only the hash's
 * own bucket is searched; when all its points are smaller, its end is the answer.
 */
export function pointIndex(c: Continuum, hash: number): number {
  const { index, entries, bits } = c;
  const b = hash >>> (32 - bits);
  const start = index[b] ?? 0;
  const end = index[b + 1] ?? 0;
  // The hash's low bits where an entry holds them, owner bits 0: an entry is smaller exactly
  // when its point is.
  const target = (hash << bits) >>> (bits - c.ownerBits);
  if (end - start > SCAN_LIMIT) {
    let lo = start;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((entries[mid] ?? 0) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  // Counts the smaller entries without a branch on their values: the loop's length comes from
  // the index (in cache), so no branch waits for the entries' line, and the CPU can start the
  // next lookup while this one's line is fetched. Both operands are in [0, 2^31): the difference
  // is negative exactly when the entry is smaller, and its sign bit is the count's increment.
  let i = start;
  for (let j = start; j < end; j++) i += ((entries[j] ?? 0) - target) >>> 31;
  return i;
}

/** Owner index of the point at `i` (`count`: point 0's owner). */
export function ownerAt(c: Continuum, i: number): number {
  return (c.entries[i] ?? 0) & c.ownerMask;
}

/** The points' values and owners as plain arrays (owners with the sentinel), for exact walks. */
export function decodeContinuum(c: Continuum): { points: Uint32Array; owners: Int32Array } {
  const { index, entries, bits, ownerBits, count } = c;
  const points = new Uint32Array(count);
  const owners = new Int32Array(count + 1);
  const shift = 32 - bits;
  for (let b = 0; b < 2 ** bits; b++) {
    for (let i = index[b] ?? 0; i < (index[b + 1] ?? 0); i++) {
      points[i] = b * 2 ** shift + ((entries[i] ?? 0) >>> ownerBits);
      owners[i] = ownerAt(c, i);
    }
  }
  owners[count] = ownerAt(c, count);
  return { points, owners };
}

/**
 * How many hash values in [0, range) each owner receives: point i owns (p[i-1], p[i]], and
 * point 0 also owns everything past the last point (wrap-around). Equal points own nothing after
 * the first of them.
 */
export function continuumCounts(c: Continuum, ownerCount: number, range: number): Float64Array {
  const counts = new Float64Array(ownerCount);
  const { points, owners } = decodeContinuum(c);
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
