import { InvalidConfigError, RingEmptyError, UnsupportedError } from './errors.js';
import type { HashOption, ResolvedHash } from './internal/hash-option.js';
import { resolveHash } from './internal/hash-option.js';
import { jumpBucket } from './internal/jump-hash.js';
import { JumpRing } from './internal/jump-ring.js';
import { nativeSpec } from './internal/native-spec.js';
import type { WeightCheck } from './internal/nodes.js';
import { assertUnique, nativeNode, positiveWeight } from './internal/nodes.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

/**
 * Options of the jump ring.
 *
 * @example
 * const options: JumpOptions = { hash: 'murmur3' };
 */
export interface JumpOptions {
  /** Key hash (default `'murmur3'`); its 32 bits are jump's key. */
  readonly hash?: HashOption;
}

const MAX_BUCKETS = 2 ** 31 - 1;

// Jump has no weights: every bucket gets 1/n. Weight 1 (the default) is the only one accepted.
const unitWeight: WeightCheck = (id, weight) => {
  if (positiveWeight(id, weight) !== 1) throw new UnsupportedError(`jump has no weights: node "${id}" asks for ${String(weight)}`);
  return 1;
};

/** Buckets keep the order given: it is the numbering of the shards. */
function jumpNodes(inputs: unknown): RingNode[] {
  if (!Array.isArray(inputs)) throw new InvalidConfigError('nodes', 'expected an array of nodes');
  if (inputs.length === 0) throw new RingEmptyError('A ring needs at least one node; got an empty node list');
  const nodes = inputs.map((input: unknown) => nativeNode(input, unitWeight));
  assertUnique(nodes);
  return nodes;
}

function build(nodes: readonly RingNode[], hash: ResolvedHash): Ring {
  return new JumpRing(nativeSpec('jump', nodes, hash, unitWeight, (next) => build(jumpNodes(next), hash)));
}

function uint32(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new InvalidConfigError(option, `expected an integer in [0, 2^32), got ${String(value)}`);
  }
  return value;
}

/**
 * Jump consistent hash (Lamping and Veach 2014) of a 64-bit key given as two uint32 halves,
 * exactly as the paper's C++ and Guava's `Hashing.consistentHash` compute it (the test vectors
 * come from both). No BigInt: the 64-bit LCG runs on 32-bit halves.
 *
 * @example
 * jumpHash(0, 1, 7);     // 6: key 1 in 7 buckets
 * jumpHash(0, 2, 100001); // 80343, as Guava
 */
export function jumpHash(keyHigh: number, keyLow: number, buckets: number): number {
  const hi = uint32('keyHigh', keyHigh);
  const lo = uint32('keyLow', keyLow);
  if (typeof buckets !== 'number' || !Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) {
    throw new InvalidConfigError('buckets', `expected an integer in [1, 2^31 - 1], got ${String(buckets)}`);
  }
  return jumpBucket(hi, lo, buckets);
}

/**
 * Jump consistent hash over numbered shards: `nodes[i]` is bucket i, in the order given (not
 * sorted). Perfect expected balance, no memory beyond the id list, and on growth only the keys
 * that go to the new bucket move. Only the **last** bucket can be removed: `withoutNode` of any
 * other id throws `ERR_UNSUPPORTED`, and so do weights other than 1. `shareOf` is the expected
 * share 1/n and `diff` an exact expectation (`exact: false`).
 *
 * @example
 * const ring = jumpRing(['shard-0', 'shard-1', 'shard-2']);
 * ring.locate('user:42');                 // e.g. 'shard-1'
 * ring.withNode('shard-3');               // appends bucket 3: ~1/4 of keys move to it
 * ring.withoutNode('shard-2');            // fine: the last bucket
 */
export function jumpRing(nodes: readonly RingNodeInput[], options: JumpOptions = {}): Ring {
  const hash = resolveHash(options.hash);
  const list = jumpNodes(nodes);
  if (list.length > MAX_BUCKETS) throw new InvalidConfigError('nodes', `at most ${MAX_BUCKETS} buckets`);
  return build(list, hash);
}
