import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';

const TWO_32 = 4294967296;
const TWO_31 = 2147483648;
const C1 = 0x85ebca6b | 0;
const C2 = 0xc2b2ae35 | 0;

/**
 * A node's draw for a key, as int32 bits: multiply, xor-shift, multiply over keyHash ^ seed.
 * Cheaper than a full finalizer (the key hash is already mixed) yet measured unbiased: the joint
 * distribution of (first, second) choice over 10, 30 and 100 nodes has chi^2/df ~1, which adding
 * the seed instead of xoring it does not (5.7), nor a single multiply after the xor (3.8 at 100).
 * Draws are ranked as signed int32 values, so the loop compares them without converting.
 */
function draw(hash: number, seed: number): number {
  const x = Math.imul(hash ^ seed, C1);
  return Math.imul(x ^ (x >>> 15), C2);
}

/** The weighted score -w / ln(u) of a draw, with u = (draw + 2^31 + 0.5) / 2^32 in (0, 1): increasing in the draw. */
function score(weight: number, drawBits: number): number {
  return -weight / Math.log((drawBits + TWO_31 + 0.5) / TWO_32);
}

/**
 * The position in `[from, to)` of the highest draw, the first one on equal draws. This loop is the
 * whole cost of a lookup, so it is written for V8 (peer harness, against the previous loop of two
 * nodes per pass: 1.21x / 1.17x on user / hex keys at 100 nodes, 1.37x / 1.33x at 1,000): draw()
 * inlined by hand (sixteen calls would exhaust the inlining budget), sixteen nodes per pass (the
 * checks V8 repeats per pass on the typed array are paid once per sixteen), `| 0` indexes (no
 * overflow checks), and draws compared as signed int32 values (no sign flip per node).
 */
function highestDraw(seeds: Int32Array, hash: number, from: number, to: number): number {
  let best = from;
  let top = -TWO_31; // the lowest draw: the first node wins unless another draw is higher
  let i = from;
  for (; i + 15 < to; i += 16) {
    let x0 = Math.imul(hash ^ (seeds[i] ?? 0), C1);
    let x1 = Math.imul(hash ^ (seeds[(i + 1) | 0] ?? 0), C1);
    let x2 = Math.imul(hash ^ (seeds[(i + 2) | 0] ?? 0), C1);
    let x3 = Math.imul(hash ^ (seeds[(i + 3) | 0] ?? 0), C1);
    let x4 = Math.imul(hash ^ (seeds[(i + 4) | 0] ?? 0), C1);
    let x5 = Math.imul(hash ^ (seeds[(i + 5) | 0] ?? 0), C1);
    let x6 = Math.imul(hash ^ (seeds[(i + 6) | 0] ?? 0), C1);
    let x7 = Math.imul(hash ^ (seeds[(i + 7) | 0] ?? 0), C1);
    let x8 = Math.imul(hash ^ (seeds[(i + 8) | 0] ?? 0), C1);
    let x9 = Math.imul(hash ^ (seeds[(i + 9) | 0] ?? 0), C1);
    let x10 = Math.imul(hash ^ (seeds[(i + 10) | 0] ?? 0), C1);
    let x11 = Math.imul(hash ^ (seeds[(i + 11) | 0] ?? 0), C1);
    let x12 = Math.imul(hash ^ (seeds[(i + 12) | 0] ?? 0), C1);
    let x13 = Math.imul(hash ^ (seeds[(i + 13) | 0] ?? 0), C1);
    let x14 = Math.imul(hash ^ (seeds[(i + 14) | 0] ?? 0), C1);
    let x15 = Math.imul(hash ^ (seeds[(i + 15) | 0] ?? 0), C1);
    x0 = Math.imul(x0 ^ (x0 >>> 15), C2);
    x1 = Math.imul(x1 ^ (x1 >>> 15), C2);
    x2 = Math.imul(x2 ^ (x2 >>> 15), C2);
    x3 = Math.imul(x3 ^ (x3 >>> 15), C2);
    x4 = Math.imul(x4 ^ (x4 >>> 15), C2);
    x5 = Math.imul(x5 ^ (x5 >>> 15), C2);
    x6 = Math.imul(x6 ^ (x6 >>> 15), C2);
    x7 = Math.imul(x7 ^ (x7 >>> 15), C2);
    x8 = Math.imul(x8 ^ (x8 >>> 15), C2);
    x9 = Math.imul(x9 ^ (x9 >>> 15), C2);
    x10 = Math.imul(x10 ^ (x10 >>> 15), C2);
    x11 = Math.imul(x11 ^ (x11 >>> 15), C2);
    x12 = Math.imul(x12 ^ (x12 >>> 15), C2);
    x13 = Math.imul(x13 ^ (x13 >>> 15), C2);
    x14 = Math.imul(x14 ^ (x14 >>> 15), C2);
    x15 = Math.imul(x15 ^ (x15 >>> 15), C2);
    if (x0 > top) { top = x0; best = i; }
    if (x1 > top) { top = x1; best = (i + 1) | 0; }
    if (x2 > top) { top = x2; best = (i + 2) | 0; }
    if (x3 > top) { top = x3; best = (i + 3) | 0; }
    if (x4 > top) { top = x4; best = (i + 4) | 0; }
    if (x5 > top) { top = x5; best = (i + 5) | 0; }
    if (x6 > top) { top = x6; best = (i + 6) | 0; }
    if (x7 > top) { top = x7; best = (i + 7) | 0; }
    if (x8 > top) { top = x8; best = (i + 8) | 0; }
    if (x9 > top) { top = x9; best = (i + 9) | 0; }
    if (x10 > top) { top = x10; best = (i + 10) | 0; }
    if (x11 > top) { top = x11; best = (i + 11) | 0; }
    if (x12 > top) { top = x12; best = (i + 12) | 0; }
    if (x13 > top) { top = x13; best = (i + 13) | 0; }
    if (x14 > top) { top = x14; best = (i + 14) | 0; }
    if (x15 > top) { top = x15; best = (i + 15) | 0; }
  }
  for (; i < to; i++) {
    const x = draw(hash, seeds[i] ?? 0);
    if (x > top) { top = x; best = i; }
  }
  return best;
}

/**
 * Highest random weight: each node draws u = draw(keyHash, seed) from the key's one hash and
 * its own seed (a hash of its name, computed once), and the key goes to the highest -w / ln(u).
 * Within a group of equal weights that is the highest draw, so only one logarithm per distinct
 * weight is taken, and none when all weights are equal.
 */
export class RendezvousRing extends BaseRing {
  /** Seeds grouped by weight (ascending), by owner index within a group: group g is `[starts[g], starts[g + 1])`. */
  private readonly seeds: Int32Array;
  /** Owner index of each position of `seeds`. */
  private readonly owners: Int32Array;
  private readonly starts: Int32Array;
  /** Weight of each group. */
  private readonly groupWeights: Float64Array;
  /** Weight and seed by owner index, for locateN and shares. */
  private readonly weights: Float64Array;
  private readonly ownerSeeds: Int32Array;
  private readonly range: number;

  constructor(spec: RingSpec, seeds: Int32Array) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'expected', family: 'rendezvous', ids, nodes: spec.nodes, range: spec.range, hashIdentity: spec.hashIdentity });
    this.range = spec.range;
    this.ownerSeeds = seeds;
    const weights = Float64Array.from(spec.nodes, (node) => node.weight);
    this.weights = weights;
    // A stable sort by weight keeps owner order within a group (the tie rule: smaller id first).
    const order = ids.map((_, i) => i).sort((x, y) => (weights[x] ?? 0) - (weights[y] ?? 0));
    this.owners = Int32Array.from(order);
    this.seeds = Int32Array.from(order, (i) => seeds[i] ?? 0);
    const starts = [0];
    for (let p = 1; p < order.length; p++) if (weights[order[p] ?? 0] !== weights[order[p - 1] ?? 0]) starts.push(p);
    this.groupWeights = Float64Array.from(starts, (p) => weights[order[p] ?? 0] ?? 0);
    starts.push(order.length);
    this.starts = Int32Array.from(starts);
  }

  locate(key: Key): string {
    const hash = this.keyHash(key);
    // One weight: the highest draw wins, and positions are owner indices.
    if (this.starts.length === 2) return this.ids[highestDraw(this.seeds, hash, 0, this.seeds.length)] ?? '';
    return this.ids[this.weightedOwner(hash)] ?? '';
  }

  private weightedOwner(hash: number): number {
    const { owners, starts, seeds, groupWeights } = this;
    let best = -1;
    let bestScore = -1;
    for (let g = 0; g + 1 < starts.length; g++) {
      const p = highestDraw(seeds, hash, starts[g] ?? 0, starts[g + 1] ?? 0);
      const winner = owners[p] ?? 0;
      const s = score(groupWeights[g] ?? 0, draw(hash, seeds[p] ?? 0));
      if (s > bestScore || (s === bestScore && winner < best)) {
        bestScore = s;
        best = winner;
      }
    }
    return best;
  }

  /** Every node by descending score (ties: smaller id first); the owner is first. */
  locateN(key: Key, n: number): string[] {
    const wanted = this.wanted(n);
    const hash = this.keyHash(key);
    const scores = Float64Array.from(this.ownerSeeds, (seed, i) => score(this.weights[i] ?? 0, draw(hash, seed)));
    const order = this.ids.map((_, i) => i).sort((x, y) => (scores[y] ?? 0) - (scores[x] ?? 0) || x - y);
    return order.slice(0, wanted).map((i) => this.ids[i] ?? '');
  }

  /** Expected shares: the exponential race gives node x the share w_x / W. */
  protected ownerCounts(): Float64Array {
    const total = this.weights.reduce((s, w) => s + w, 0);
    return this.weights.map((w) => (this.range * w) / total);
  }
}
