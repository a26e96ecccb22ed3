import { UnsupportedError } from '../errors.js';
import type { Key, Ring } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import { BaseRing } from './base-ring.js';
import { jumpBucket } from './jump-hash.js';
import { GOLDEN, mix32 } from './mix.js';

/**
 * Jump consistent hash over numbered buckets: bucket i is `nodes[i]`, in the order given. The
 * key's 32-bit hash is the low half of jump's 64-bit key (the high half is 0).
 */
export class JumpRing extends BaseRing {
  private readonly range: number;

  constructor(spec: RingSpec) {
    const ids = spec.nodes.map((node) => node.id);
    super(spec, { kind: 'expected', family: 'jump', ids, nodes: spec.nodes, range: spec.range, hashIdentity: spec.hashIdentity });
    this.range = spec.range;
  }

  locate(key: Key): string {
    return this.ids[jumpBucket(0, this.keyHash(key) >>> 0, this.ids.length)] ?? '';
  }

  /**
   * The owner, then for choice i the key re-mixed with i jumped over the buckets not chosen yet
   * (in bucket order): a stable preference order. Jump itself only defines removal of the last
   * bucket, whose keys go to `locate` on the smaller ring.
   */
  locateN(key: Key, n: number): string[] {
    const wanted = this.wanted(n);
    const hash = this.keyHash(key);
    const left = this.ids.slice();
    const result: string[] = [];
    for (let i = 0; result.length < wanted; i++) {
      const at = jumpBucket(0, (i === 0 ? hash : mix32(hash ^ Math.imul(i, GOLDEN))) >>> 0, left.length);
      result.push(...left.splice(at, 1));
    }
    return result;
  }

  override withoutNode(id: string): Ring {
    const last = this.ids[this.ids.length - 1];
    if (this.has(id) && id !== last) {
      throw new UnsupportedError(`jump can only remove its last bucket ("${last ?? ''}"), not "${id}": removing another would renumber every later bucket`);
    }
    return super.withoutNode(id);
  }

  protected ownerCounts(): Float64Array {
    return new Float64Array(this.ids.length).fill(this.range / this.ids.length);
  }
}
