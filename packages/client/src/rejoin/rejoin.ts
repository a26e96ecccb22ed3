import type { Clock } from '@shardcache/health';
import type { NodeSlot } from '../routing/node-slot.js';
import type { Router } from '../routing/router.js';
import { OrphanCopies } from './orphan-copies.js';
import { RejoinGuard, type ResolvedRejoin } from './rejoin-guard.js';

/**
 * Purge rounds before a return: the first deletes what the node missed while out, the next
 * ones what was first written elsewhere during the one before; the rest is handed over.
 */
const MAX_PURGE_ROUNDS = 3;

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
   * Puts `node` back safely: purges what each node missed, as the ring will be once `node` is
   * back (every key its owner missed, not only those it serves right after: an ejection later,
   * or another node's return, can route any of them there without a purge), then calls `swap`
   * in the same tick as the hand-over below. Returns what `swap` returned, or undefined when
   * `node` must stay out (its tracking overflowed, with `onOverflow: 'keep-out'`). A node whose
   * tracking overflowed is flushed.
   *
   * Writes go on elsewhere while the purge runs, so a purge that waited for a round with none
   * would never end under steady load (found by the chaos suite: a redis node stayed out 4 s
   * after its fault, purging the same hot keys round after round). Instead a key is deleted
   * from an owner once (nothing is routed to it there until the swap, so it stays deleted);
   * later rounds take only keys first missed since, for at most `MAX_PURGE_ROUNDS`; what is
   * still missed at the swap is handed to the orphan copies: read as misses there until a
   * delete (sent at once) or a newer write succeeds.
   */
  async purgeThen<T>(node: string, swap: () => T): Promise<T | undefined> {
    for (;;) {
      const purged = new Map<string, Set<string> | 'all'>();
      for (let round = 0; round < MAX_PURGE_ROUNDS; round++) {
        const work = this.#purgeRound(node, purged);
        if (work === 'keep-out') return undefined;
        if (work.length === 0) break;
        await Promise.all(work);
      }
      if (this.#handOver(node, purged)) return swap();
    }
  }

  /** The nodes that serve once `node` is back (those out now stay out), with their slots. */
  #serving(node: string): [string, NodeSlot][] {
    const { ejected } = this.#fleet.router;
    const serving: [string, NodeSlot][] = [];
    for (const id of this.#fleet.ids()) {
      const slot = this.#fleet.slot(id);
      if (slot !== undefined && (id === node || !ejected.has(id))) serving.push([id, slot]);
    }
    return serving;
  }

  /** Deletes, at each serving owner, what it missed and no delete of this return reached yet. */
  #purgeRound(node: string, purged: Map<string, Set<string> | 'all'>): Promise<void>[] | 'keep-out' {
    const work: Promise<void>[] = [];
    for (const [owner, slot] of this.#serving(node)) {
      if (this.#guard.overflowed(owner)) {
        if (owner === node && this.settings.onOverflow === 'keep-out') return 'keep-out';
        work.push(slot.run('flush', this.#timeoutMs, undefined, () => slot.node.flush()).then(() => {
          this.#guard.flushed(owner);
          purged.set(owner, 'all');
        }));
        continue;
      }
      const done = purged.get(owner);
      if (done === 'all') continue;
      const fresh = new Map([...this.#guard.missed(owner)].filter(([wire]) => done?.has(wire) !== true));
      if (fresh.size === 0) continue;
      work.push(slot.run('deleteMany', this.#timeoutMs, undefined, () => slot.node.deleteMany([...fresh.keys()])).then(() => {
        this.#guard.forget(owner, fresh);
        const wires = done ?? new Set<string>();
        for (const wire of fresh.keys()) wires.add(wire);
        purged.set(owner, wires);
      }));
      // Orphan copies on the failover nodes would be stale if the owner left again.
      for (const [wire, entry] of fresh) this.deleteOrphan(entry.servedBy, wire);
    }
    return work;
  }

  /**
   * At the swap: what the serving owners still missed becomes orphan copies (their own copy of
   * a key no delete reached, and the failover copy of every key written since its round), and
   * their records end. False when a tracking overflowed meanwhile (a flush first: purge again).
   */
  #handOver(node: string, purged: ReadonlyMap<string, Set<string> | 'all'>): boolean {
    const serving = this.#serving(node);
    if (serving.some(([owner]) => this.#guard.overflowed(owner))) return false;
    for (const [owner] of serving) {
      const done = purged.get(owner);
      for (const [wire, entry] of this.#guard.missed(owner)) {
        this.deleteOrphan(entry.servedBy, wire);
        if (done !== 'all' && done?.has(wire) !== true) this.deleteOrphan(owner, wire);
      }
      this.#guard.flushed(owner);
    }
    return true;
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
