import type { MembershipStatus } from '../membership/membership-source.js';
import type { PendingView } from '../membership/membership-follower.js';
import type { Topology } from '../routing/topology.js';
import type { NodeStatsSnapshot } from './node-stats.js';

/** A `client.stats` snapshot. */
export interface ClientStats {
  /** `maxValueBytes`: the limit writes to the node are held to (the option, or the server's setting when lower and known). */
  readonly nodes: Readonly<Record<string, NodeStatsSnapshot & { readonly ejected: boolean; readonly maxValueBytes: number }>>;
  readonly total: { readonly calls: number; readonly hits: number; readonly misses: number; readonly errors: number; readonly timeouts: number; readonly inFlight: number };
  /**
   * The planned-membership epoch whose ring is in force, where membership comes from, and a
   * newer view still waiting to apply (its epoch, failed attempts, and why), if any; `state` is
   * `alone` while the source is out of reach (`reason` says why), else `following`.
   */
  readonly membership: { readonly epoch: number; readonly source: string; readonly pending: PendingView | undefined } & MembershipStatus;
  /** Keys each node missed while it (or their owner) was out, waiting to be purged (Infinity: overflowed). */
  readonly rejoinTracked: Readonly<Record<string, number>>;
  /** Warm-up after the last planned change: still on, and reads served from previous owners. */
  readonly warmup: { readonly active: boolean; readonly hits: number };
  /**
   * A migration ran since the last planned change (`pending`), and how many keys written since
   * it started will be purged from their new owners before the next change swaps the ring
   * (Infinity: too many to list, the new owners are scanned instead).
   */
  readonly migration: { readonly pending: boolean; readonly tracked: number };
}

/** The snapshot of `topology`'s nodes and state, with the client's membership as given. */
export function clientStats(topology: Topology, membership: ClientStats['membership']): ClientStats {
  const nodes: Record<string, NodeStatsSnapshot & { ejected: boolean; maxValueBytes: number }> = {};
  const total = { calls: 0, hits: 0, misses: 0, errors: 0, timeouts: 0, inFlight: 0 };
  const health = new Map(topology.health.stats.nodes.map((node) => [node.node, node]));
  for (const slot of topology.slots) {
    const snapshot = slot.stats.snapshot(health.get(slot.id) ?? { p50Ms: undefined, p99Ms: undefined });
    nodes[slot.id] = { ...snapshot, ejected: topology.router.ejected.has(slot.id), maxValueBytes: slot.maxValueBytes };
    total.calls += snapshot.calls;
    total.hits += snapshot.hits;
    total.misses += snapshot.misses;
    total.errors += Object.values(snapshot.errors).reduce((sum, count) => sum + count, 0);
    total.timeouts += snapshot.timeouts;
    total.inFlight += snapshot.inFlight;
  }
  const { migrations, warmUp, rejoin } = topology;
  return {
    nodes,
    total,
    membership,
    rejoinTracked: rejoin.tracked,
    warmup: { active: warmUp.active, hits: warmUp.hits },
    migration: { pending: migrations.current !== undefined, tracked: migrations.current?.tracked ?? 0 },
  };
}
