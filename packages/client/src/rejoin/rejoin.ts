import type { Clock } from '@shardcache/health';
import type { NodeSlot } from '../routing/node-slot.js';
import { Router } from '../routing/router.js';
import { OrphanCopies } from './orphan-copies.js';
import { RejoinGuard, type ResolvedRejoin } from './rejoin-guard.js';

/** The nodes rejoin purges, and the ring they are placed by. */
export interface RejoinFleet {
  readonly router: Router;
  slot(id: string): NodeSlot | undefined;
  ids(): Iterable<string>;
}

/**
 * Rejoin safety, every rule in one place: a node that was out of the ring serves again only
 * after every key written elsewhere meanwhile is deleted from the node that will serve it (the
 * guard's records), and the failover copies left behind are deleted too, read as misses until
 * a delete succeeds (orphan copies). Writes away from a key's planned owner are recorded here;
 * the purge runs before the node's return and before a planned change's swap.
 */
export class Rejoin {
  readonly settings: ResolvedRejoin;
  /** Failover copies whose delete has not succeeded yet: reads of them are misses. */
  readonly orphans: OrphanCopies;
  readonly #guard: RejoinGuard;
  readonly #fleet: RejoinFleet;
  readonly #timeoutMs: number;

  constructor(settings: ResolvedRejoin, clock: Clock, fleet: RejoinFleet, timeoutMs: number) {
    this.settings = settings;
    this.orphans = new OrphanCopies(clock, settings.failoverTtl);
    this.#guard = new RejoinGuard(settings.maxTrackedKeys);
    this.#fleet = fleet;
    this.#timeoutMs = timeoutMs;
  }

  /** Keys tracked per node, for stats (Infinity once a node's tracking overflowed). */
  get tracked(): Record<string, number> {
    return this.#guard.sizes;
  }

  /**
   * The keys `node` missed while out of the ring (written or deleted elsewhere): its copies of
   * them are older than what was acknowledged since. Empty with rejoin safety off (nothing is
   * tracked, nothing is promised); `'overflowed'` past `maxTrackedKeys`.
   */
  missed(node: string): ReadonlyMap<string, unknown> | 'overflowed' {
    return this.#guard.overflowed(node) ? 'overflowed' : this.#guard.missed(node);
  }

  /** A write of `wire` served by `servedBy` that each of `missed` will not see (see Router.missedBy). */
  wroteElsewhere(missed: readonly string[], wire: string, placement: string, servedBy: string): void {
    if (this.settings.enabled) for (const id of missed) this.#guard.record(id, wire, placement, servedBy);
  }

  /**
   * Purges what each node missed, as the ring will be once `node` is back: every key its owner
   * missed (not only those it serves right after: an ejection later, or another node's return,
   * can route any of them there without a purge), repeated until nothing new was written
   * meanwhile. A node whose tracking overflowed is flushed. True when `node` must stay out
   * (overflowed, with `onOverflow: 'keep-out'`).
   */
  async purgeBefore(node: string): Promise<boolean> {
    const { router } = this.#fleet;
    const after = new Router(router.ring, router.policy);
    for (const id of router.ejected) if (id !== node) after.eject(id);
    for (;;) {
      const work: Promise<void>[] = [];
      for (const owner of this.#fleet.ids()) {
        const slot = this.#fleet.slot(owner);
        if (slot === undefined || after.ejected.has(owner)) continue;
        if (this.#guard.overflowed(owner)) {
          if (owner === node && this.settings.onOverflow === 'keep-out') return true;
          work.push(slot.run('flush', this.#timeoutMs, undefined, () => slot.node.flush()).then(() => this.#guard.flushed(owner)));
          continue;
        }
        const missed = new Map(this.#guard.missed(owner));
        if (missed.size === 0) continue;
        work.push(slot.run('deleteMany', this.#timeoutMs, undefined, () => slot.node.deleteMany([...missed.keys()])).then(() => this.#guard.forget(owner, missed)));
        // Orphan copies on the failover nodes would be stale if the owner left again.
        for (const [wire, entry] of missed) this.deleteOrphan(entry.servedBy, wire);
      }
      if (work.length === 0) return false;
      await Promise.all(work);
    }
  }

  /**
   * Deletes the copy `node` took of `wire` while its owner was out. Until a delete succeeds (a
   * connection reset or a stalled process can fail it), reads of the key there are misses and
   * each one tries the delete again (see OrphanCopies).
   */
  deleteOrphan(node: string, wire: string): void {
    const slot = this.#fleet.slot(node);
    if (slot === undefined) return;
    this.orphans.add(node, wire);
    const sentAt = this.orphans.mark();
    slot.node.delete(wire).then(
      () => this.orphans.ended(node, wire, sentAt),
      () => undefined,
    );
  }

  /**
   * Whether `slot` may hold a stale failover copy of `wire`: then a read of it there is a miss,
   * and its delete is tried again.
   */
  orphaned(slot: NodeSlot, wire: string): boolean {
    // Almost always none: one check on the hot path.
    if (this.orphans.size === 0 || !this.orphans.has(slot.id, wire)) return false;
    this.deleteOrphan(slot.id, wire);
    return true;
  }

  /**
   * A planned change replaced the ring: failover copies were placed by the ring just replaced,
   * and the new one may route their keys to them again while newer values sit elsewhere. Each
   * is deleted, and read as a miss until then.
   */
  ringReplaced(removed: readonly string[]): void {
    for (const [servedBy, wire] of this.#guard.copies()) this.deleteOrphan(servedBy, wire);
    for (const id of removed) this.orphans.forgetNode(id);
  }

  /**
   * A migration's copy at `id` cannot be purged while `id` is ejected: with rejoin safety on,
   * its keys are handed to the guard, which purges them (or flushes the node) before it serves
   * again. False when the caller must purge them itself.
   */
  deferPurge(id: string, keys: Iterable<readonly [string, string]> | 'overflowed'): boolean {
    const { router } = this.#fleet;
    if (!this.settings.enabled || !router.ejected.has(id)) return false;
    if (keys === 'overflowed') this.#guard.overflow(id);
    else for (const [wire, placement] of keys) this.#guard.record(id, wire, placement, router.ring.locate(placement));
    return true;
  }
}
