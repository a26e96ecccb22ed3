import { InvalidConfigError } from './errors.js';
import type { HashOption, ResolvedHash } from './internal/hash-option.js';
import { resolveHash } from './internal/hash-option.js';
import { MaglevRing } from './internal/maglev-ring.js';
import { isPrime, maglevTable } from './internal/maglev-table.js';
import { nativeSpec } from './internal/native-spec.js';
import { nativeNodes, positiveWeight } from './internal/nodes.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

/**
 * Options of the maglev ring.
 *
 * @example
 * const options: MaglevOptions = { tableSize: 65537 };
 */
export interface MaglevOptions {
  /** Lookup table size, a prime >= the node count (default 65537; the paper uses ~100x nodes). */
  readonly tableSize?: number;
  /** Hash of keys and of the permutation labels `"<name>-0"`, `"<name>-1"` (default `'murmur3'`). */
  readonly hash?: HashOption;
}

const MAX_TABLE = 2 ** 24;

function tableSizeOption(value: unknown): number {
  if (value === undefined) return 65537;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 2 || value > MAX_TABLE || !isPrime(value)) {
    throw new InvalidConfigError('tableSize', `expected a prime in [2, 2^24], got ${String(value)}`);
  }
  return value;
}

function build(nodes: readonly RingNode[], size: number, hash: ResolvedHash): Ring {
  if (nodes.length > size) throw new InvalidConfigError('tableSize', `${size} slots cannot hold ${nodes.length} nodes; use a larger prime`);
  const rebuild = (next: readonly RingNode[]): Ring => build(nativeNodes(next, positiveWeight), size, hash);
  return new MaglevRing(nativeSpec('maglev', nodes, hash, positiveWeight, rebuild), maglevTable(nodes, size, hash));
}

/**
 * Maglev hashing (Eisenbud et al., NSDI 2016): a prime-sized lookup table filled by the nodes in
 * turn from their own permutations, and a key goes to `table[hash(key) % tableSize]`. Lookups cost
 * what modulo costs and balance is near perfect (every node holds floor or ceil of its slot
 * quota); the price is some extra movement on change (a few slots change hands between
 * surviving nodes), which `diff` measures exactly from the two tables. `locateN` lists the
 * owners of the following slots, a preference order rather than maglev's removal rule.
 *
 * @example
 * const ring = maglevRing(['a:11211', 'b:11211', 'c:11211'], { tableSize: 65537 });
 * ring.locate('user:42');
 * diff(ring, ring.withNode('d:11211')).moved; // ~0.25, plus a little between survivors
 */
export function maglevRing(nodes: readonly RingNodeInput[], options: MaglevOptions = {}): Ring {
  const size = tableSizeOption(options.tableSize);
  const hash = resolveHash(options.hash);
  return build(nativeNodes(nodes, positiveWeight), size, hash);
}
