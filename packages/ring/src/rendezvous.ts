import type { HashOption, ResolvedHash } from './internal/hash-option.js';
import { resolveHash } from './internal/hash-option.js';
import { nativeSpec } from './internal/native-spec.js';
import { nativeNodes, positiveWeight } from './internal/nodes.js';
import { RendezvousRing } from './internal/rendezvous-ring.js';
import { utf8Bytes } from './internal/utf8.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

/**
 * Options of the rendezvous ring.
 *
 * @example
 * const options: RendezvousOptions = { hash: 'murmur3' };
 */
export interface RendezvousOptions {
  /** Hash of keys and of node names (seeds), default `'murmur3'`. */
  readonly hash?: HashOption;
}

function build(nodes: readonly RingNode[], hash: ResolvedHash): Ring {
  const seeds = Int32Array.from(nodes, (node) => {
    const name = utf8Bytes(node.name ?? node.id);
    return hash.bytes(name, 0, name.length) | 0;
  });
  const rebuild = (next: readonly RingNode[]): Ring => build(nativeNodes(next, positiveWeight), hash);
  return new RendezvousRing(nativeSpec('rendezvous', nodes, hash, positiveWeight, rebuild), seeds);
}

/**
 * Weighted rendezvous (highest random weight) hashing: a key goes to the node with the highest
 * score `-w / ln(u)`, where u is a per-node uniform draw mixed from the key's hash (computed once)
 * and the node's seed (the hash of its name or id, computed at build). Ideal movement: adding a
 * node takes exactly its expected share `w / W` from the others in proportion, removing one gives
 * its keys to the others in proportion, and no key moves between other nodes. Lookups cost O(n).
 * Draws are 32-bit values ranked as signed integers (u = (draw + 2^31 + 0.5) / 2^32). Equal draws
 * go to the smaller id. `shareOf` is the expected share w / W, and `diff` an exact expectation
 * (`exact: false`).
 *
 * @example
 * const ring = rendezvousRing(['a:11211', 'b:11211', { id: 'c:11211', weight: 2 }]);
 * ring.locate('user:42');
 * ring.locateN('user:42', 2);  // the two highest scores: owner, then where it goes if the owner leaves
 */
export function rendezvousRing(nodes: readonly RingNodeInput[], options: RendezvousOptions = {}): Ring {
  const hash = resolveHash(options.hash);
  return build(nativeNodes(nodes, positiveWeight), hash);
}
