import { HealthRegistry } from '@shardcache/health';
import type { NodeFactory, ResolvedOptions } from '../client-options.js';
import { NodeUnavailableError, TimeoutError } from '../errors.js';
import { abortable } from '../internal/abortable.js';
import { DeadlineQueue } from '../internal/deadline-queue.js';
import { resolveChange, type MembershipChange, type ResolvedChange } from '../membership/membership-change.js';
import { PendingMigrations } from '../migration/pending-migrations.js';
import { purgeCopies } from '../migration/purge-copies.js';
import type { NodeAddress } from '../nodes/node-address.js';
import { OrphanCopies } from '../rejoin/orphan-copies.js';
import { RejoinGuard, type ResolvedRejoin } from '../rejoin/rejoin-guard.js';
import { diff, type Ring, type RingDiff } from '@shardcache/ring';
import { healthGate } from './health-gate.js';
import { NodeSlot } from './node-slot.js';
import { Router, type RingChange } from './router.js';

/** What the topology tells its client. */
export interface TopologyEvents {
  ejected(node: string, reason: string): void;
  restored(node: string): void;
  changed(change: RingChange): void;
  error(node: string | undefined, error: unknown): void;
}

/**
 * The fleet as the client routes over it: node slots (adapter + health gate + limits), the
 * router (planned ring minus ejected nodes), the health registry, and the two ways the ring
 * changes: health (eject, then restore once the node is stable and purged of what it missed)
 * and planned membership (nodes added, removed or reweighted in one swap).
 */
export class Topology {
  readonly router: Router;
  readonly health: HealthRegistry;
  readonly deadlines: DeadlineQueue;
  readonly rejoin: ResolvedRejoin;
  readonly guard: RejoinGuard;
  /** Failover copies whose delete has not succeeded yet: reads of them are misses. */
  readonly orphans: OrphanCopies;
  readonly #slots = new Map<string, NodeSlot>();
  readonly #options: ResolvedOptions;
  readonly #factory: NodeFactory;
  readonly #events: TopologyEvents;
  readonly #rejoining = new Set<string>();
  /** After a planned change, the ring before it, consulted on misses until `until` (warm-up). */
  #warm: { readonly previous: Ring; readonly until: number; readonly written: Set<string> } | undefined;
  /** Reads served from a key's previous owner during warm-up. */
  warmupHits = 0;
  /**
   * Migrations whose copies are not yet safe to serve: every write checks this field (undefined
   * unless a migration ran since the last planned change), and `apply` purges before it swaps.
   */
  migrations: PendingMigrations | undefined;
  #changing: Promise<unknown> = Promise.resolve();

  constructor(options: ResolvedOptions, factory: NodeFactory, rejoin: ResolvedRejoin, events: TopologyEvents) {
    this.#options = options;
    this.#factory = factory;
    this.#events = events;
    this.rejoin = rejoin;
    this.guard = new RejoinGuard(rejoin.maxTrackedKeys);
    this.orphans = new OrphanCopies(options.clock, rejoin.failoverTtl);
    this.router = new Router(options.ring, options.failover);
    this.deadlines = new DeadlineQueue(options.clock);
    this.health = new HealthRegistry({
      ...options.health,
      timeout: options.timeoutMs,
      clock: options.clock,
      probe: (node, signal) => {
        const slot = this.#slots.get(node);
        if (slot === undefined) return Promise.reject(new NodeUnavailableError(node, 'not in this client'));
        return slot.node.ping({ signal }).catch((error: unknown) => {
          // A probe that timed out leaves the connection out of step, like a late call.
          if (signal.aborted) slot.node.lateCall?.(options.timeoutMs);
          throw error;
        });
      },
    });
    this.health.on('node:ejected', ({ node, reason }) => this.eject(node, reason));
    this.health.on('node:restored', ({ node }) => void this.rejoinWhenStable(node));
    for (const address of options.nodes) this.#addSlot(address);
  }

  slot(id: string): NodeSlot | undefined {
    return this.#slots.get(id);
  }

  get slots(): IterableIterator<NodeSlot> {
    return this.#slots.values();
  }

  get addresses(): NodeAddress[] {
    return [...this.#slots.values()].map((slot) => slot.address);
  }

  /** Takes a node out of placement now. */
  eject(node: string, reason: string): void {
    const change = this.router.eject(node);
    if (change === undefined) return;
    this.#events.ejected(node, reason);
    this.#events.changed(change);
  }

  /**
   * Puts a node back: first the keys written elsewhere while it (or their owner) was out are
   * deleted from the nodes that will serve them again, then the ring swaps in the same tick as
   * the last check, so no read can reach a value older than this client's last write.
   */
  async restore(node: string): Promise<void> {
    if (!this.router.ejected.has(node) || this.#rejoining.has(node)) return;
    this.#rejoining.add(node);
    try {
      if (this.rejoin.enabled) {
        const keptOut = await this.#purgeFor(node);
        if (keptOut) return;
      }
      const change = this.router.restore(node);
      if (change === undefined) return;
      this.#events.restored(node);
      this.#events.changed(change);
    } finally {
      this.#rejoining.delete(node);
    }
  }

  /** Health says the node is back: restore it once it has stayed healthy for `stableMs`. */
  rejoinWhenStable(node: string): Promise<void> {
    if (this.rejoin.stableMs === 0) return this.#restoreReporting(node);
    return new Promise((resolve) => {
      this.#options.clock.schedule(() => {
        const health = this.health.has(node) ? this.health.get(node) : undefined;
        if (health?.state === 'up') void this.#restoreReporting(node).then(resolve);
        else resolve();
      }, this.rejoin.stableMs);
    });
  }

  async #restoreReporting(node: string): Promise<void> {
    try {
      await this.restore(node);
    } catch (error) {
      this.#events.error(node, error);
    }
  }

  /** Purges what each node missed; true when `node` must stay out (overflow with `keep-out`). */
  async #purgeFor(node: string): Promise<boolean> {
    const after = new Router(this.router.ring, this.router.policy);
    for (const id of this.router.ejected) if (id !== node) after.eject(id);
    for (;;) {
      const owners = [...this.#slots.keys()].filter((id) => !after.ejected.has(id));
      const work: Promise<void>[] = [];
      for (const owner of owners) {
        const slot = this.#slots.get(owner);
        if (slot === undefined) continue;
        if (this.guard.overflowed(owner)) {
          if (owner === node && this.rejoin.onOverflow === 'keep-out') return true;
          work.push(slot.run('flush', this.#options.timeoutMs, undefined, () => slot.node.flush()).then(() => this.guard.flushed(owner)));
          continue;
        }
        // Every key the node missed, not only those it serves right after this restore: an
        // ejection later (or another node's return) can route any of them to it without a purge.
        const missed = new Map(this.guard.missed(owner));
        if (missed.size === 0) continue;
        work.push(slot.run('deleteMany', this.#options.timeoutMs, undefined, () => slot.node.deleteMany([...missed.keys()])).then(() => this.guard.forget(owner, missed)));
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
    const slot = this.#slots.get(node);
    if (slot === undefined) return;
    this.orphans.add(node, wire);
    const sentAt = this.orphans.mark();
    slot.node.delete(wire).then(
      () => this.orphans.ended(node, wire, sentAt),
      () => undefined,
    );
  }

  /** The diff a change would make, before anything happens. */
  preview(change: MembershipChange): RingDiff {
    return diff(this.router.ring, this.nextRing(change));
  }

  /** Slots for a change's destinations: existing nodes, or new connections (`temporary`) for nodes it adds. */
  destinations(change: MembershipChange): { readonly slots: Map<string, NodeSlot>; readonly temporary: NodeSlot[] } {
    const resolved = resolveChange(change, new Set(this.#slots.keys()));
    const temporary = resolved.add.map((address) => this.#createSlot(address));
    const slots = new Map(this.#slots);
    for (const slot of temporary) slots.set(slot.id, slot);
    return { slots, temporary };
  }

  /**
   * Registers a migration of `change` against the planned ring now (waiting out a purge before
   * a ring swap, so it never copies into a ring about to be replaced) and returns the ring to
   * copy to. Writes are tracked from here until the next planned change; call
   * `pending.finished()` when the migration stops copying.
   */
  async beginMigration(change: MembershipChange, placementOfWire: (wire: string) => string | undefined): Promise<{ readonly target: Ring; readonly pending: PendingMigrations }> {
    for (let sealed = this.migrations?.whenUnsealed(); sealed !== undefined; sealed = this.migrations?.whenUnsealed()) await sealed;
    const target = this.nextRing(change);
    let pending = this.migrations;
    if (pending === undefined || pending.base !== this.router.ring) {
      pending = new PendingMigrations(this.router.ring, this.rejoin.maxTrackedKeys, placementOfWire);
      this.migrations = pending;
    }
    pending.addTarget(target);
    pending.started();
    return { target, pending };
  }

  /**
   * Applies a planned change: new nodes connect first, copies that migrations made and that
   * this client's writes have since made stale are deleted, then the ring swaps in one step;
   * removed nodes close once their calls in flight have finished. Changes apply one at a time.
   */
  apply(change: MembershipChange, swapped?: () => void): Promise<RingChange> {
    const run = this.#changing.then(() => this.#apply(change, swapped));
    this.#changing = run.catch(() => undefined);
    return run;
  }

  async #apply(change: MembershipChange, onSwap: (() => void) | undefined): Promise<RingChange> {
    const resolved = resolveChange(change, new Set(this.#slots.keys()));
    const ring = this.nextRing(change);
    const added = resolved.add.map((address) => this.#createSlot(address));
    let purged: PendingMigrations | undefined;
    try {
      await Promise.all(added.map((slot) => this.#answers(slot)));
      purged = await this.#purgeMigrations(resolved, added);
    } catch (error) {
      await Promise.all(added.map((slot) => slot.node.destroy()));
      throw error;
    }
    const previous = this.router.ring;
    let swapped: RingChange;
    try {
      swapped = this.router.replace(ring);
    } catch (error) {
      // Nothing changed (the ring cannot compute this change): the migrations keep recording.
      purged?.unseal();
      await Promise.all(added.map((slot) => slot.node.destroy()));
      throw error;
    }
    for (const slot of added) {
      this.#slots.set(slot.id, slot);
    }
    // In the same tick as the swap: from now on writes go to the new owners themselves.
    this.migrations = undefined;
    purged?.unseal();
    const windowMs = this.#options.warmupMs;
    this.#warm = windowMs > 0 ? { previous, until: this.#options.clock.now() + windowMs, written: new Set() } : undefined;
    // Failover copies were placed by the ring just replaced: the new one may route their keys to
    // them again while newer values sit elsewhere. Each is deleted, and read as a miss until then.
    for (const [servedBy, wire] of this.guard.copies()) this.deleteOrphan(servedBy, wire);
    for (const [id, weight] of resolved.weights) this.#slots.get(id)?.setWeight(weight);
    const removed = resolved.remove.map((id) => this.#slots.get(id)).filter((slot): slot is NodeSlot => slot !== undefined);
    for (const slot of removed) {
      this.#slots.delete(slot.id);
      this.orphans.forgetNode(slot.id);
    }
    // Before the announcement: a listener of ring:changed sees the epoch of the ring in force.
    onSwap?.();
    this.#events.changed(swapped);
    await Promise.all(
      removed.map(async (slot) => {
        await slot.drain();
        await slot.node.close();
        if (this.health.has(slot.id)) await this.health.remove(slot.id);
      }),
    );
    return swapped;
  }

  /**
   * Before a ring swap: waits until no migration is copying, then deletes at their new owners
   * the copies of keys written since they were copied, while writes to moving keys delete their
   * own copy (and wait for it). Returns the sealed migrations (unsealed by the caller right
   * after the swap), or throws and leaves them recording (nothing was swapped).
   */
  async #purgeMigrations(change: ResolvedChange, added: readonly NodeSlot[]): Promise<PendingMigrations | undefined> {
    const pending = this.migrations;
    if (pending === undefined) return undefined;
    for (let idle = pending.whenIdle(); idle !== undefined; idle = pending.whenIdle()) await idle;
    const fleet = new Map(this.#slots);
    for (const slot of added) fleet.set(slot.id, slot);
    for (const id of change.remove) fleet.delete(id);
    const timeoutMs = this.#options.timeoutMs;
    const recorded = pending.seal((destination, wire, placement) => {
      if (this.#deferPurge(destination, [[wire, placement]])) return undefined;
      const slot = fleet.get(destination);
      return slot?.run('delete', timeoutMs, undefined, () => slot.node.delete(wire)).then(() => undefined);
    });
    try {
      await purgeCopies(pending, recorded, { slot: (id) => fleet.get(id), defer: (id, keys) => this.#deferPurge(id, keys), timeoutMs });
    } catch (error) {
      pending.unseal(recorded);
      throw error;
    }
    return pending;
  }

  /**
   * A destination that is ejected now cannot be purged; with rejoin safety on, its copies are
   * handed to the rejoin guard, which purges them (or flushes the node) before it serves again.
   */
  #deferPurge(id: string, keys: Iterable<readonly [string, string]> | 'overflowed'): boolean {
    if (!this.rejoin.enabled || !this.router.ejected.has(id)) return false;
    if (keys === 'overflowed') this.guard.overflow(id);
    else for (const [wire, placement] of keys) this.guard.record(id, wire, placement, this.router.ring.locate(placement));
    return true;
  }

  /**
   * During warm-up: the node that owned `placement` before the last planned change, when it is
   * still in the fleet and is not `current` (the key's owner now); otherwise undefined.
   */
  previousOwner(placement: string, current: string): NodeSlot | undefined {
    const warm = this.#warm;
    if (warm === undefined) return undefined;
    if (this.#options.clock.now() >= warm.until) {
      this.#warm = undefined;
      return undefined;
    }
    const id = warm.previous.locate(placement);
    return id === current || this.router.ejected.has(id) ? undefined : this.#slots.get(id);
  }

  /**
   * During warm-up: where a miss on `current` may read `wire` instead. Never for a key written
   * or deleted since the change: its old copy is older than that write, and the write's delete
   * of it may have failed or been skipped (the previous owner was ejected at the time).
   */
  warmSource(placement: string, current: string, wire: string): NodeSlot | undefined {
    if (this.#warm === undefined || this.#warm.written.has(wire)) return undefined;
    // Only the key's planned owner is warmed. A failover node is not: the copy would be one the
    // rejoin guard never heard of, served once the owner left again after newer writes (found
    // by the nemesis: a read routed to a failover node missed just as the owner came back, and
    // copied the owner's value there).
    if (this.router.ring.locate(placement) !== current) return undefined;
    return this.previousOwner(placement, current);
  }

  /** During warm-up: `wire` was written or deleted since the change (see `warmSource`). */
  writtenDuringWarmup(wire: string): void {
    const warm = this.#warm;
    if (warm === undefined) return;
    // Past the rejoin bound, warm-up ends early rather than track without limit.
    if (warm.written.size >= this.rejoin.maxTrackedKeys) this.#warm = undefined;
    else warm.written.add(wire);
  }

  get warming(): boolean {
    return this.#warm !== undefined;
  }

  /** The planned ring after `change` (validated against the fleet). */
  nextRing(change: MembershipChange): Ring {
    const resolved = resolveChange(change, new Set(this.#slots.keys()));
    let ring = this.router.ring;
    // Adds first: a change replacing a one-node fleet must never pass through an empty ring.
    for (const address of resolved.add) ring = ring.withNode({ id: address.id, weight: address.weight });
    for (const id of resolved.remove) ring = ring.withoutNode(id);
    if (resolved.weights.size > 0) ring = ring.withWeights(resolved.weights);
    return ring;
  }

  /** A new node must answer a ping within the deadline before the ring includes it (a change waits no longer). */
  #answers(slot: NodeSlot): Promise<void> {
    const { clock, timeoutMs } = this.#options;
    const deadline = new AbortController();
    const cancel = clock.schedule(() => deadline.abort(new TimeoutError(slot.id, 'ping (joining)', timeoutMs)), timeoutMs);
    return abortable(slot.node.ping({ signal: deadline.signal }), deadline.signal).finally(cancel);
  }

  #createSlot(address: NodeAddress): NodeSlot {
    const node = this.#factory(address, { backend: this.#options.backend, options: this.#options });
    const gate = healthGate(this.health.has(address.id) ? this.health.get(address.id) : this.health.add(address.id));
    return new NodeSlot(address, node, { maxInFlight: this.#options.maxInFlight, maxValueBytes: this.#options.maxValueBytes, clock: this.#options.clock, deadlines: this.deadlines, gate });
  }

  #addSlot(address: NodeAddress): void {
    this.#slots.set(address.id, this.#createSlot(address));
  }

  async close(): Promise<void> {
    this.migrations = undefined;
    await this.health.close();
    await Promise.all([...this.#slots.values()].map((slot) => slot.drain()));
    await Promise.all([...this.#slots.values()].map((slot) => slot.node.destroy()));
  }

  async destroy(): Promise<void> {
    this.migrations = undefined;
    await this.health.destroy();
    await Promise.all([...this.#slots.values()].map((slot) => slot.node.destroy()));
  }
}
