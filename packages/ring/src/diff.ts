import { UnsupportedError } from './errors.js';
import { decodeContinuum } from './internal/continuum.js';
import { expectedFlows } from './internal/expected-flows.js';
import type { ArcsLayout, Layout, SlotsLayout } from './internal/layout.js';
import { layoutOf } from './internal/layout.js';
import type { Ring, RingDiff, RingFlow } from './ring.js';

// Bounds on the exact computations (slot tables of coprime sizes have a long common period).
const MAX_PERIOD = 2 ** 27;
const MAX_CELLS = 2 ** 25;

/** Accumulates hash-value counts per (owner in a, owner in b) pair that changes hands. */
class Flows {
  private readonly counts = new Map<number, number>();
  private readonly same: Int32Array;

  constructor(private readonly a: Layout, private readonly b: Layout) {
    const inB = new Map(b.ids.map((id, i) => [id, i]));
    this.same = Int32Array.from(a.ids, (id) => inB.get(id) ?? -1);
  }

  add(ownerA: number, ownerB: number, count: number): void {
    if (count <= 0 || this.same[ownerA] === ownerB) return;
    const cell = ownerA * this.b.ids.length + ownerB;
    this.counts.set(cell, (this.counts.get(cell) ?? 0) + count);
  }

  /** Hash values that change owner, summed as integers (exact), then as a share. */
  moved(): number {
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total / this.a.range;
  }

  result(swapped: boolean): RingFlow[] {
    const flows: RingFlow[] = [];
    const nb = this.b.ids.length;
    for (const [cell, count] of this.counts) {
      const from = this.a.ids[Math.floor(cell / nb)] ?? '';
      const to = this.b.ids[cell % nb] ?? '';
      flows.push(swapped ? { from: to, to: from, share: count / this.a.range } : { from, to, share: count / this.a.range });
    }
    return flows;
  }
}

/** Both continuums merged: every elementary interval has one owner in each ring. */
function arcsVsArcs(a: ArcsLayout, b: ArcsLayout, flows: Flows): void {
  // Owner arrays end with a sentinel that wraps to point 0's owner, so no index needs a check.
  const { points: pa, owners: oa } = decodeContinuum(a.continuum);
  const { points: pb, owners: ob } = decodeContinuum(b.continuum);
  const na = a.continuum.count, nb = b.continuum.count;
  const range = a.range;
  let i = 0, j = 0, pos = 0;
  while (pos < range) {
    const end = Math.min(i < na ? (pa[i] ?? 0) : Infinity, j < nb ? (pb[j] ?? 0) : Infinity, range - 1);
    flows.add(oa[i] ?? 0, ob[j] ?? 0, end - pos + 1);
    pos = end + 1;
    while (i < na && (pa[i] ?? 0) < pos) i++;
    while (j < nb && (pb[j] ?? 0) < pos) j++;
  }
}

/** Two slot tables repeat with period lcm(na, nb): count each residue pair once, times its weight. */
function slotsVsSlots(a: SlotsLayout, b: SlotsLayout, flows: Flows): void {
  const na = a.slots.length, nb = b.slots.length;
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const period = (na / gcd(na, nb)) * nb;
  const span = Math.min(period, a.range);
  if (span > MAX_PERIOD) throw new UnsupportedError(`diff of slot tables of ${na} and ${nb} slots: period ${period} is too long to walk`);
  for (let t = 0; t < span; t++) {
    const weight = Math.floor((a.range - 1 - t) / period) + 1;
    flows.add(a.slots[t % na] ?? 0, b.slots[t % nb] ?? 0, weight);
  }
}

/**
 * A continuum against a slot table: an interval [lo, hi] holds floor(len / n) values of every
 * residue plus one more for the len % n residues from lo % n on; a difference array per owner
 * of `a` adds those partial runs up in O(points + owners * slots).
 */
function arcsVsSlots(a: ArcsLayout, b: SlotsLayout, flows: Flows): void {
  const n = b.slots.length;
  const owners = a.ids.length;
  if (owners * (n + 1) > MAX_CELLS) throw new UnsupportedError(`diff of ${owners} ring nodes against ${n} slots is too large`);
  const whole = new Float64Array(owners);
  const extra = new Float64Array(owners * (n + 1));
  const addInterval = (owner: number, lo: number, hi: number): void => {
    const length = hi - lo + 1;
    if (length <= 0) return;
    whole[owner] = (whole[owner] ?? 0) + Math.floor(length / n);
    const rest = length % n;
    const start = lo % n;
    const row = owner * (n + 1);
    const stop = Math.min(start + rest, n);
    extra[row + start] = (extra[row + start] ?? 0) + 1;
    extra[row + stop] = (extra[row + stop] ?? 0) - 1;
    if (start + rest > n) {
      extra[row] = (extra[row] ?? 0) + 1;
      extra[row + start + rest - n] = (extra[row + start + rest - n] ?? 0) - 1;
    }
  };
  const { points, owners: pointOwners } = decodeContinuum(a.continuum);
  const count = a.continuum.count;
  let lo = 0;
  for (let i = 0; i < count && lo < a.range; i++) {
    const hi = Math.min(points[i] ?? 0, a.range - 1);
    if (hi >= lo) addInterval(pointOwners[i] ?? 0, lo, hi);
    lo = Math.max(lo, hi + 1);
  }
  if (lo < a.range) addInterval(pointOwners[0] ?? 0, lo, a.range - 1);
  for (let owner = 0; owner < owners; owner++) {
    let run = 0;
    for (let s = 0; s < n; s++) {
      run += extra[owner * (n + 1) + s] ?? 0;
      flows.add(owner, b.slots[s] ?? 0, (whole[owner] ?? 0) + run);
    }
  }
}

/**
 * What changes between two rings, exactly: the share of the key-hash space whose owner differs,
 * and how much flows from each node to each other node, computed from arcs and slots rather than
 * sampled keys. Both rings must hash keys the same way (same hash, same hash tag), or the question
 * has no exact answer and ERR_UNSUPPORTED is thrown. Algorithms without segments (jump,
 * rendezvous, multi-probe) report the exact expectation over a uniform key hash (multi-probe: over
 * independent uniform probes), with `exact: false`; a diff between such a ring and a segmented
 * one throws ERR_UNSUPPORTED, and so does a multi-probe diff too large to integrate in about a
 * second (at 1,000 nodes: more than ~25 nodes added or removed at once).
 *
 * @example
 * const before = ketamaRing(['a', 'b', 'c']);
 * const d = diff(before, before.withNode('d'));
 * d.moved;  // ~0.25, all of it in flows with to === 'd'
 */
export function diff(a: Ring, b: Ring): RingDiff {
  const la = layoutOf(a);
  const lb = layoutOf(b);
  if (la === undefined || lb === undefined) throw new UnsupportedError('diff needs rings built by @shardcache/ring');
  if (la.hashIdentity !== lb.hashIdentity || la.range !== lb.range) {
    throw new UnsupportedError(`diff needs both rings to hash keys the same way (${a.hash} vs ${b.hash})`);
  }
  if (la.kind === 'expected' || lb.kind === 'expected') {
    if (la.kind !== 'expected' || lb.kind !== 'expected') {
      throw new UnsupportedError(`diff of ${a.algorithm} and ${b.algorithm}: one has segments and the other not`);
    }
    const acc = new Flows(la, lb);
    expectedFlows(la, lb, acc);
    return summary(la, lb, acc, acc.result(false), false);
  }
  const swapped = la.kind === 'slots' && lb.kind === 'arcs';
  const acc = swapped ? new Flows(lb, la) : new Flows(la, lb);
  if (la.kind === 'arcs' && lb.kind === 'arcs') arcsVsArcs(la, lb, acc);
  else if (la.kind === 'slots' && lb.kind === 'slots') slotsVsSlots(la, lb, acc);
  else if (la.kind === 'arcs' && lb.kind === 'slots') arcsVsSlots(la, lb, acc);
  else if (la.kind === 'slots' && lb.kind === 'arcs') arcsVsSlots(lb, la, acc);
  return summary(la, lb, acc, acc.result(swapped), true);
}

function summary(la: Layout, lb: Layout, acc: Flows, flows: RingFlow[], exact: boolean): RingDiff {
  flows.sort((x, y) => y.share - x.share || (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
  const idsA = new Set(la.ids);
  const idsB = new Set(lb.ids);
  return {
    moved: Math.min(1, acc.moved()), // sums of expectations can round past 1
    flows,
    added: lb.ids.filter((id) => !idsA.has(id)),
    removed: la.ids.filter((id) => !idsB.has(id)),
    exact,
  };
}
