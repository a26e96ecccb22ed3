import type { RoutedKey } from '../keyspace/key-rules.js';
import type { Ttl } from '../nodes/cache-node.js';
import type { Migrations } from '../migration/migrations.js';
import type { Rejoin } from '../rejoin/rejoin.js';
import type { NodeSlot } from '../routing/node-slot.js';
import type { Router } from '../routing/router.js';
import type { WarmUp } from '../routing/warm-up.js';

/** What the rules read: the placement state a write or read is judged against. */
export interface RuleSources {
  readonly router: Router;
  readonly rejoin: Rejoin;
  readonly migrations: Migrations;
  readonly warmUp: WarmUp;
  /** During warm-up: the key's previous owner, when it is serving and not `current`. */
  previousOwner(placement: string, current: string): NodeSlot | undefined;
}

/**
 * What a write must do besides itself, as `beforeWrite` decided it: the TTL to send (capped),
 * a purge to wait for, and a stale copy it replaces. Undefined when nothing applies.
 */
export interface WriteEffects {
  readonly wire: string;
  readonly ttl: Ttl;
  /** Deletes of the key's copies at a migration's new owners, made while a change is being applied. */
  readonly purge: Promise<void> | undefined;
  /** The orphan-copy mark when the write was sent, if it replaces a stale failover copy at its node. */
  readonly replacesSince: number | undefined;
}

/**
 * Every rule a call obeys at the node it was routed to, decided here once for every call
 * (get, gets, getMany, store, modify, setMany, deleteMany): what a write must also do, and
 * whether a read may be served. The rules themselves live with their state (Migrations, WarmUp,
 * Rejoin, Router); this is where a call asks which apply.
 */
export class CallRules {
  readonly #sources: RuleSources;
  readonly #timeoutMs: number;

  constructor(sources: RuleSources, timeoutMs: number) {
    this.#sources = sources;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Every consequence of a write or delete of `routed` about to go to `slot`, in the same tick
   * as its send. While a migrated change is pending, a key it moves is recorded, so its copy at
   * the new owner is deleted before the ring swaps (during the swap's purge the write deletes
   * it itself, and waits: `purge`). During warm-up, the key's copy at its previous owner is
   * deleted (it could be read again later). While nodes are out, a write away from its key's
   * planned owner is remembered for every node that misses it (the owner, and ejected nodes
   * ahead in its failover chain), so each is purged of the key before it serves it again, and
   * its TTL is capped by `failoverTtl`. A write replacing a stale failover copy at `slot` ends
   * its record once it succeeds. Undefined (nothing to do) in the steady state.
   */
  beforeWrite(routed: RoutedKey, slot: NodeSlot, ttl: Ttl): WriteEffects | undefined {
    if (this.#steady()) return undefined;
    const { migrations, warmUp, router, rejoin } = this.#sources;
    const { orphans } = rejoin;
    const pending = migrations.current;
    const { wire, placement } = routed;
    const purge = pending?.written(wire, placement);
    if (warmUp.active) {
      warmUp.written(wire);
      const previous = this.#sources.previousOwner(placement, slot.id);
      if (previous !== undefined) void previous.run('delete', this.#timeoutMs, undefined, () => previous.node.delete(wire)).catch(() => undefined);
    }
    const capped = router.ejected.size === 0 ? ttl : this.#elsewhere(routed, slot, ttl);
    const replacesSince = orphans.size !== 0 && orphans.has(slot.id, wire) ? orphans.mark() : undefined;
    if (purge === undefined && replacesSince === undefined && capped === ttl) return undefined;
    return { wire, ttl: capped, purge, replacesSince };
  }

  /** `beforeWrite` for each of a node's batch (`ttl(at)`: the TTL asked for the key at `at`); undefined when none has anything to do. */
  beforeWrites(keys: readonly RoutedKey[], slot: NodeSlot, ttl: (at: number) => Ttl): readonly (WriteEffects | undefined)[] | undefined {
    if (this.#steady()) return undefined;
    let effects: (WriteEffects | undefined)[] | undefined;
    keys.forEach((key, at) => {
      const effect = this.beforeWrite(key, slot, ttl(at));
      if (effect !== undefined) (effects ??= new Array<WriteEffects | undefined>(keys.length))[at] = effect;
    });
    return effects;
  }

  /**
   * The caller's promise for a write sent with `effects` (one, a node's batch, or none): the
   * write's own result, once its purges are done too (a failed purge fails the write), and a
   * success ends the records of the stale copies it replaced.
   */
  afterWrite<T>(slot: NodeSlot, result: Promise<T>, effects: WriteEffects | readonly (WriteEffects | undefined)[] | undefined): Promise<T> {
    if (effects === undefined) return result;
    const all = Array.isArray(effects) ? (effects as readonly (WriteEffects | undefined)[]) : [effects as WriteEffects];
    let purges: Promise<void>[] | undefined;
    let replaces = false;
    for (const effect of all) {
      if (effect?.purge !== undefined) (purges ??= []).push(effect.purge);
      if (effect?.replacesSince !== undefined) replaces = true;
    }
    if (replaces) {
      const { orphans } = this.#sources.rejoin;
      result.then(() => {
        for (const effect of all) if (effect?.replacesSince !== undefined) orphans.ended(slot.id, effect.wire, effect.replacesSince);
      }, () => undefined);
    }
    return purges === undefined ? result : Promise.all([result, Promise.all(purges)]).then(([value]) => value);
  }

  /**
   * Refuses a read of `wire` on `slot` (true) when the node may hold a stale failover copy of
   * it, and then tries that copy's delete again (see Rejoin.orphaned): not a pure query. One
   * check when there are no stale copies.
   */
  refusesRead(slot: NodeSlot, wire: string): boolean {
    return this.#sources.rejoin.orphaned(slot, wire);
  }

  /** `refusesRead` for a multi-get's keys: the positions refused, or undefined when none is. */
  refusesReads(slot: NodeSlot, wires: readonly string[]): Set<number> | undefined {
    if (this.#sources.rejoin.orphans.size === 0) return undefined;
    let refused: Set<number> | undefined;
    wires.forEach((wire, at) => {
      if (this.refusesRead(slot, wire)) (refused ??= new Set()).add(at);
    });
    return refused;
  }

  /**
   * Whether a value read from `slot` may be served when its reply comes: not when a stale copy
   * of `wire` became known there meanwhile (a return's hand-over in between). Its delete is
   * already on its way, so nothing is sent again.
   */
  mayServe(slot: NodeSlot, wire: string): boolean {
    const { orphans } = this.#sources.rejoin;
    return orphans.size === 0 || !orphans.has(slot.id, wire);
  }

  /** Nothing for a write to do besides itself: no pending migration, no warm-up, no node out, no stale copy. One check each. */
  #steady(): boolean {
    const { migrations, warmUp, router, rejoin } = this.#sources;
    return migrations.current === undefined && !warmUp.active && router.ejected.size === 0 && rejoin.orphans.size === 0;
  }

  /** Rejoin records and the TTL cap for a write `slot` serves while nodes are out. */
  #elsewhere(routed: RoutedKey, slot: NodeSlot, ttl: Ttl): Ttl {
    const { router, rejoin } = this.#sources;
    const missed = router.missedBy(routed.placement, slot.id);
    if (missed.length === 0) return ttl;
    rejoin.wroteElsewhere(missed, routed.wire, routed.placement, slot.id);
    const cap = rejoin.settings.failoverTtl;
    return cap === null || (ttl !== null && ttl <= cap) ? ttl : cap;
  }
}
