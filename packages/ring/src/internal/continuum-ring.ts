import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';
import type { Continuum } from './continuum.js';
import { continuumCounts, ownerAt, pointIndex } from './continuum.js';

/**
 * A ring whose placement is a continuum (native ketama, twemproxy ketama, libmemcached's
 * consistent distributions): a key goes to the first point at or after its hash.
 */
export class ContinuumRing extends BaseRing {
  private readonly continuum: Continuum;
  private readonly range: number;

  constructor(spec: RingSpec, continuum: Continuum) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'arcs', ids, range: spec.range, hashIdentity: spec.hashIdentity, continuum });
    this.continuum = continuum;
    this.range = spec.range;
  }

  locate(key: Key): string {
    const c = this.continuum;
    return this.ids[ownerAt(c, pointIndex(c, this.keyHash(key)))] ?? '';
  }

  locateN(key: Key, n: number): string[] {
    // Clockwise from the key's point; owners without points are never reached.
    const c = this.continuum;
    return this.distinctOwners((i) => ownerAt(c, i), c.count, pointIndex(c, this.keyHash(key)), n);
  }

  protected ownerCounts(): Float64Array {
    return continuumCounts(this.continuum, this.ids.length, this.range);
  }
}
