import type { Ring } from '@shardcache/ring';

/**
 * Deletes one key's copy at `destination` while a planned change is being applied; the write
 * that caused it resolves only after it. Undefined when nothing needs waiting for (the
 * destination leaves the fleet, or its purge was handed to rejoin safety).
 */
export type SealedPurge = (destination: string, wire: string, placement: string) => Promise<void> | undefined;

/** The keys recorded until a purge: wire key -> placement key, or every copy when tracking overflowed. */
export type RecordedKeys = ReadonlyMap<string, string> | 'overflowed';

/**
 * What this client wrote, since a migration started, to keys whose owner a migrated change
 * would move: the copies the migration made at their new owners may be older, so they are
 * deleted there before the ring swaps (`Topology.apply`). One per planned ring (`base`): every
 * change migrated against it adds its target, and the next ring swap ends them all.
 *
 * Bounded like the rejoin guard: past `maxTrackedKeys` it stops recording and the purge deletes
 * every copy a migration could have made at each destination (a scan) instead.
 *
 * @example
 * const pending = new PendingMigrations(ring, 100_000, (wire) => wire);
 * pending.addTarget(ring.withNode('e:1'));
 * pending.written('user:1', 'user:1'); // recorded if user:1 moves to e:1
 */
export class PendingMigrations {
  /** The planned ring the migrations copied from; they are void once it is replaced. */
  readonly base: Ring;
  /** The placement key of a key as stored (undefined: not this client's), for scans. */
  readonly placementOfWire: (wire: string) => string | undefined;
  readonly #max: number;
  /** Target rings by node list, so migrating one change again adds nothing. */
  readonly #targets = new Map<string, Ring>();
  #keys = new Map<string, string>();
  #overflowed = false;
  #running = 0;
  #idle: (() => void)[] = [];
  #sealed: SealedPurge | undefined;
  #unsealed: (() => void)[] = [];

  constructor(base: Ring, maxTrackedKeys: number, placementOfWire: (wire: string) => string | undefined) {
    this.base = base;
    this.#max = maxTrackedKeys;
    this.placementOfWire = placementOfWire;
  }

  addTarget(target: Ring): void {
    const id = target.nodes.map((node) => `${node.id}\u0000${node.weight}`).join('\u0001');
    if (!this.#targets.has(id)) this.#targets.set(id, target);
  }

  get targets(): Iterable<Ring> {
    return this.#targets.values();
  }

  /**
   * Called for every write, delete, counter or touch before it is sent. Records the key when a
   * pending change moves it; while the change is being applied (sealed), also deletes the key's
   * copy at its new owner and returns that delete, which the write waits for.
   */
  written(wire: string, placement: string): Promise<void> | undefined {
    const from = this.base.locate(placement);
    let purge: Promise<void> | undefined;
    for (const target of this.#targets.values()) {
      const to = target.locate(placement);
      if (to === from) continue;
      this.#record(wire, placement);
      const sealed = this.#sealed?.(to, wire, placement);
      if (sealed !== undefined) purge = purge === undefined ? sealed : Promise.all([purge, sealed]).then(() => undefined);
    }
    return purge;
  }

  /** Keys recorded (Infinity once overflowed), for stats. */
  get tracked(): number {
    return this.#overflowed ? Infinity : this.#keys.size;
  }

  /** A migration starts copying; `finished` must follow. */
  started(): void {
    this.#running++;
  }

  finished(): void {
    if (--this.#running === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  /** Resolves when no migration is copying; undefined when none is now. */
  whenIdle(): Promise<void> | undefined {
    return this.#running === 0 ? undefined : new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Resolves when the purge before a ring swap is over; undefined when none is running. */
  whenUnsealed(): Promise<void> | undefined {
    return this.#sealed === undefined ? undefined : new Promise((resolve) => this.#unsealed.push(resolve));
  }

  /**
   * Starts the purge before a ring swap (no migration may be copying): from now on writes to
   * moving keys delete their copy through `purge`. Returns the keys recorded so far and starts
   * a fresh record.
   */
  seal(purge: SealedPurge): RecordedKeys {
    this.#sealed = purge;
    const recorded: RecordedKeys = this.#overflowed ? 'overflowed' : this.#keys;
    this.#keys = new Map();
    return recorded;
  }

  /** Ends the purge. After a failed one, `unpurged` goes back into the record (it still needs purging). */
  unseal(unpurged?: RecordedKeys): void {
    this.#sealed = undefined;
    if (unpurged === 'overflowed') this.#overflow();
    else if (unpurged !== undefined) for (const [wire, placement] of unpurged) this.#record(wire, placement);
    for (const wake of this.#unsealed.splice(0)) wake();
  }

  #record(wire: string, placement: string): void {
    if (this.#overflowed) return;
    this.#keys.set(wire, placement);
    if (this.#keys.size > this.#max) this.#overflow();
  }

  #overflow(): void {
    this.#overflowed = true;
    this.#keys = new Map();
  }
}
