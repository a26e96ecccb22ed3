import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';

/**
 * `hash % size` for an int32 key hash read as uint32, in integer arithmetic. Written this way on
 * purpose: V8 types a typed array's length as any safe integer, so `(hash >>> 0) % table.length`
 * compiles to a float remainder (x87 `fprem`, the largest cost of a slot lookup), while both
 * operands `>>> 0` and the result `| 0` make it one unsigned 32-bit division.
 */
export function slotOf(hash: number, size: number): number {
  return ((hash >>> 0) % (size >>> 0)) | 0;
}

/**
 * A ring whose placement is a slot table (modula, twemproxy/libmemcached modula): a key goes to
 * `slots[hash % slots.length]`.
 */
export class SlotRing extends BaseRing {
  private readonly slots: Uint32Array;
  private readonly size: number;
  private readonly range: number;

  constructor(spec: RingSpec, slots: Uint32Array) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'slots', ids, range: spec.range, hashIdentity: spec.hashIdentity, slots });
    this.slots = slots;
    this.size = slots.length;
    this.range = spec.range;
  }

  locate(key: Key): string {
    return this.ids[this.slots[slotOf(this.keyHash(key), this.size)] ?? 0] ?? '';
  }

  locateN(key: Key, n: number): string[] {
    // The following slots' owners: a preference order; modula itself has no failover rule.
    return this.distinctOwners((i) => this.slots[i] ?? 0, this.size, slotOf(this.keyHash(key), this.size), n);
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
