import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';

/**
 * A ring whose placement is a slot table (modula, twemproxy/libmemcached modula): a key goes to
 * `slots[hash % slots.length]`.
 */
export class SlotRing extends BaseRing {
  private readonly slots: Uint32Array;
  private readonly range: number;

  constructor(spec: RingSpec, slots: Uint32Array) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'slots', ids, range: spec.range, hashIdentity: spec.hashIdentity, slots });
    this.slots = slots;
    this.range = spec.range;
  }

  locate(key: Key): string {
    return this.ids[this.slots[(this.keyHash(key) >>> 0) % this.slots.length] ?? 0] ?? '';
  }

  locateN(key: Key, n: number): string[] {
    // The following slots' owners: a preference order; modula itself has no failover rule.
    const count = this.slots.length;
    return this.distinctOwners(this.slots, count, (this.keyHash(key) >>> 0) % count, n);
  }

  protected ownerCounts(): Float64Array {
    return slotCounts(this.slots, this.ids.length, this.range);
  }
}

/** Hash values in [0, range) per owner: slot s receives floor((range - 1 - s) / n) + 1 of them. */
export function slotCounts(slots: Uint16Array | Uint32Array, ownerCount: number, range: number): Float64Array {
  const counts = new Float64Array(ownerCount);
  const n = slots.length;
  for (let s = 0; s < n && s < range; s++) {
    const o = slots[s] ?? 0;
    counts[o] = (counts[o] ?? 0) + Math.floor((range - 1 - s) / n) + 1;
  }
  return counts;
}
