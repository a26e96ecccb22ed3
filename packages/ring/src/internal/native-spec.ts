import type { Ring, RingNode } from '../ring.js';
import type { RingSpec } from './base-ring.js';
import type { ResolvedHash } from './hash-option.js';
import type { WeightCheck } from './nodes.js';
import { nativeNode } from './nodes.js';

/**
 * The spec of a native ring (ketama, modula, maglev, rendezvous, jump, multi-probe): the key hash
 * and its identity come from the `hash` option, nodes are parsed with the algorithm's weight
 * rule, and `rebuild` validates and places another node list with the same options.
 */
export function nativeSpec(
  algorithm: string,
  nodes: readonly RingNode[],
  hash: ResolvedHash,
  checkWeight: WeightCheck,
  rebuild: (next: readonly RingNode[]) => Ring,
): RingSpec {
  return {
    algorithm,
    hash: hash.name,
    hashIdentity: hash.identity,
    range: hash.range,
    nodes,
    keyHash: hash.key,
    toNode: (input) => nativeNode(input, checkWeight),
    checkWeight,
    rebuild,
  };
}
