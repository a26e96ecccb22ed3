import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';
import { GOLDEN, mix32 } from './mix.js';
import type { ProbeCircle } from './probe-circle.js';
import { distanceTo, probeShares, successor } from './probe-circle.js';

const TWO_32 = 4294967296;

/**
 * Multi-probe consistent hashing: probe 0 is the key's hash, probe j > 0 is
 * mix32(hash + j * 0x9e3779b9) (the key is hashed once); the key goes to the point nearest
 * after any probe. Equal distances go to the lower probe number.
 */
export class MultiProbeRing extends BaseRing {
  private readonly circle: ProbeCircle;
  private readonly probes: number;
  private readonly range: number;

  constructor(spec: RingSpec, circle: ProbeCircle, probes: number) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'expected', family: 'multi-probe', ids, nodes: spec.nodes, range: spec.range, hashIdentity: spec.hashIdentity, circle, probes });
    this.circle = circle;
    this.probes = probes;
    this.range = spec.range;
  }

  private probe(hash: number, j: number): number {
    const bits = j === 0 ? hash : mix32((hash + Math.imul(j, GOLDEN)) | 0);
    return this.range === TWO_32 ? bits >>> 0 : (bits >>> 0) % this.range;
  }

  locate(key: Key): string {
    const hash = this.keyHash(key);
    const { points, starts, shift, count } = this.circle;
    const full = this.range === TWO_32;
    let bestIndex = 0;
    let bestDistance = Infinity;
    // probe() and successor() inlined: this loop is the whole cost of a lookup.
    for (let j = 0; j < this.probes; j++) {
      const bits = j === 0 ? hash : mix32((hash + Math.imul(j, GOLDEN)) | 0);
      const p = full ? bits >>> 0 : (bits >>> 0) % this.range;
      const b = p >>> shift;
      let lo = starts[b] ?? 0;
      const hi = starts[b + 1] ?? count;
      while (lo < hi && (points[lo] ?? 0) < p) lo++;
      const distance = lo < count ? (points[lo] ?? 0) - p : (points[0] ?? 0) + this.range - p;
      if (distance < bestDistance) {
        bestDistance = distance;
        bestIndex = lo;
      }
    }
    return this.ids[this.circle.owners[bestIndex < count ? bestIndex : 0] ?? 0] ?? '';
  }

  /**
   * The owner, then the owner once the owner is removed, and so on: each choice is the nearest
   * point after any probe among the nodes not chosen yet (what `withoutNode` would do).
   */
  locateN(key: Key, n: number): string[] {
    const wanted = this.wanted(n);
    const hash = this.keyHash(key);
    const c = this.circle;
    const chosen = new Uint8Array(this.ids.length);
    const result: string[] = [];
    while (result.length < wanted) {
      let best = -1;
      let bestDistance = Infinity;
      for (let j = 0; j < this.probes; j++) {
        const p = this.probe(hash, j);
        let index = successor(c, p);
        let distance = distanceTo(c, p, index);
        // Skip points of chosen nodes; at most one lap.
        for (let step = 0; step < c.count && chosen[c.owners[index % c.count] ?? 0] === 1; step++) {
          index++;
          distance = index <= c.count ? distanceTo(c, p, index) : distanceTo(c, p, index - c.count) + c.range;
        }
        const owner = c.owners[index % c.count] ?? 0;
        if (chosen[owner] === 0 && distance < bestDistance) {
          bestDistance = distance;
          best = owner;
        }
      }
      if (best < 0) break;
      chosen[best] = 1;
      result.push(this.ids[best] ?? '');
    }
    return result;
  }

  protected ownerCounts(): Float64Array {
    return probeShares(this.circle, this.probes, this.ids.length).map((share) => share * this.range);
  }
}
