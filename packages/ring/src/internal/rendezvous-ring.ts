import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';

// Flips the sign bit, so a signed comparison of int32 bits orders them as unsigned values.
const SIGN = -0x80000000;
const TWO_32 = 4294967296;
const C1 = 0x85ebca6b | 0;
const C2 = 0xc2b2ae35 | 0;

/**
 * A node's draw for a key, as int32 bits: multiply, xor-shift, multiply over keyHash ^ seed.
 * Cheaper than a full finalizer (the key hash is already mixed) yet measured unbiased: the joint
 * distribution of (first, second) choice over 10 and 30 nodes has chi^2/df ~1, which adding the
 * seed instead of xoring it does not (5.7).
 */
function draw(hash: number, seed: number): number {
  let x = Math.imul(hash ^ seed, C1);
  x ^= x >>> 15;
  return Math.imul(x, C2);
}

/** The weighted score -w / ln(u) of a uint32 draw, with u = (draw + 0.5) / 2^32 in (0, 1). */
function score(weight: number, drawBits: number): number {
  return -weight / Math.log(((drawBits >>> 0) + 0.5) / TWO_32);
}

/**
 * Highest random weight: each node draws u = draw(keyHash, seed) from the key's one hash and
 * its own seed (a hash of its name, computed once), and the key goes to the highest -w / ln(u).
 * Within a group of equal weights that is the highest draw, so only one logarithm per distinct
 * weight is taken, and none when all weights are equal.
 */
export class RendezvousRing extends BaseRing {
  private readonly seeds: Int32Array;
  /** Owner indices grouped by weight: group g is `members[starts[g] .. starts[g + 1])`. */
  private readonly members: Int32Array;
  private readonly starts: Int32Array;
  private readonly weights: Float64Array;
  private readonly range: number;

  constructor(spec: RingSpec, seeds: Int32Array) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'expected', family: 'rendezvous', ids, nodes: spec.nodes, range: spec.range, hashIdentity: spec.hashIdentity });
    this.seeds = seeds;
    this.range = spec.range;
    this.weights = Float64Array.from(spec.nodes, (node) => node.weight);
    const distinct = [...new Set(this.weights)].sort((x, y) => x - y);
    this.members = Int32Array.from(
      spec.nodes.map((_, i) => i).sort((x, y) => distinct.indexOf(this.weights[x] ?? 0) - distinct.indexOf(this.weights[y] ?? 0) || x - y),
    );
    this.starts = Int32Array.from([...distinct.map((w) => this.members.findIndex((i) => this.weights[i] === w)), ids.length]);
  }

  locate(key: Key): string {
    const hash = this.keyHash(key);
    const seeds = this.seeds;
    if (this.starts.length === 2) {
      // One weight: the highest draw wins; on equal draws the smaller id (the earlier index).
      // draw() inlined, two nodes per pass: this loop is the whole cost of a lookup.
      const count = seeds.length;
      let best = 0;
      let bestDraw = draw(hash, seeds[0] ?? 0) ^ SIGN;
      let i = 1;
      for (; i + 1 < count; i += 2) {
        let x = Math.imul(hash ^ (seeds[i] ?? 0), C1);
        let y = Math.imul(hash ^ (seeds[i + 1] ?? 0), C1);
        x = Math.imul(x ^ (x >>> 15), C2) ^ SIGN;
        y = Math.imul(y ^ (y >>> 15), C2) ^ SIGN;
        if (x > bestDraw) {
          bestDraw = x;
          best = i;
        }
        if (y > bestDraw) {
          bestDraw = y;
          best = i + 1;
        }
      }
      if (i < count && (draw(hash, seeds[i] ?? 0) ^ SIGN) > bestDraw) best = i;
      return this.ids[best] ?? '';
    }
    return this.ids[this.weightedOwner(hash)] ?? '';
  }

  private weightedOwner(hash: number): number {
    const { members, starts, seeds } = this;
    let best = -1;
    let bestScore = -1;
    for (let g = 0; g + 1 < starts.length; g++) {
      let winner = members[starts[g] ?? 0] ?? 0;
      let winnerDraw = draw(hash, seeds[winner] ?? 0) ^ SIGN;
      for (let m = (starts[g] ?? 0) + 1; m < (starts[g + 1] ?? 0); m++) {
        const i = members[m] ?? 0;
        const d = draw(hash, seeds[i] ?? 0) ^ SIGN;
        if (d > winnerDraw || (d === winnerDraw && i < winner)) {
          winnerDraw = d;
          winner = i;
        }
      }
      const s = score(this.weights[winner] ?? 0, winnerDraw ^ SIGN);
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
    const scores = Float64Array.from(this.seeds, (seed, i) => score(this.weights[i] ?? 0, draw(hash, seed)));
    const order = this.ids.map((_, i) => i).sort((x, y) => (scores[y] ?? 0) - (scores[x] ?? 0) || x - y);
    return order.slice(0, wanted).map((i) => this.ids[i] ?? '');
  }

  /** Expected shares: the exponential race gives node x the share w_x / W. */
  protected ownerCounts(): Float64Array {
    const total = this.weights.reduce((s, w) => s + w, 0);
    return this.weights.map((w) => (this.range * w) / total);
  }
}
