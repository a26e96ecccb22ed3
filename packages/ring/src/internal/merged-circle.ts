import type { ProbeCircle } from './probe-circle.js';

/**
 * Two probe circles merged: every point of either ring ends one segment. A probe t before the end
 * of segment s (0 <= t < length) is at distance alpha + t from the first ring's next point and
 * beta + t from the second ring's, which belong to owners `from` and `to`. All lengths are shares
 * of the circle. A segment that ends at a point of both rings has alpha = beta = 0 ("common");
 * one that ends at a point of only the first ring has alpha = 0 < beta, and conversely.
 */
export interface MergedCircle {
  readonly length: Float64Array;
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
}

/** Merges the points of two circles over the same range (equal points: the first one owns). */
export function mergeCircles(a: ProbeCircle, b: ProbeCircle): MergedCircle {
  const positions: number[] = [];
  const ownerA: number[] = [];
  const ownerB: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.count || j < b.count) {
    const pa = i < a.count ? (a.points[i] ?? 0) : Infinity;
    const pb = j < b.count ? (b.points[j] ?? 0) : Infinity;
    const p = Math.min(pa, pb);
    ownerA.push(pa === p ? (a.owners[i] ?? 0) : -1);
    ownerB.push(pb === p ? (b.owners[j] ?? 0) : -1);
    while (i < a.count && a.points[i] === p) i++;
    while (j < b.count && b.points[j] === p) j++;
    positions.push(p);
  }
  const m = positions.length;
  const range = a.range;
  const length = Float64Array.from(positions, (p, s) => (p - (s === 0 ? (positions[m - 1] ?? 0) - range : (positions[s - 1] ?? 0))) / range);
  const [alpha, from] = nextPoints(positions, ownerA, range);
  const [beta, to] = nextPoints(positions, ownerB, range);
  return { length, alpha, beta, from, to };
}

/** For each merged position: the distance (share) to the next position with an owner, and that owner. */
function nextPoints(positions: readonly number[], owners: readonly number[], range: number): [Float64Array, Int32Array] {
  const m = positions.length;
  const distance = new Float64Array(m);
  const owner = new Int32Array(m);
  let next = Infinity;
  let nextOwner = 0;
  // Two laps backwards: the first finds the point after the last position (rings are never empty).
  for (let step = 2 * m - 1; step >= 0; step--) {
    const s = step % m;
    const at = (positions[s] ?? 0) + (step >= m ? range : 0);
    if ((owners[s] ?? -1) >= 0) {
      next = at;
      nextOwner = owners[s] ?? 0;
    }
    if (step < m) {
      distance[s] = (next - at) / range;
      owner[s] = nextOwner;
    }
  }
  return [distance, owner];
}
