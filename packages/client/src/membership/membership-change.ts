import type { Ring } from '@shardcache/ring';
import { InvalidOptionError } from '../errors.js';
import { parseNodeList, parseNodeSpec, type NodeAddress, type NodeSpec } from '../nodes/node-address.js';

/**
 * A planned change of the fleet: nodes to add, node ids to remove, new weights. Applied in one
 * step (one ring swap), previewed with `client.previewChange(change)`.
 *
 * @example
 * const change: MembershipChange = { add: ['10.0.0.9:6379'], remove: ['10.0.0.1:6379'], weights: { '10.0.0.2:6379': 2 } };
 */
export interface MembershipChange {
  readonly add?: readonly NodeSpec[];
  readonly remove?: readonly string[];
  readonly weights?: Readonly<Record<string, number>>;
}

/** A change checked against the current fleet. */
export interface ResolvedChange {
  readonly add: readonly NodeAddress[];
  readonly remove: readonly string[];
  readonly weights: ReadonlyMap<string, number>;
}

/** The ring `ring` becomes under a resolved change. */
export function ringAfter(ring: Ring, change: ResolvedChange): Ring {
  let next = ring;
  // Adds first: a change replacing a one-node fleet must never pass through an empty ring.
  for (const address of change.add) next = next.withNode({ id: address.id, weight: address.weight });
  for (const id of change.remove) next = next.withoutNode(id);
  if (change.weights.size > 0) next = next.withWeights(change.weights);
  return next;
}

/** Validates `change` against the current node ids (the one place it is narrowed). */
export function resolveChange(change: MembershipChange, current: ReadonlySet<string>): ResolvedChange {
  if (typeof change !== 'object' || change === null) throw new InvalidOptionError('change', 'expected { add?, remove?, weights? }');
  const add = change.add === undefined ? [] : change.add.map((spec, index) => parseNodeSpec(spec, `change.add[${index}]`));
  const remove = [...(change.remove ?? [])];
  const weights = new Map(Object.entries(change.weights ?? {}));
  const after = new Set(current);
  remove.forEach((id, index) => {
    if (!after.delete(id)) throw new InvalidOptionError(`change.remove[${index}]`, `no node "${id}" in the fleet`);
  });
  add.forEach((node, index) => {
    if (after.has(node.id)) throw new InvalidOptionError(`change.add[${index}]`, `node "${node.id}" is already in the fleet`);
    after.add(node.id);
  });
  if (after.size === 0) throw new InvalidOptionError('change', 'the fleet would have no node left');
  for (const [id, weight] of weights) {
    if (!after.has(id) || add.some((node) => node.id === id)) throw new InvalidOptionError(`change.weights.${id}`, `no node "${id}" stays in the fleet`);
    if (!Number.isFinite(weight) || weight <= 0) throw new InvalidOptionError(`change.weights.${id}`, `weight must be a positive number, got ${String(weight)}`);
  }
  return { add, remove, weights };
}

/** The change that turns `current` into `desired` (for `setNodes`). */
export function changeTo(current: readonly NodeAddress[], desired: readonly NodeSpec[]): MembershipChange {
  const wanted = parseNodeList(desired, 'nodes');
  const now = new Map(current.map((node) => [node.id, node]));
  const next = new Map(wanted.map((node) => [node.id, node]));
  const add = wanted.filter((node) => !now.has(node.id)).map(({ host, port, weight, id }) => ({ host, port, weight, ...(id === `${host}:${port}` ? {} : { name: id }) }));
  const remove = current.filter((node) => !next.has(node.id)).map((node) => node.id);
  const weights: Record<string, number> = {};
  for (const node of wanted) {
    const before = now.get(node.id);
    if (before !== undefined && before.weight !== node.weight) weights[node.id] = node.weight;
  }
  return { add, remove, weights };
}

/** The node list `change` leaves of `current` (for a source that stores lists: etcd). */
export function nodesAfter(current: readonly NodeAddress[], change: MembershipChange): NodeSpec[] {
  const resolved = resolveChange(change, new Set(current.map((node) => node.id)));
  const removed = new Set(resolved.remove);
  return [...current.filter((node) => !removed.has(node.id)), ...resolved.add].map(({ id, host, port, weight: before }) => {
    const weight = resolved.weights.get(id) ?? before;
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    // The short string form where it says everything (it takes whole weights only).
    if (id !== address || !Number.isInteger(weight)) return { host, port, weight, ...(id === address ? {} : { name: id }) };
    return weight === 1 ? address : `${address}:${weight}`;
  });
}
