import { InvalidConfigError, RingEmptyError, UnknownNodeError } from '../errors.js';
import type { Key, Ring, RingNode, RingNodeInput, WeightUpdate } from '../ring.js';
import type { KeyHasher } from './key-hasher.js';
import type { Layout } from './layout.js';
import { registerLayout } from './layout.js';
import type { WeightCheck } from './nodes.js';

function isMap(weights: WeightUpdate): weights is ReadonlyMap<string, number> {
  return weights instanceof Map;
}

/** Everything a ring needs besides its placement table. */
export interface RingSpec {
  readonly algorithm: string;
  readonly hash: string;
  readonly hashIdentity: unknown;
  /** Key hashes lie in [0, range). */
  readonly range: number;
  /** Owner index -> node: the order the placement table refers to. */
  readonly nodes: readonly RingNode[];
  readonly keyHash: KeyHasher;
  /** Parses a node given to `withNode`. */
  readonly toNode: (input: RingNodeInput) => RingNode;
  readonly checkWeight: WeightCheck;
  /** A new ring of the same kind and options over other nodes (validation included). */
  readonly rebuild: (nodes: readonly RingNode[]) => Ring;
}

/**
 * What every ring shares: membership changes that rebuild through the spec, shares computed from
 * the layout (lazily, once), and id bookkeeping. Subclasses only place keys.
 */
export abstract class BaseRing implements Ring {
  readonly algorithm: string;
  readonly hash: string;
  readonly nodes: readonly RingNode[];
  protected readonly ids: readonly string[];
  protected readonly keyHash: KeyHasher;
  private readonly spec: RingSpec;
  private readonly positions: ReadonlyMap<string, number>;
  private shares: Float64Array | undefined;

  protected constructor(spec: RingSpec, layout: Layout) {
    this.spec = spec;
    this.algorithm = spec.algorithm;
    this.hash = spec.hash;
    this.nodes = Object.freeze([...spec.nodes]);
    this.ids = layout.ids;
    this.keyHash = spec.keyHash;
    this.positions = new Map(this.ids.map((id, i) => [id, i]));
    registerLayout(this, layout);
  }

  abstract locate(key: Key): string;
  abstract locateN(key: Key, n: number): string[];
  /** Hash values in [0, range) owned by each owner index. */
  protected abstract ownerCounts(): Float64Array;

  has(id: string): boolean {
    return this.positions.has(id);
  }

  shareOf(id: string): number {
    const at = this.positions.get(id);
    if (at === undefined) return 0;
    this.shares ??= this.ownerCounts().map((count) => count / this.spec.range);
    return this.shares[at] ?? 0;
  }

  withNode(node: RingNodeInput): Ring {
    return this.spec.rebuild([...this.nodes, this.spec.toNode(node)]);
  }

  withoutNode(id: string): Ring {
    if (!this.has(id)) throw new UnknownNodeError(id);
    if (this.nodes.length === 1) throw new RingEmptyError(`Cannot remove "${id}": it is the ring's last node`);
    return this.spec.rebuild(this.nodes.filter((node) => node.id !== id));
  }

  withWeights(weights: WeightUpdate): Ring {
    const entries: Iterable<[string, number]> = isMap(weights) ? weights.entries() : Object.entries(weights);
    const next = new Map<string, number>();
    for (const [id, weight] of entries) {
      if (!this.has(id)) throw new UnknownNodeError(id);
      next.set(id, this.spec.checkWeight(id, weight));
    }
    return this.spec.rebuild(this.nodes.map((node) => {
      const weight = next.get(node.id);
      return weight === undefined ? node : { ...node, weight };
    }));
  }

  /**
   * `locateN`'s walk: from position `start`, the owners of the following positions (wrapping after
   * `count`), each once, until `n` are found or every position was seen.
   */
  protected distinctOwners(ownerAt: (position: number) => number, count: number, start: number, n: number): string[] {
    const wanted = this.wanted(n);
    const result: string[] = [];
    const seen = new Uint8Array(this.ids.length);
    for (let step = 0, i = start; step < count && result.length < wanted; step++, i++) {
      if (i >= count) i = 0;
      const owner = ownerAt(i);
      if (seen[owner] === 0) {
        seen[owner] = 1;
        result.push(this.ids[owner] ?? '');
      }
    }
    return result;
  }

  /** Validates `locateN`'s count and caps it at the node count. */
  protected wanted(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidConfigError('n', `locateN needs an integer >= 0, got ${String(n)}`);
    return Math.min(n, this.nodes.length);
  }
}
