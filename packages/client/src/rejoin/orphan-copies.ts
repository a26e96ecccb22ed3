import type { Clock } from '@shardcache/health';

/**
 * Copies a failover node still holds of keys whose owner came back: each one is deleted when
 * the owner returns, but a delete can fail (a reset connection, a stalled process). Until one
 * succeeds the copy is known to be older than the owner's, and would be served if the owner
 * left again: so reads of it are misses, its delete is tried again on each such read, and a
 * write that replaces it ends the record. A record lapses with the copy's own failover TTL.
 */
export class OrphanCopies {
  readonly #clock: Clock;
  /** How long a copy can live on a failover node (ms); Infinity without a failover TTL. */
  readonly #lifetimeMs: number;
  /** node -> wire key -> when the record lapses. */
  readonly #copies = new Map<string, Map<string, number>>();

  constructor(clock: Clock, failoverTtlSeconds: number | null) {
    this.#clock = clock;
    this.#lifetimeMs = failoverTtlSeconds === null ? Infinity : failoverTtlSeconds * 1000;
  }

  /** Nodes with records (0: the read and write paths skip every check). */
  get size(): number {
    return this.#copies.size;
  }

  add(node: string, wire: string): void {
    let copies = this.#copies.get(node);
    if (copies === undefined) {
      copies = new Map();
      this.#copies.set(node, copies);
    }
    copies.set(wire, this.#clock.now() + this.#lifetimeMs);
  }

  /** Whether `node` may still hold a stale copy of `wire`. */
  has(node: string, wire: string): boolean {
    const lapses = this.#copies.get(node)?.get(wire);
    if (lapses === undefined) return false;
    if (lapses > this.#clock.now()) return true;
    this.remove(node, wire);
    return false;
  }

  /** The copy is gone or replaced. */
  remove(node: string, wire: string): void {
    const copies = this.#copies.get(node);
    if (copies === undefined) return;
    copies.delete(wire);
    if (copies.size === 0) this.#copies.delete(node);
  }

  /** A node left the client: its copies no longer matter. */
  forgetNode(node: string): void {
    this.#copies.delete(node);
  }
}
