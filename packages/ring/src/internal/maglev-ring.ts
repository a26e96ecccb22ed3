import type { Key } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';
import { slotCounts, slotOf } from './slot-ring.js';

/**
 * Maglev's placement: `table[hash % size]`, as a slot ring (so `shareOf` and `diff` are exact
 * from the table). A class of its own, not SlotRing, so each lookup site sees one array type.
 */
export class MaglevRing extends BaseRing {
  private readonly table: Uint16Array | Uint32Array;
  /** The table's length as a plain integer field: see `slotOf`. */
  private readonly size: number;
  private readonly range: number;

  constructor(spec: RingSpec, table: Uint16Array | Uint32Array) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'slots', ids, range: spec.range, hashIdentity: spec.hashIdentity, slots: table });
    this.table = table;
    this.size = table.length;
    this.range = spec.range;
  }

  locate(key: Key): string {
    return this.ids[this.table[slotOf(this.keyHash(key), this.size)] ?? 0] ?? '';
  }

  locateN(key: Key, n: number): string[] {
    // The following slots' owners: a preference order, not maglev's rebuild after a removal.
    return this.distinctOwners((i) => this.table[i] ?? 0, this.size, slotOf(this.keyHash(key), this.size), n);
  }

  protected ownerCounts(): Float64Array {
    return slotCounts(this.table, this.ids.length, this.range);
  }
}
