/**
 * Points on a circle of `range` hash values, sorted, with an index on the top bits so finding the
 * first point at or after a probe takes a bucket read and, with ~1 point per bucket, rarely more.
 * Equal points keep their insertion order (callers insert in id order): the first one owns the arc.
 */
export interface ProbeCircle {
  readonly count: number;
  readonly points: Float64Array;
  readonly owners: Uint32Array;
  /** starts[b]: index of the first point whose top bits are >= b; starts[buckets] = count. */
  readonly starts: Int32Array;
  readonly shift: number;
  readonly range: number;
}

export function buildProbeCircle(values: readonly number[], owners: readonly number[], range: number): ProbeCircle {
  const order = values.map((_, i) => i).sort((x, y) => (values[x] ?? 0) - (values[y] ?? 0)); // stable
  const count = order.length;
  let bits = 1;
  while (bits < 20 && 2 ** bits < 2 * count) bits++;
  const shift = 32 - bits;
  const points = Float64Array.from(order, (i) => values[i] ?? 0);
  const starts = new Int32Array(2 ** bits + 1);
  let at = 0;
  for (let b = 0; b < starts.length; b++) {
    while (at < count && Math.floor((points[at] ?? 0) / 2 ** shift) < b) at++;
    starts[b] = at;
  }
  return { count, points, owners: Uint32Array.from(order, (i) => owners[i] ?? 0), starts, shift, range };
}

/** Index of the first point >= probe (a uint32 below `range`); `count` means wrap to point 0. */
export function successor(c: ProbeCircle, probe: number): number {
  const b = probe >>> c.shift;
  let lo = c.starts[b] ?? 0;
  let hi = c.starts[b + 1] ?? c.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((c.points[mid] ?? 0) < probe) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Clockwise distance from `probe` to point `index` (`count` wraps to point 0). */
export function distanceTo(c: ProbeCircle, probe: number, index: number): number {
  return index < c.count ? (c.points[index] ?? 0) - probe : (c.points[0] ?? 0) + c.range - probe;
}

/**
 * Expected share of each point's owner when a key takes the nearest of k independent uniform
 * probes (distance to the next point). With arcs a (as fractions of the circle) sorted
 * ascending, F(d) = sum(min(d, a_i)) is the chance one probe lands within d of its next point,
 * and the arc of sorted rank t wins with k * integral over [0, a_t] of (1 - F(d))^(k-1); F is
 * linear between consecutive arcs, so each piece integrates in closed form:
 * (G_{s-1}^k - G_s^k) / (m - s + 1) with G_s = 1 - F(a_(s)).
 */
export function probeShares(c: ProbeCircle, k: number, ownerCount: number): Float64Array {
  const m = c.count;
  // Point i owns (p[i-1], p[i]]; point 0 also owns everything past the last point.
  const arcs = Float64Array.from({ length: m }, (_, i) =>
    ((c.points[i] ?? 0) - (i === 0 ? (c.points[m - 1] ?? 0) - c.range : (c.points[i - 1] ?? 0))) / c.range);
  const rank = Array.from({ length: m }, (_, i) => i).sort((x, y) => (arcs[x] ?? 0) - (arcs[y] ?? 0));
  const shares = new Float64Array(ownerCount);
  let below = 0; // sum of arcs of rank < s
  let gPrev = 1;
  let cumulative = 0;
  rank.forEach((point, s) => {
    const a = arcs[point] ?? 0;
    const g = Math.max(0, 1 - below - (m - s) * a);
    cumulative += (gPrev ** k - g ** k) / (m - s);
    const owner = c.owners[point] ?? 0;
    shares[owner] = (shares[owner] ?? 0) + cumulative;
    below += a;
    gPrev = g;
  });
  return shares;
}
