import { UnsupportedError } from '../errors.js';
import type { FlowSink } from './expected-flows.js';
import type { MultiProbeLayout } from './layout.js';
import { mergeCircles } from './merged-circle.js';
import type { WorkBudget } from './probe-integrals.js';
import { coverage, mirrored, pathIntegral, regionIntegral } from './probe-integrals.js';

/**
 * Work units (cells times the terms evaluated in each) after which the integration stops: about a
 * second. Adding or removing one node at 1,000 nodes takes ~2 ms, 25 nodes ~1.2 s; two unrelated
 * rings cost about the sixth power of their size and are refused past ~20 nodes each.
 */
const MAX_WORK = 1e8;

/** Index of some entry equal to x in an ascending array that holds it. */
function indexOf(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? 0) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Expected flows between two multi-probe rings, exact for k independent uniform probes (the
 * model `shareOf` uses). A key's owner in each ring is the point nearest after any probe. Either
 * one probe is nearest in both rings (a path integral along its segment), or probe P is nearest in
 * the first ring and another probe Q in the second: then P is farther than Q in the second ring
 * and Q farther than P in the first, which needs a segment whose end is a point of only one ring,
 * and the chance is k (k - 1) times an integral of G^(k-2) over the (u, v) pairs that allow it.
 * The cost grows with the number of points in only one ring, not with the ring size squared.
 */
export function multiProbeFlows(a: MultiProbeLayout, b: MultiProbeLayout, sink: FlowSink): void {
  if (a.probes !== b.probes) {
    throw new UnsupportedError(`diff of multi-probe rings with ${a.probes} and ${b.probes} probes has no joint placement to integrate`);
  }
  const k = a.probes;
  const { length, alpha, beta, from, to } = mergeCircles(a.circle, b.circle);
  const common: number[] = [];
  const firstOnly: number[] = []; // segments ending at a point of the first ring only (alpha = 0 < beta)
  const secondOnly: number[] = [];
  const changed: number[] = [];
  length.forEach((_, s) => {
    if ((beta[s] ?? 0) > 0) firstOnly.push(s);
    else if ((alpha[s] ?? 0) > 0) secondOnly.push(s);
    else common.push(s);
  });
  changed.push(...firstOnly, ...secondOnly);
  let work = 0;
  const budget: WorkBudget = {
    spend(units) {
      work += units;
      if (work > MAX_WORK) {
        throw new UnsupportedError(`diff of multi-probe rings whose points differ in ${changed.length} places is too slow to integrate exactly; sample keys instead`);
      }
    },
  };
  const at = (values: Float64Array, list: readonly number[]): number[] => list.map((s) => values[s] ?? 0);
  const cov = coverage(at(length, common), at(alpha, changed), at(beta, changed), at(length, changed));
  const mirror = mirrored(cov);
  const add = (s1: number, s2: number, chance: number): void => {
    const x = from[s1] ?? 0;
    const y = to[s2] ?? 0;
    if (a.ids[x] !== b.ids[y]) sink.add(x, y, chance * a.range);
  };

  // One probe nearest in both rings, in a segment whose two owners differ.
  length.forEach((len, s) => {
    if (a.ids[from[s] ?? 0] !== b.ids[to[s] ?? 0]) add(s, s, k * pathIntegral(cov, alpha[s] ?? 0, beta[s] ?? 0, len, k - 1, budget));
  });
  if (k < 2) return;
  const pairs = k * (k - 1);
  const left = new Float64Array(cov.common.length);
  // P in a common segment (u < its length), Q in a segment ending at a second-ring-only point.
  for (const s2 of secondOnly) {
    regionIntegral(cov, { u0: 0, u1: 1, v0: 0, v1: length[s2] ?? 0, d0: 0, d1: alpha[s2] ?? 0 }, k - 2, budget, cov.common, left);
    for (const s1 of common) add(s1, s2, pairs * (left[indexOf(cov.common, length[s1] ?? 0)] ?? 0));
  }
  // The mirror image: P ends at a first-ring-only point, Q in a common segment.
  for (const s1 of firstOnly) {
    regionIntegral(mirror, { u0: 0, u1: 1, v0: 0, v1: length[s1] ?? 0, d0: 0, d1: beta[s1] ?? 0 }, k - 2, budget, mirror.common, left);
    for (const s2 of common) add(s1, s2, pairs * (left[indexOf(mirror.common, length[s2] ?? 0)] ?? 0));
  }
  // Both in changed segments: P at u = alpha1 + t1, Q at v = beta2 + t2, and kappa2 < v - u < kappa1
  // (kappa = beta - alpha), split at the diagonal because common segments see max(u, v).
  for (const s1 of changed) {
    for (const s2 of changed) {
      const [a1, b1, l1] = [alpha[s1] ?? 0, beta[s1] ?? 0, length[s1] ?? 0];
      const [a2, b2, l2] = [alpha[s2] ?? 0, beta[s2] ?? 0, length[s2] ?? 0];
      const kappa1 = b1 - a1;
      const kappa2 = b2 - a2;
      if (s1 === s2 || kappa1 <= kappa2) continue;
      const below = regionIntegral(cov, { u0: a1, u1: a1 + l1, v0: b2, v1: b2 + l2, d0: Math.max(0, -kappa1), d1: -kappa2 }, k - 2, budget);
      const above = regionIntegral(mirror, { u0: b2, u1: b2 + l2, v0: a1, v1: a1 + l1, d0: Math.max(0, kappa2), d1: kappa1 }, k - 2, budget);
      add(s1, s2, pairs * (below + above));
    }
  }
}
