import { diff, type Ring, type RingDiff } from '@shardcache/ring';
import { InvalidOptionError, NodeUnavailableError } from '../errors.js';

/**
 * What happens to a node's keys while it is ejected:
 * - `'rebuild'`: the ring is rebuilt from the live nodes (twemproxy's auto_eject_hosts); with
 *   unequal weights, or on twemproxy-compatible rings, some keys of surviving nodes move too.
 * - `'next'`: only the ejected node's keys move, each to the next live node on the ring.
 * - `'fail'`: nothing moves; reads of its keys miss and writes fail with ERR_NODE_UNAVAILABLE.
 */
export type FailoverPolicy = 'rebuild' | 'next' | 'fail';

export const FAILOVER_POLICIES: readonly FailoverPolicy[] = ['rebuild', 'next', 'fail'];

/** A change of the effective ring, as `ring:changed` reports it. */
export interface RingChange {
  readonly reason: 'ejected' | 'restored' | 'membership';
  readonly node: string | undefined;
  readonly diff: RingDiff;
}

/** A read whose key's owner is out under the `fail` policy: a miss, with nothing sent. */
export const MISS: unique symbol = Symbol('miss');

/**
 * Where a call of one key goes: the id of the node that serves it now; for a read, `MISS`; or
 * the error to fail it with (its owner, and why no node serves it).
 */
export type Route = string | typeof MISS | NodeUnavailableError;

/**
 * Places keys on nodes: the planned ring (membership) minus the nodes health has ejected,
 * according to the failover policy. Rings are immutable values, so a change is one reference
 * swap and a call in flight keeps the ring it started with.
 */
export class Router {
  readonly #policy: FailoverPolicy;
  #planned: Ring;
  /** The ring keys are placed on under `rebuild`; undefined when every node is ejected. */
  #live: Ring | undefined;
  #ejected: ReadonlySet<string> = new Set<string>();

  constructor(ring: Ring, policy: FailoverPolicy) {
    this.#planned = ring;
    this.#live = ring;
    this.#policy = policy;
  }

  get ring(): Ring {
    return this.#planned;
  }

  get policy(): FailoverPolicy {
    return this.#policy;
  }

  get ejected(): ReadonlySet<string> {
    return this.#ejected;
  }

  /** The node that serves `placement` now, or undefined when its owner is out (and the policy is `fail`) or no node is left. */
  route(placement: string): string | undefined {
    if (this.#ejected.size === 0) return this.#planned.locate(placement);
    switch (this.#policy) {
      case 'rebuild':
        return this.#live?.locate(placement);
      case 'fail': {
        const owner = this.#planned.locate(placement);
        return this.#ejected.has(owner) ? undefined : owner;
      }
      case 'next': {
        const owner = this.#planned.locate(placement);
        if (!this.#ejected.has(owner)) return owner;
        return this.#planned.locateN(placement, this.#planned.nodes.length).find((id) => !this.#ejected.has(id));
      }
    }
  }

  /**
   * The nodes that miss a write of `placement` served by `servedBy` while nodes are out, and
   * could serve the key again once health restores them: its planned owner, and each ejected
   * node that would take it ahead of `servedBy` (under `next`, those before it in the key's
   * chain; under `rebuild`, any ejected node, since a restore rebuilds the ring). A write its
   * planned owner serves misses nobody (rings whose ejections move keys between surviving
   * nodes, such as modula, break this under `rebuild`: see the model checker's known failures).
   */
  missedBy(placement: string, servedBy: string): string[] {
    const owner = this.#planned.locate(placement);
    if (owner === servedBy) return [];
    const missed = [owner];
    if (this.#policy === 'rebuild') {
      for (const id of this.#ejected) if (id !== owner) missed.push(id);
    } else if (this.#policy === 'next') {
      for (const id of this.#planned.locateN(placement, this.#planned.nodes.length)) {
        if (id === servedBy) break;
        if (id !== owner && this.#ejected.has(id)) missed.push(id);
      }
    }
    return missed;
  }

  /**
   * Where a read of `placement` goes: its node, `MISS` when its owner is out under `fail` (no
   * write can have gone elsewhere, so there is nothing newer to find), or unavailable when no
   * node is left at all.
   */
  read(placement: string): Route {
    const id = this.route(placement);
    if (id !== undefined) return id;
    return this.#policy === 'fail' ? MISS : this.#unavailable(placement);
  }

  /** Where a write of `placement` goes: its node, or the error to fail it with. */
  write(placement: string): string | NodeUnavailableError {
    return this.route(placement) ?? this.#unavailable(placement);
  }

  #unavailable(placement: string): NodeUnavailableError {
    const reason = this.#policy === 'fail' ? 'ejected, and the failover policy is "fail"' : 'every node is ejected';
    return new NodeUnavailableError(this.#planned.nodes.length === 0 ? undefined : this.#planned.locate(placement), reason);
  }

  eject(id: string): RingChange | undefined {
    if (!this.#planned.has(id) || this.#ejected.has(id)) return undefined;
    return this.#change('ejected', id, this.#planned, new Set([...this.#ejected, id]));
  }

  restore(id: string): RingChange | undefined {
    if (!this.#ejected.has(id)) return undefined;
    const ejected = new Set(this.#ejected);
    ejected.delete(id);
    return this.#change('restored', id, this.#planned, ejected);
  }

  /** Swaps in a new planned ring (nodes joined, left or changed weight). */
  replace(ring: Ring): RingChange {
    return this.#change('membership', undefined, ring, new Set([...this.#ejected].filter((id) => ring.has(id))));
  }

  /**
   * Everything is computed before anything is assigned: a diff the ring cannot compute throws
   * with the router as it was. Only `rebuild` places keys on a ring without the ejected nodes;
   * `next` and `fail` route on the planned ring, so any ring serves them, even one that cannot
   * remove a node (jump): their diff is then the ejected nodes' share, inexact.
   */
  #change(reason: RingChange['reason'], node: string | undefined, planned: Ring, ejected: ReadonlySet<string>): RingChange {
    if (this.#policy !== 'rebuild') {
      const change: RingChange = { reason, node, diff: this.#routedDiff(planned, ejected) };
      this.#planned = planned;
      this.#ejected = ejected;
      return change;
    }
    const live = withoutEjected(planned, ejected);
    const change: RingChange = { reason, node, diff: diffOrAll(this.#live, live) };
    this.#planned = planned;
    this.#ejected = ejected;
    this.#live = live;
    return change;
  }

  /**
   * What moves under `next` or `fail` when the planned ring or the ejected set changes. A planned
   * change is the rings' own diff. An ejection or restore under `fail` moves nothing (the node's
   * keys miss); under `next` exactly the node's own keys move (its share), to the nodes after it
   * in their chains: on a continuum (ketama) those are the rebuilt ring's flows, and the rebuild
   * diff is used when it moves no other key; on other rings (modula, maglev) a rebuild would
   * move survivors' keys too, so only the share is announced (`exact: false`, no flows).
   */
  #routedDiff(planned: Ring, ejected: ReadonlySet<string>): RingDiff {
    const before = this.#planned;
    if (planned !== before) return this.#policy === 'fail' ? diff(before, planned) : diffOrAll(this.#withoutSome(before, this.#ejected), this.#withoutSome(planned, ejected));
    const changed = [...ejected].filter((id) => !this.#ejected.has(id)).concat([...this.#ejected].filter((id) => !ejected.has(id)));
    if (this.#policy === 'fail') return { moved: 0, flows: [], added: [], removed: [], exact: true };
    const share = changed.reduce((sum, id) => sum + planned.shareOf(id), 0);
    try {
      const rebuilt = diffOrAll(withoutEjected(before, this.#ejected), withoutEjected(planned, ejected));
      if (Math.abs(rebuilt.moved - share) < 1e-9) return rebuilt;
    } catch {
      // A ring that cannot remove these nodes (jump): the share alone.
    }
    return { moved: share, flows: [], added: [], removed: [], exact: false };
  }

  /** `ring` without the `ejected` it can remove, for a planned change's diff (jump removes only its last bucket). */
  #withoutSome(ring: Ring, ejected: ReadonlySet<string>): Ring | undefined {
    try {
      return withoutEjected(ring, ejected);
    } catch {
      return ring;
    }
  }
}

/**
 * Refuses `rebuild` over a ring that cannot place keys without a node (jump removes only its
 * last bucket): the first ejection would have no ring to route on.
 */
export function assertRebuildable(ring: Ring, policy: FailoverPolicy): void {
  // The first node is never the last one: a ring that removes only its last bucket refuses it.
  const first = ring.nodes[0];
  if (policy !== 'rebuild' || first === undefined || ring.nodes.length < 2) return;
  try {
    ring.withoutNode(first.id);
  } catch (error) {
    throw new InvalidOptionError('failover', `"rebuild" needs a ring that can remove any node; this ${ring.algorithm} ring cannot remove "${first.id}" (${error instanceof Error ? error.message : String(error)}): use "next" or "fail"`);
  }
}

function withoutEjected(ring: Ring, ejected: ReadonlySet<string>): Ring | undefined {
  let live: Ring = ring;
  for (const id of ejected) {
    if (live.nodes.length === 1) return undefined;
    live = live.withoutNode(id);
  }
  return live;
}

function diffOrAll(before: Ring | undefined, after: Ring | undefined): RingDiff {
  if (before !== undefined && after !== undefined) return diff(before, after);
  const ids = (before ?? after)?.nodes.map((node) => node.id) ?? [];
  return { moved: 1, flows: [], added: before === undefined ? ids : [], removed: after === undefined ? ids : [], exact: true };
}
