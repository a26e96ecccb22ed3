import { DuplicateNodeError, InvalidConfigError, InvalidServerError, InvalidWeightError, RingEmptyError } from '../errors.js';
import type { RingNode } from '../ring.js';

/** Validates one weight; the rule differs per algorithm (ketama: any finite > 0, slots: integers). */
export type WeightCheck = (id: string, weight: unknown) => number;

/** Any finite number > 0 (native ketama: points are `round(weight * pointsPerWeight)`). */
export const positiveWeight: WeightCheck = (id, weight) => {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new InvalidWeightError(id, weight);
  return weight;
};

/** An integer >= 1 (a count of slots, or a weight twemproxy/libmemcached read as an integer). */
export const integerWeight: WeightCheck = (id, weight) => {
  if (typeof weight !== 'number' || !Number.isSafeInteger(weight) || weight <= 0) {
    throw new InvalidWeightError(id, weight, 'must be an integer >= 1');
  }
  return weight;
};

// "host:port:weight [name]", the form operators already write in twemproxy and libmemcached configs.
const SERVER_LINE = /^(.+):(\d{1,5}):(\d+(?:\.\d+)?)(?: (\S+))?$/;

/**
 * A native ring's node from a string or object: `"id"`, `"host:port"` (an id with a colon),
 * `"host:port:weight"` or `"host:port:weight name"`; objects default to weight 1.
 */
export function nativeNode(input: unknown, checkWeight: WeightCheck): RingNode {
  if (typeof input === 'string') {
    if (input.length === 0) throw new InvalidServerError(input, 'a node id cannot be empty');
    const m = SERVER_LINE.exec(input);
    if (m === null) return { id: input, weight: checkWeight(input, 1) };
    const [, host = '', port = '', weight = '', name] = m;
    const id = `${host}:${port}`;
    const node = { id, weight: checkWeight(id, Number(weight)) };
    return name === undefined ? node : { ...node, name };
  }
  if (typeof input !== 'object' || input === null) {
    throw new InvalidServerError(String(input), 'a node is a string or an object with an "id"');
  }
  const { id, weight = 1, name } = input as { id?: unknown; weight?: unknown; name?: unknown };
  if (typeof id !== 'string' || id.length === 0) {
    throw new InvalidServerError(JSON.stringify(input), '"id" must be a non-empty string');
  }
  const node = { id, weight: checkWeight(id, weight) };
  if (name === undefined) return node;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidServerError(id, '"name" must be a non-empty string');
  return { ...node, name };
}

/** Code-unit order of ids: a total order that is the same in every process (the tie rule). */
export function compareIds(a: RingNode, b: RingNode): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Validates a node list given to a native ring: an array, non-empty, ids and names unique.
 * Returns the nodes sorted by id, so insertion order never matters.
 */
export function nativeNodes(inputs: unknown, checkWeight: WeightCheck): RingNode[] {
  if (!Array.isArray(inputs)) throw new InvalidConfigError('nodes', 'expected an array of nodes');
  if (inputs.length === 0) throw new RingEmptyError('A ring needs at least one node; got an empty node list');
  const nodes = inputs.map((input: unknown) => nativeNode(input, checkWeight)).sort(compareIds);
  assertUnique(nodes);
  return nodes;
}

/** Throws ERR_DUPLICATE_NODE for a repeated id, or a repeated point name. */
export function assertUnique(nodes: readonly RingNode[]): void {
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const node of nodes) {
    if (ids.has(node.id)) throw new DuplicateNodeError(node.id);
    ids.add(node.id);
    const name = node.name ?? node.id;
    if (names.has(name)) throw new DuplicateNodeError(name, 'name');
    names.add(name);
  }
}
