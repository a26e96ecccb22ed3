import { InvalidConfigError } from './errors.js';
import type { HashOption, ResolvedHash } from './internal/hash-option.js';
import { resolveHash } from './internal/hash-option.js';
import { nativeSpec } from './internal/native-spec.js';
import { integerWeight, nativeNodes } from './internal/nodes.js';
import { SlotRing } from './internal/slot-ring.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

/**
 * Options of the native modula ring.
 *
 * @example
 * const options: ModulaOptions = { hash: 'fnv1a_32' };
 */
export interface ModulaOptions {
  /** Key hash (default `'murmur3'`). */
  readonly hash?: HashOption;
}

const MAX_SLOTS = 2 ** 24;

function build(nodes: readonly RingNode[], hash: ResolvedHash): Ring {
  const total = nodes.reduce((sum, node) => sum + node.weight, 0);
  if (total > MAX_SLOTS) throw new InvalidConfigError('weights', `${total} slots exceed the limit of ${MAX_SLOTS}`);
  const slots = new Uint32Array(total);
  let at = 0;
  nodes.forEach((node, owner) => {
    slots.fill(owner, at, at + node.weight);
    at += node.weight;
  });
  const rebuild = (next: readonly RingNode[]): Ring => build(nativeNodes(next, integerWeight), hash);
  return new SlotRing(nativeSpec('modula', nodes, hash, integerWeight, rebuild), slots);
}

/**
 * Plain modulo placement: nodes sorted by id, each holding `weight` consecutive slots (weights
 * are integers), and a key goes to slot `hash(key) % slots`. Fast and perfectly balanced for
 * uniform hashes, but almost every key moves when the node set changes: see `diff`.
 *
 * @example
 * const ring = modulaRing(['a:11211', 'b:11211', 'c:11211:2']);
 * ring.locate('user:42');
 */
export function modulaRing(nodes: readonly RingNodeInput[], options: ModulaOptions = {}): Ring {
  const hash = resolveHash(options.hash);
  return build(nativeNodes(nodes, integerWeight), hash);
}
