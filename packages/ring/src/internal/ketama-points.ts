import { md5Words } from '../hash/md5.js';
import type { Continuum } from './continuum.js';
import { buildContinuum } from './continuum.js';
import type { LabelWriter } from './labels.js';

/**
 * Points of a ketama-weighted server, as twemproxy's ketama_update and libmemcached's weighted
 * update_continuum compute them in float32: `floor(w/W * 160/4 * live + epsilon) * 4`.
 * twemproxy adds a double 1e-10 (then casts the sum to float); libmemcached adds 1e-10f.
 */
export function ketamaPointCount(weight: number, totalWeight: number, live: number, epsilon: number): number {
  const f = Math.fround;
  const pct = f(f(weight) / f(totalWeight));
  const scaled = f(f(f(pct * 160) / 4) * f(live));
  return Math.floor(f(scaled + epsilon)) * 4;
}

/** Collects (value, owner) points, owners numbered in tie-break order, then builds the continuum. */
export class PointList {
  // Point values as int32 bits: a uint32 above 2^31 would be a double in V8's optimized code.
  private readonly values: Int32Array;
  private readonly owners: Int32Array;
  private readonly words = new Uint32Array(4);
  private at = 0;

  constructor(size: number) {
    this.values = new Int32Array(size);
    this.owners = new Int32Array(size);
  }

  add(value: number, owner: number): void {
    this.values[this.at] = value;
    this.owners[this.at++] = owner;
  }

  /** The four points of one ketama label: md5 digest words 0..3, little-endian, in order. */
  addMd5(label: LabelWriter, index: number, owner: number, maxBytes = Infinity): void {
    md5Words(label.bytes, 0, Math.min(label.write(index), maxBytes), this.words);
    for (const word of this.words) this.add(word, owner);
  }

  build(ownerCount: number): Continuum {
    return buildContinuum(this.values, this.owners, ownerCount);
  }
}
