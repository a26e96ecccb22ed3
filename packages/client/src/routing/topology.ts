import { HealthRegistry } from '@shardcache/health';
import type { NodeFactory, ResolvedOptions } from '../client-options.js';
import { DeadlineQueue } from '../internal/deadline-queue.js';
import { withHealthOptions } from '../internal/health-options.js';
import { resolveChange, ringAfter, type MembershipChange } from '../membership/membership-change.js';
import { Migrations } from '../migration/migrations.js';
import type { PendingMigrations } from '../migration/pending-migrations.js';
import type { NodeAddress } from '../nodes/node-address.js';
import { Rejoin } from '../rejoin/rejoin.js';
import type { ResolvedRejoin } from '../rejoin/rejoin-guard.js';
import { diff, type Ring, type RingDiff } from '@shardcache/ring';
import { Fleet } from './fleet.js';
import { healthGate } from './health-gate.js';
import type { NodeSlot } from './node-slot.js';
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
 * The wiring of placement: the fleet of node slots, the router (planned ring minus ejected nodes), the health
 * registry, and the two ways the ring changes: health (eject, then restore once the node is stable and purged
 * of what it missed: Rejoin) and planned membership (one swap, after the migrations' purge: Migrations).
 */
export class Topology {
  readonly router: Router;
  readonly health: HealthRegistry;
  readonly deadlines: DeadlineQueue;
  /** Rejoin safety: the records of writes elsewhere, the orphan copies, the purge before a return. */
  readonly rejoin: Rejoin;
  readonly #fleet: Fleet;
  readonly #options: ResolvedOptions;
  readonly #events: TopologyEvents;
  readonly #rejoining = new Set<string>();
  /** After a planned change, the ring before it, consulted on misses for `warmupMs`. */
  readonly warmUp: WarmUp;
  /** Migrations whose copies are not yet safe to serve: every write asks, `apply` purges before it swaps. */
  readonly migrations: Migrations;
  #changing: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: ResolvedOptions, factory: NodeFactory, rejoin: ResolvedRejoin, events: TopologyEvents) {
    this.#options = options;
    this.#events = events;
    this.router = new Router(options.ring, options.failover);
    this.deadlines = new DeadlineQueue(options.clock);
    // A slot's gate is asked for when it is made (the last line), once health exists.
    const fleet = new Fleet(options, factory, this.deadlines, (id) => healthGate(this.health.has(id) ? this.health.get(id) : this.health.add(id)));
    this.#fleet = fleet;
    this.rejoin = new Rejoin(rejoin, options.clock, { router: this.router, slot: (id) => fleet.get(id), ids: () => fleet.ids() }, options.timeoutMs);
    this.warmUp = new WarmUp(options.clock, options.warmupMs, rejoin.maxTrackedKeys);
    this.migrations = new Migrations(rejoin.maxTrackedKeys);
    this.health = withHealthOptions('health.', () => new HealthRegistry({
      ...options.health,
      timeout: options.timeoutMs,
      clock: options.clock,
      // The cap is about this ring: a node health restored is out until rejoin lets it back.
      heldOut: (node) => this.router.ejected.has(node),
      probe: (node, signal) => fleet.probe(node, signal),
    }));
    this.health.on('node:ejected', ({ node, reason }) => this.eject(node, reason));
    this.health.on('node:restored', ({ node }) => void this.rejoinWhenStable(node));
    for (const address of options.nodes) fleet.add(fleet.create(address));
  }

  slot(id: string): NodeSlot | undefined {
    return this.#fleet.get(id);
  }

  get slots(): IterableIterator<NodeSlot> {
    return this.#fleet.slots;
  }

  get addresses(): NodeAddress[] {
    return this.#fleet.addresses;
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
    const resolved = resolveChange(change, new Set(this.#fleet.ids()));
    const temporary = resolved.add.map((address) => this.#fleet.create(address));
    return { slots: this.#fleet.after(temporary), temporary };
  }

  /** Registers a migration of `change` against the planned ring (see Migrations.begin). */
  beginMigration(change: MembershipChange, placementOfWire: (wire: string) => string | undefined): Promise<{ readonly target: Ring; readonly pending: PendingMigrations }> {
    return this.migrations.begin(() => this.router.ring, () => this.nextRing(change), placementOfWire);
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
    const resolved = resolveChange(change, new Set(this.#fleet.ids()));
    const ring = ringAfter(this.router.ring, resolved);
    const added = resolved.add.map((address) => this.#fleet.create(address));
    let purged: PendingMigrations | undefined;
    try {
      await Promise.all(added.map((slot) => this.#fleet.answers(slot)));
      const after = this.#fleet.after(added, resolved.remove);
      purged = await this.migrations.purgeBeforeSwap({ slot: (id) => after.get(id), defer: (id, keys) => this.rejoin.deferPurge(id, keys), timeoutMs: this.#options.timeoutMs });
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
    for (const slot of added) this.#fleet.add(slot);
    // In the same tick as the swap: from now on writes go to the new owners themselves.
    this.migrations.swapped(purged);
    this.warmUp.open(previous);
    this.rejoin.ringReplaced(resolved.remove);
    for (const [id, weight] of resolved.weights) this.#fleet.get(id)?.setWeight(weight);
    const removed = resolved.remove.map((id) => this.#fleet.remove(id)).filter((slot): slot is NodeSlot => slot !== undefined);
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

  /** During warm-up: the node that owned `placement` before the last planned change, when it is still in the fleet, serving, and not `current`. */
  previousOwner(placement: string, current: string): NodeSlot | undefined {
    return this.#serving(this.warmUp.previousOwner(placement, current));
  }

  /** During warm-up: where a miss on `current` may read `wire` instead (see WarmUp). */
  warmSource(placement: string, current: string, wire: string): NodeSlot | undefined {
    return this.#serving(this.warmUp.source(placement, wire, current, this.router.ring.locate(placement)));
  }

  #serving(id: string | undefined): NodeSlot | undefined {
    return id === undefined || this.router.ejected.has(id) ? undefined : this.#fleet.get(id);
  }

  /** The planned ring after `change` (validated against the fleet). */
  nextRing(change: MembershipChange): Ring {
    return ringAfter(this.router.ring, resolveChange(change, new Set(this.#fleet.ids())));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.migrations.close();
    await this.health.close();
    await this.#fleet.close();
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    this.migrations.close();
    await this.health.destroy();
    await this.#fleet.destroy();
  }
}
