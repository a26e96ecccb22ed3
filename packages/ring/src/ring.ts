/**
 * A key to place: a string (hashed as its UTF-8 bytes) or raw bytes.
 *
 * @example
 * const keys: Key[] = ['user:1', new Uint8Array([0x75, 0x3a, 0x31])];
 */
export type Key = string | Uint8Array;

/**
 * A node as a ring holds it: an explicit id (what `locate` returns) and a weight.
 * `name`, when present, seeds the node's points instead of the id (twemproxy's `[name]`), so a
 * server can move to a new address without moving its keys.
 *
 * @example
 * const node: RingNode = { id: '10.0.0.1:11211', weight: 2 };
 */
export interface RingNode {
  readonly id: string;
  readonly weight: number;
  readonly name?: string;
}

/**
 * A node as callers may give it: a string (`"id"`, `"host:port"`, `"host:port:weight"` or
 * `"host:port:weight name"`) or an object whose weight defaults to 1.
 *
 * @example
 * const nodes: RingNodeInput[] = ['a:11211', 'b:11211:2', { id: 'c', weight: 0.5 }];
 */
export type RingNodeInput = string | { readonly id: string; readonly weight?: number; readonly name?: string };

/**
 * New weights by node id, for `Ring.withWeights`.
 *
 * @example
 * const w: WeightUpdate = new Map([['a', 2]]);
 */
export type WeightUpdate = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/**
 * An immutable placement of keys on nodes. Every change returns a new ring; a ring never changes
 * and has no events (the client that swaps rings announces changes). Rings are never empty.
 *
 * @example
 * const ring = ketamaRing(['a:11211', 'b:11211']);
 * ring.locate('user:1');            // 'a:11211' or 'b:11211'
 * ring.withNode('c:11211').locateN('user:1', 2);
 */
export interface Ring {
  /** Which placement rule, e.g. `'ketama'`, `'modula'`, `'twemproxy ketama'`. */
  readonly algorithm: string;
  /** Which key hash, e.g. `'murmur3'`, `'md5'`, `'custom'`. */
  readonly hash: string;
  /** The nodes in placement order: by id (native), by name (twemproxy), as given (libmemcached). Frozen. */
  readonly nodes: readonly RingNode[];
  /** The node id that owns `key`. */
  locate(key: Key): string;
  /** `n` distinct node ids in preference order (clockwise successors on a continuum). */
  locateN(key: Key, n: number): string[];
  /** The node's exact share of the key-hash space, in [0, 1] (the expected share for jump, rendezvous, multi-probe); 0 for an unknown id. */
  shareOf(id: string): number;
  /** Whether `id` is one of the nodes. */
  has(id: string): boolean;
  /** A ring with one more node (ERR_DUPLICATE_NODE if its id is taken). */
  withNode(node: RingNodeInput): Ring;
  /** A ring without `id` (ERR_UNKNOWN_NODE if absent, ERR_RING_EMPTY if it was the last). */
  withoutNode(id: string): Ring;
  /** A ring with some weights replaced; the other nodes keep theirs. */
  withWeights(weights: WeightUpdate): Ring;
}

/**
 * Keys of one node that move to another between two rings, as an exact share of the key space.
 *
 * @example
 * const flow: RingFlow = { from: 'a', to: 'c', share: 0.125 };
 */
export interface RingFlow {
  readonly from: string;
  readonly to: string;
  readonly share: number;
}

/**
 * What changes between two rings, computed from arcs or slots (not by sampling keys).
 *
 * @example
 * const d: RingDiff = diff(a, b); // d.moved === d.flows.reduce((s, f) => s + f.share, 0)
 */
export interface RingDiff {
  /** Share of the key space whose owner changes. */
  readonly moved: number;
  /** Every (from, to) pair with a non-zero share, largest share first. */
  readonly flows: readonly RingFlow[];
  /** Ids in the second ring only. */
  readonly added: readonly string[];
  /** Ids in the first ring only. */
  readonly removed: readonly string[];
  /** True when computed exactly from arcs or slots; false marks an exact expectation (jump, rendezvous, multi-probe: no segments). */
  readonly exact: boolean;
}
