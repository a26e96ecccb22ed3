import type { Ring } from '@shardcache/ring';
import { PendingMigrations } from './pending-migrations.js';
import { purgeCopies, type CopyDestinations } from './purge-copies.js';

/**
 * The migrations against the planned ring in force: none, or one `PendingMigrations` that every
 * write asks (`current`). `begin` registers a migration; `purgeBeforeSwap` and `swapped` bracket
 * a ring swap, after which the copies the migrations made are the new owners' own.
 */
export class Migrations {
  readonly #maxTrackedKeys: number;
  #pending: PendingMigrations | undefined;

  constructor(maxTrackedKeys: number) {
    this.#maxTrackedKeys = maxTrackedKeys;
  }

  /** Undefined unless a migration ran since the last planned change (one check per write). */
  get current(): PendingMigrations | undefined {
    return this.#pending;
  }

  /**
   * Registers a migration to `target()` from `base()` (both read after any purge before a ring
   * swap has ended, so it never copies into a ring about to be replaced). Writes are recorded
   * from here until the next swap; call `pending.finished()` when the migration stops copying.
   */
  async begin(base: () => Ring, target: () => Ring, placementOfWire: (wire: string) => string | undefined): Promise<{ readonly target: Ring; readonly pending: PendingMigrations }> {
    for (let sealed = this.#pending?.whenUnsealed(); sealed !== undefined; sealed = this.#pending?.whenUnsealed()) await sealed;
    const ring = base();
    const next = target();
    let pending = this.#pending;
    if (pending === undefined || pending.base !== ring) {
      pending = new PendingMigrations(ring, this.#maxTrackedKeys, placementOfWire);
      this.#pending = pending;
    }
    pending.addTarget(next);
    pending.started();
    return { target: next, pending };
  }

  /**
   * Before a ring swap: waits until no migration is copying, then deletes at their new owners
   * the copies of keys written since they were copied, while writes to moving keys delete their
   * own copy (and wait for it). Returns the sealed migrations (for `swapped`, in the tick of the
   * swap), or throws and leaves them recording (nothing was swapped).
   */
  async purgeBeforeSwap(destinations: CopyDestinations): Promise<PendingMigrations | undefined> {
    const pending = this.#pending;
    if (pending === undefined) return undefined;
    for (let idle = pending.whenIdle(); idle !== undefined; idle = pending.whenIdle()) await idle;
    const { timeoutMs } = destinations;
    const recorded = pending.seal((destination, wire, placement) => {
      if (destinations.defer(destination, [[wire, placement]])) return undefined;
      const slot = destinations.slot(destination);
      return slot?.run('delete', timeoutMs, undefined, () => slot.node.delete(wire)).then(() => undefined);
    });
    try {
      await purgeCopies(pending, recorded, destinations);
    } catch (error) {
      pending.unseal(recorded);
      throw error;
    }
    return pending;
  }

  /** In the tick of the swap: from now on writes go to the new owners themselves. */
  swapped(purged: PendingMigrations | undefined): void {
    this.#pending = undefined;
    purged?.unseal();
  }

  /** The client closes: nothing is recorded any more. */
  close(): void {
    this.#pending = undefined;
  }
}
