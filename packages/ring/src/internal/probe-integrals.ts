/**
 * Integrals behind multi-probe's expected diff. With the two rings' points merged into segments
 * (merged-circle.ts), one uniform probe is at distance u from the first ring's next point and v
 * from the second's, and G(u, v) = 1 - sum over segments of min(L, max(0, u - alpha, v - beta)) is
 * the chance that it is farther than u in the first ring and farther than v in the second. G is
 * piecewise linear, with kinks only on vertical, horizontal and diagonal (slope 1) lines, so the
 * integral of G^K over a cell where it is linear has a closed form: cells are cut along every such
 * line, and slopes are integer counts of segments, so nothing divides by a rounding error.
 */

/** The segments seen by G: `common` ones (alpha = beta = 0) by length, the others one by one. */
export interface Coverage {
  /** Lengths of common segments, ascending, and their prefix sums (prefix[i] = sum of the first i). */
  readonly common: Float64Array;
  readonly prefix: Float64Array;
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly length: Float64Array;
}

export function coverage(common: readonly number[], alpha: readonly number[], beta: readonly number[], length: readonly number[]): Coverage {
  const sorted = Float64Array.from(common).sort();
  const prefix = new Float64Array(sorted.length + 1);
  sorted.forEach((x, i) => (prefix[i + 1] = (prefix[i] ?? 0) + x));
  return { common: sorted, prefix, alpha: Float64Array.from(alpha), beta: Float64Array.from(beta), length: Float64Array.from(length) };
}

/** The same segments with the two rings swapped: G'(u, v) = G(v, u). */
export function mirrored(c: Coverage): Coverage {
  return { ...c, alpha: c.beta, beta: c.alpha };
}

/** Number of common lengths <= t. */
function countAtMost(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** G at (u, v) and its slopes there (minus the counts of terms growing with u and with v). */
interface Affine {
  value: number;
  du: number;
  dv: number;
}

/**
 * The other segments' terms over a box of (u, v): those that stay 0 or stay saturated there are
 * summed once (`fixed`), the rest (`active`) are evaluated per cell.
 */
interface Terms {
  readonly active: number[];
  readonly fixed: number;
}

function terms(c: Coverage, uMin: number, uMax: number, vMin: number, vMax: number): Terms {
  const active: number[] = [];
  let fixed = 0;
  for (let r = 0; r < c.length.length; r++) {
    const a = c.alpha[r] ?? 0;
    const b = c.beta[r] ?? 0;
    const len = c.length[r] ?? 0;
    if (uMin - a >= len || vMin - b >= len) fixed += len;
    else if (uMax > a || vMax > b) active.push(r);
  }
  return { active, fixed };
}

function evaluate(c: Coverage, t: Terms, u: number, v: number): Affine {
  // Common segments see max(u, v): one of the two coordinates.
  const m = Math.max(u, v);
  const below = countAtMost(c.common, m);
  const growing = c.common.length - below;
  let covered = (c.prefix[below] ?? 0) + m * growing + t.fixed;
  let du = u >= v ? growing : 0;
  let dv = u >= v ? 0 : growing;
  for (const r of t.active) {
    const x = u - (c.alpha[r] ?? 0);
    const y = v - (c.beta[r] ?? 0);
    const reach = Math.max(0, x, y);
    const len = c.length[r] ?? 0;
    if (reach >= len) covered += len;
    else if (reach > 0) {
      covered += reach;
      if (x >= y) du++;
      else dv++;
    }
  }
  return { value: 1 - covered, du: -du, dv: -dv };
}

/** The integral over [ua, ub] of max(0, p + q u)^n, q an integer. */
function powerIntegral(p: number, q: number, n: number, ua: number, ub: number): number {
  if (q === 0) return Math.max(0, p) ** n * (ub - ua);
  return (Math.max(0, p + q * ub) ** (n + 1) - Math.max(0, p + q * ua) ** (n + 1)) / (q * (n + 1));
}

/** A line v = c + s * u (s = 0: horizontal, s = 1: diagonal). */
interface Line {
  readonly c: number;
  readonly s: number;
}

/** The integral of (A + gu u + gv v)^K over ua <= u <= ub, lo(u) <= v <= hi(u). */
function trapezoid(ua: number, ub: number, lo: Line, hi: Line, f: Affine, u0: number, v0: number, K: number): number {
  const a = f.value - f.du * u0 - f.dv * v0;
  if (f.dv !== 0) {
    const top = powerIntegral(a + f.dv * hi.c, f.du + f.dv * hi.s, K + 1, ua, ub);
    const bottom = powerIntegral(a + f.dv * lo.c, f.du + f.dv * lo.s, K + 1, ua, ub);
    return (top - bottom) / (f.dv * (K + 1));
  }
  // Height e + g u, with e + g u = (e - g a / du) + (g / du) (a + du u) when du != 0.
  const e = hi.c - lo.c;
  const g = hi.s - lo.s;
  if (f.du === 0) return Math.max(0, a) ** K * (e * (ub - ua) + (g * (ub * ub - ua * ua)) / 2);
  return (e - (g * a) / f.du) * powerIntegral(a, f.du, K, ua, ub) + (g / f.du) * powerIntegral(a, f.du, K + 1, ua, ub);
}

/** Counts the work of an integration, and stops it (by throwing) past a limit. */
export interface WorkBudget {
  spend(units: number): void;
}

/** u in [u0, u1], v in [v0, v1], u - v in [d0, d1] with d0 >= 0: a region below the diagonal. */
export interface Region {
  readonly u0: number;
  readonly u1: number;
  readonly v0: number;
  readonly v1: number;
  readonly d0: number;
  readonly d1: number;
}

/**
 * The integral of G^K over a region below the diagonal, where common segments depend on u alone;
 * also its part left of each cutoff (ascending), in `left`. A sweep over u: slabs end at every
 * vertical line and crossing of the other lines, and within a slab the horizontal and diagonal
 * lines keep their order, so consecutive ones bound trapezoids where G is linear.
 */
export function regionIntegral(
  c: Coverage,
  region: Region,
  K: number,
  budget: WorkBudget,
  cutoffs: Float64Array = new Float64Array(0),
  left?: Float64Array,
): number {
  const { u0, u1, v0, v1, d0, d1 } = region;
  const lo = Math.max(u0, v0 + d0);
  const hi = Math.min(u1, v1 + d1);
  if (!(hi > lo && d1 > d0)) {
    left?.fill(0);
    return 0;
  }
  const lines: Line[] = [{ c: v0, s: 0 }, { c: v1, s: 0 }, { c: -d0, s: 1 }, { c: -d1, s: 1 }];
  const xs: number[] = [lo, hi];
  const t = terms(c, lo, hi, Math.max(v0, lo - d1), Math.min(v1, hi - d0));
  // Only the lines of terms that change within the region can cut it.
  const horizontal = (h: number): void => void (h > v0 && h < v1 && lines.push({ c: h, s: 0 }));
  for (const r of t.active) {
    const a = c.alpha[r] ?? 0;
    const b = c.beta[r] ?? 0;
    const len = c.length[r] ?? 0;
    horizontal(b);
    horizontal(b + len);
    if (a - b > d0 && a - b < d1) lines.push({ c: b - a, s: 1 });
    xs.push(a, a + len);
  }
  for (const h of lines) if (h.s === 0) for (const d of lines) if (d.s === 1) xs.push(h.c - d.c);
  for (let i = countAtMost(c.common, lo); i < c.common.length && (c.common[i] ?? 0) < hi; i++) xs.push(c.common[i] ?? 0);
  for (const x of cutoffs) xs.push(x);
  const cuts = [...new Set(xs.filter((x) => x >= lo && x <= hi))].sort((x, y) => x - y);
  let total = 0;
  let next = 0; // next cutoff to record
  const record = (x: number): void => {
    while (next < cutoffs.length && (cutoffs[next] ?? 0) <= x) {
      if (left !== undefined) left[next] = total;
      next++;
    }
  };
  record(lo);
  for (let k = 0; k + 1 < cuts.length; k++) {
    const ua = cuts[k] ?? 0;
    const ub = cuts[k + 1] ?? 0;
    const um = (ua + ub) / 2;
    const bottom = Math.max(v0, um - d1);
    const top = Math.min(v1, um - d0);
    if (top > bottom) {
      budget.spend(lines.length * (t.active.length + 1));
      const sorted = lines.map((line) => ({ line, at: line.c + line.s * um })).sort((x, y) => x.at - y.at);
      for (let i = 0; i + 1 < sorted.length; i++) {
        const below = sorted[i];
        const above = sorted[i + 1];
        if (below === undefined || above === undefined || above.at <= below.at) continue;
        const vm = (below.at + above.at) / 2;
        if (vm <= bottom || vm >= top) continue;
        total += trapezoid(ua, ub, below.line, above.line, evaluate(c, t, um, vm), um, vm, K);
      }
    }
    record(ub);
  }
  record(Infinity);
  return total;
}

/**
 * The integral over t in [0, length] of G(alpha + t, beta + t)^K: one probe nearest in both
 * rings at once, from a segment with offsets alpha, beta. G is linear between kinks at the
 * values of t where a term starts or stops growing.
 */
export function pathIntegral(c: Coverage, alpha: number, beta: number, length: number, K: number, budget: WorkBudget): number {
  const start = Math.max(alpha, beta);
  const ts: number[] = [0, length];
  const t = terms(c, alpha, alpha + length, beta, beta + length);
  for (let i = countAtMost(c.common, start); i < c.common.length && (c.common[i] ?? 0) < start + length; i++) ts.push((c.common[i] ?? 0) - start);
  for (const r of t.active) {
    const shift = Math.max(alpha - (c.alpha[r] ?? 0), beta - (c.beta[r] ?? 0));
    ts.push(-shift, (c.length[r] ?? 0) - shift);
  }
  const cuts = [...new Set(ts.filter((t) => t >= 0 && t <= length))].sort((x, y) => x - y);
  budget.spend(cuts.length * (t.active.length + 1));
  let total = 0;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const ta = cuts[k] ?? 0;
    const tb = cuts[k + 1] ?? 0;
    const tm = (ta + tb) / 2;
    const f = evaluate(c, t, alpha + tm, beta + tm);
    const slope = f.du + f.dv;
    total += powerIntegral(f.value - slope * tm, slope, K, ta, tb);
  }
  return total;
}
