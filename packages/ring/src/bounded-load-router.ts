import { InvalidConfigError } from './errors.js';
import type { Key, Ring } from './ring.js';

/**
 * Current load per node id (requests in flight, connections, keys held): non-negative integers.
 * Ids not in the ring are ignored; ids missing from the snapshot count as 0.
 *
 * @example
 * const loads: LoadSnapshot = new Map([['a:11211', 12], ['b:11211', 3]]);
 */
export type LoadSnapshot = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/**
 * Options of the bounded-load router.
 *
 * @example
 * const options: BoundedLoadOptions = { factor: 1.25 };
 */
export interface BoundedLoadOptions {
  /** c >= 1: no node takes more than ceil(c x its fair share of the load) (default 1.25). */
  readonly factor?: number;
}

function factorOption(value: unknown): number {
  if (value === undefined) return 1.25;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) {
    throw new InvalidConfigError('factor', `expected a finite number >= 1, got ${String(value)}`);
  }
  return value;
}

function loadOf(loads: LoadSnapshot, id: string): number {
  const load = loads instanceof Map ? (loads as ReadonlyMap<string, number>).get(id) : (loads as Readonly<Record<string, number>>)[id];
  if (load === undefined) return 0;
  if (!Number.isSafeInteger(load) || load < 0) throw new InvalidConfigError('loads', `load of "${id}" must be an integer >= 0, got ${String(load)}`);
  return load;
}

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam 2018), as a router
 * over any ring: given a snapshot of per-node load, a key goes to the first node of
 * `ring.locateN(key, ...)` that is below its capacity `ceil(c * (m + 1) * w / W)`, where m is the
 * total load before this key and w / W the node's weight share. Some node is always below it
 * (the capacities add up to at least m + 1), so after the key is placed no node holds more than
 * ceil(c x its share of the average). This is not a ring: the answer depends on the loads, so two
 * processes agree only when they see the same snapshot; use it for requests or sessions, not for
 * where a cached key lives.
 *
 * @example
 * const router = new BoundedLoadRouter(ketamaRing(['a', 'b', 'c']), { factor: 1.25 });
 * router.route('user:42', new Map([['a', 10], ['b', 2], ['c', 3]])); // 'a' only if a has room
 */
export class BoundedLoadRouter {
  readonly ring: Ring;
  readonly factor: number;
  private readonly totalWeight: number;

  constructor(ring: Ring, options: BoundedLoadOptions = {}) {
    this.ring = ring;
    this.factor = factorOption(options.factor);
    this.totalWeight = ring.nodes.reduce((sum, node) => sum + node.weight, 0);
  }

  /** The most load node `id` may hold once a key is added to a total of `totalLoad`. */
  capacityOf(id: string, totalLoad: number): number {
    const node = this.ring.nodes.find((n) => n.id === id);
    if (node === undefined) return 0;
    return Math.ceil((this.factor * (totalLoad + 1) * node.weight) / this.totalWeight - 1e-9);
  }

  /** Where `key` goes given the current `loads`: its ring owner unless that node is full. */
  route(key: Key, loads: LoadSnapshot): string {
    let total = 0;
    for (const node of this.ring.nodes) total += loadOf(loads, node.id);
    const hasRoom = (id: string): boolean => loadOf(loads, id) + 1 <= this.capacityOf(id, total);
    const owner = this.ring.locate(key);
    if (hasRoom(owner)) return owner;
    for (const id of this.ring.locateN(key, this.ring.nodes.length)) if (hasRoom(id)) return id;
    // Nodes a preference walk never reaches (a continuum node without points): in node order.
    for (const node of this.ring.nodes) if (hasRoom(node.id)) return node.id;
    return owner; // unreachable: capacities sum to at least total + 1
  }

  /** The same router over another ring (rings are values; the client swaps them). */
  withRing(ring: Ring): BoundedLoadRouter {
    return new BoundedLoadRouter(ring, { factor: this.factor });
  }
}
