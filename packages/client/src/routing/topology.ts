import { HealthRegistry } from '@shardcache/health';
import type { NodeFactory, ResolvedOptions } from '../client-options.js';
import { NodeUnavailableError, TimeoutError } from '../errors.js';
import { abortable } from '../internal/abortable.js';
import { DeadlineQueue } from '../internal/deadline-queue.js';
import { resolveChange, type MembershipChange, type ResolvedChange } from '../membership/membership-change.js';
import { PendingMigrations } from '../migration/pending-migrations.js';
import { purgeCopies } from '../migration/purge-copies.js';
import type { NodeAddress } from '../nodes/node-address.js';
import { Rejoin } from '../rejoin/rejoin.js';
import type { ResolvedRejoin } from '../rejoin/rejoin-guard.js';
import { diff, type Ring, type RingDiff } from '@shardcache/ring';
import { healthGate } from './health-gate.js';
import { NodeSlot } from './node-slot.js';
import { Router, type RingChange } from './router.js';
import { WarmUp } from './warm-up.js';

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
  /** Rejoin safety: the records of writes elsewhere, the orphan copies, the purge before a return. */
  readonly rejoin: Rejoin;
  readonly #slots = new Map<string, NodeSlot>();
  readonly #options: ResolvedOptions;
  readonly #factory: NodeFactory;
  readonly #events: TopologyEvents;
  readonly #rejoining = new Set<string>();
  /** After a planned change, the ring before it, consulted on misses for `warmupMs`. */
  readonly warmUp: WarmUp;
  /**
   * Migrations whose copies are not yet safe to serve: every write checks this field (undefined
   * unless a migration ran since the last planned change), and `apply` purges before it swaps.
   */
  migrations: PendingMigrations | undefined;
  #changing: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ResolvedOptions, factory: NodeFactory, rejoin: ResolvedRejoin, events: TopologyEvents) {
    this.#options = options;
    this.#factory = factory;
    this.#events = events;
    this.router = new Router(options.ring, options.failover);
    this.rejoin = new Rejoin(rejoin, options.clock, { router: this.router, slot: (id) => this.#slots.get(id), ids: () => this.#slots.keys() }, options.timeoutMs);
    this.warmUp = new WarmUp(options.clock, options.warmupMs, rejoin.maxTrackedKeys);
    this.deadlines = new DeadlineQueue(options.clock);
    this.health = new HealthRegistry({
      ...options.health,
      timeout: options.timeoutMs,
      clock: options.clock,
      // The cap is about this ring: a node health restored is out until rejoin lets it back.
      heldOut: (node) => this.router.ejected.has(node),
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
   * the hand-over of what is still missed (see Rejoin.purgeThen), so no read can reach a value
   * older than this client's last write.
   */
  async restore(node: string): Promise<void> {
    if (!this.router.ejected.has(node) || this.#rejoining.has(node)) return;
    this.#rejoining.add(node);
    try {
      const swap = (): RingChange | undefined => this.router.restore(node);
      const change = this.rejoin.settings.enabled ? await this.rejoin.purgeThen(node, swap) : swap();
      if (change === undefined) return;
      this.#events.restored(node);
      this.#events.changed(change);
    } finally {
      this.#rejoining.delete(node);
    }
  }

  /** Health says the node is back: restore it once it has stayed healthy for `stableMs`. */
  rejoinWhenStable(node: string): Promise<void> {
    const { stableMs } = this.rejoin.settings;
    if (stableMs === 0) return this.#restoreReporting(node);
    return new Promise((resolve) => {
      this.#options.clock.schedule(() => {
        if (this.#healthUp(node)) void this.#restoreReporting(node).then(resolve);
        else resolve();
      }, stableMs);
    });
  }

  /**
   * A restore that fails (its purge could not reach a node) is tried again after a pause, while
   * the node is still out and health still finds it up: nothing else would bring it back, since
   * a node out of the ring takes no calls, so it never fails again and health never announces it
   * again. Found by the nemesis (redis): two nodes stayed out for 170 s, and the ejection cap,
   * full with them, kept every failing node in the ring.
   */
  async #restoreReporting(node: string): Promise<void> {
    try {
      await this.restore(node);
    } catch (error) {
      this.#events.error(node, error);
      if (this.#closed) return;
      this.#options.clock.schedule(() => {
        if (!this.#closed && this.router.ejected.has(node) && this.#healthUp(node)) void this.#restoreReporting(node);
      }, Math.max(this.rejoin.settings.stableMs, this.#options.timeoutMs));
    }
  }

  #healthUp(node: string): boolean {
    return this.health.has(node) && this.health.get(node).state === 'up';
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
      pending = new PendingMigrations(this.router.ring, this.rejoin.settings.maxTrackedKeys, placementOfWire);
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
    this.warmUp.open(previous);
    this.rejoin.ringReplaced(resolved.remove);
    for (const [id, weight] of resolved.weights) this.#slots.get(id)?.setWeight(weight);
    const removed = resolved.remove.map((id) => this.#slots.get(id)).filter((slot): slot is NodeSlot => slot !== undefined);
    for (const slot of removed) this.#slots.delete(slot.id);
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
      if (this.rejoin.deferPurge(destination, [[wire, placement]])) return undefined;
      const slot = fleet.get(destination);
      return slot?.run('delete', timeoutMs, undefined, () => slot.node.delete(wire)).then(() => undefined);
    });
    try {
      await purgeCopies(pending, recorded, { slot: (id) => fleet.get(id), defer: (id, keys) => this.rejoin.deferPurge(id, keys), timeoutMs });
    } catch (error) {
      pending.unseal(recorded);
      throw error;
    }
    return pending;
  }

  /** During warm-up: the node that owned `placement` before the last planned change, when it is still in the fleet, serving, and not `current`. */
  previousOwner(placement: string, current: string): NodeSlot | undefined {
    return this.#serving(this.warmUp.previousOwner(placement, current));
  }

  /** During warm-up: where a miss on `current` may read `wire` instead (see WarmUp). */
  warmSource(placement: string, current: string, wire: string): NodeSlot | undefined {
    return this.#serving(this.warmUp.source(placement, wire, current, this.router.ring.locate(placement)));
  }

  #serving(id: string | undefined): NodeSlot | undefined {
    return id === undefined || this.router.ejected.has(id) ? undefined : this.#slots.get(id);
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
    this.#closed = true;
    this.migrations = undefined;
    await this.health.close();
    await Promise.all([...this.#slots.values()].map((slot) => slot.drain()));
    await Promise.all([...this.#slots.values()].map((slot) => slot.node.destroy()));
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    this.migrations = undefined;
    await this.health.destroy();
    await Promise.all([...this.#slots.values()].map((slot) => slot.node.destroy()));
  }
}
