import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';
import type { Continuum } from './continuum.js';
import { continuumCounts, ownerOf, pointIndex, SCAN, SIGN } from './continuum.js';

/**
 * A ring whose placement is a continuum (native ketama, twemproxy ketama, libmemcached's
 * consistent distributions): a key goes to the first point at or after its hash.
 */
export class ContinuumRing extends BaseRing {
  private readonly continuum: Continuum;
  private readonly table: Int32Array;
  private readonly shift: number;
  private readonly range: number;

  constructor(spec: RingSpec, continuum: Continuum) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'arcs', ids, range: spec.range, hashIdentity: spec.hashIdentity, continuum });
    this.continuum = continuum;
    this.table = continuum.table;
    this.shift = continuum.shift;
    this.range = spec.range;
  }

  locate(key: Key): string {
    const hash = this.keyHash(key);
    // The common case of ownerOf, inlined by hand: this is the hot path the benchmarks measure.
    const b = 2 * (hash >>> this.shift);
    const meta = this.table[b + 1] ?? 0;
    if (meta !== SCAN) return this.ids[(hash ^ SIGN) <= (this.table[b] ?? 0) ? meta >>> 16 : meta & 0xffff] ?? '';
    return this.ids[ownerOf(this.continuum, hash)] ?? '';
  }

  locateN(key: Key, n: number): string[] {
    // Clockwise from the key's point; owners without points are never reached.
    const { count, owners } = this.continuum;
    return this.distinctOwners(owners, count, pointIndex(this.continuum, this.keyHash(key)), n);
  }

  protected ownerCounts(): Float64Array {
    return continuumCounts(this.continuum, this.ids.length, this.range);
  }
}
