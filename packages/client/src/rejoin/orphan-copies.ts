import type { Clock } from '@shardcache/health';

/**
 * Copies a failover node still holds of keys whose owner came back: each one is deleted when
 * the owner returns, but a delete can fail (a reset connection, a stalled process). Until one
 * succeeds the copy is known to be older than the owner's, and would be served if the owner
 * left again: so reads of it are misses, its delete is tried again on each such read, and a
 * write that replaces it ends the record. A record lapses with the copy's own failover TTL.
 *
 * Only a write or delete sent after the record began can end it: one sent before (a failover
 * write whose reply comes after the owner's return) may be the very write that made the copy,
 * and the delete sent after it may have failed. Found by the nemesis: a setMany acknowledged
 * after its owner came back ended the record, and the copy was served when the owner left.
 */
export class OrphanCopies {
  readonly #clock: Clock;
  /** How long a copy can live on a failover node (ms); Infinity without a failover TTL. */
  readonly #lifetimeMs: number;
  /** node -> wire key -> the record: when it lapses, and the `mark()` it began at. */
  readonly #copies = new Map<string, Map<string, { readonly lapses: number; readonly since: number }>>();
  /** Records begun so far: a write or delete notes it when sent (`mark()`). */
  #begun = 0;

  constructor(clock: Clock, failoverTtlSeconds: number | null) {
    this.#clock = clock;
    this.#lifetimeMs = failoverTtlSeconds === null ? Infinity : failoverTtlSeconds * 1000;
  }

  /** Nodes with records (0: the read and write paths skip every check). */
  get size(): number {
    return this.#copies.size;
  }

  /** Now, as records count it: note it when a write or delete is sent, and pass it to `ended`. */
  mark(): number {
    return this.#begun;
  }

  add(node: string, wire: string): void {
    let copies = this.#copies.get(node);
    if (copies === undefined) {
      copies = new Map();
      this.#copies.set(node, copies);
    }
    copies.set(wire, { lapses: this.#clock.now() + this.#lifetimeMs, since: ++this.#begun });
  }

  /** Whether `node` may still hold a stale copy of `wire`. */
  has(node: string, wire: string): boolean {
    const record = this.#copies.get(node)?.get(wire);
    if (record === undefined) return false;
    if (record.lapses > this.#clock.now()) return true;
    this.#remove(node, wire);
    return false;
  }

  /**
   * A write or delete of `wire` on `node`, sent at `sentAt` (`mark()`), succeeded: the copy is
   * gone or replaced, and its record ends, unless the record began after the call was sent.
   */
  ended(node: string, wire: string, sentAt: number): void {
    const record = this.#copies.get(node)?.get(wire);
    if (record !== undefined && record.since <= sentAt) this.#remove(node, wire);
  }

  /** A node left the client: its copies no longer matter. */
  forgetNode(node: string): void {
    this.#copies.delete(node);
  }

  #remove(node: string, wire: string): void {
    const copies = this.#copies.get(node);
    if (copies === undefined) return;
    copies.delete(wire);
    if (copies.size === 0) this.#copies.delete(node);
  }
}
