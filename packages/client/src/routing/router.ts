import { diff, type Ring, type RingDiff } from '@shardcache/ring';

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
  readonly #ejected = new Set<string>();

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

  /** The planned owner of `placement`, ejected or not (for error messages). */
  owner(placement: string): string {
    return this.#planned.locate(placement);
  }

  eject(id: string): RingChange | undefined {
    if (!this.#planned.has(id) || this.#ejected.has(id)) return undefined;
    return this.#change('ejected', id, () => this.#ejected.add(id));
  }

  restore(id: string): RingChange | undefined {
    if (!this.#ejected.has(id)) return undefined;
    return this.#change('restored', id, () => this.#ejected.delete(id));
  }

  /** Swaps in a new planned ring (nodes joined, left or changed weight). */
  replace(ring: Ring): RingChange {
    return this.#change('membership', undefined, () => {
      this.#planned = ring;
      for (const id of this.#ejected) if (!ring.has(id)) this.#ejected.delete(id);
    });
  }

  #change(reason: RingChange['reason'], node: string | undefined, apply: () => void): RingChange {
    const before = this.#effective();
    apply();
    this.#live = this.#withoutEjected(this.#planned);
    const after = this.#effective();
    return { reason, node, diff: diffOrAll(before, after) };
  }

  /** The ring whose arcs describe where keys go now (the `fail` policy moves nothing). */
  #effective(): Ring | undefined {
    return this.#policy === 'fail' ? this.#planned : this.#live;
  }

  #withoutEjected(ring: Ring): Ring | undefined {
    let live: Ring = ring;
    for (const id of this.#ejected) {
      if (live.nodes.length === 1) return undefined;
      live = live.withoutNode(id);
    }
    return live;
  }
}

function diffOrAll(before: Ring | undefined, after: Ring | undefined): RingDiff {
  if (before !== undefined && after !== undefined) return diff(before, after);
  const ids = (before ?? after)?.nodes.map((node) => node.id) ?? [];
  return { moved: 1, flows: [], added: before === undefined ? ids : [], removed: after === undefined ? ids : [], exact: true };
}
