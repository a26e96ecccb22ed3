import { InvalidConfigError } from './errors.js';
import { ContinuumRing } from './internal/continuum-ring.js';
import type { Continuum } from './internal/continuum.js';
import { PointList } from './internal/ketama-points.js';
import type { HashOption, ResolvedHash } from './internal/hash-option.js';
import { resolveHash } from './internal/hash-option.js';
import { labelHasher } from './internal/label-hasher.js';
import { nativeSpec } from './internal/native-spec.js';
import { nativeNodes, positiveWeight } from './internal/nodes.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

/**
 * Options of the native ketama ring.
 *
 * @example
 * const options: KetamaOptions = { pointsPerWeight: 160, hash: 'murmur3' };
 */
export interface KetamaOptions {
  /** Points on the circle per unit of weight (default 160, as ketama). */
  readonly pointsPerWeight?: number;
  /** Hash of keys and of point labels (default `'murmur3'`). */
  readonly hash?: HashOption;
}

// Keeps a build bounded: 2^26 points is ~400,000 nodes at weight 1, or absurd weights.
const MAX_POINTS = 2 ** 26;

function pointsPerWeightOption(value: unknown): number {
  if (value === undefined) return 160;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 65536) {
    throw new InvalidConfigError('pointsPerWeight', `expected an integer in [1, 65536], got ${String(value)}`);
  }
  return value;
}

/** A separate function so no closure kept by the ring captures the build arrays. */
function nativeContinuum(nodes: readonly RingNode[], perWeight: number, hash: ResolvedHash): Continuum {
  const counts = nodes.map((node) => Math.max(1, Math.round(node.weight * perWeight)));
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total > MAX_POINTS) {
    throw new InvalidConfigError('weights', `${total} points exceed the limit of ${MAX_POINTS}; lower the weights or pointsPerWeight`);
  }
  const points = new PointList(total);
  // Owners are numbered in id order (nodes come sorted), so equal points resolve to the smaller id.
  nodes.forEach((node, owner) => {
    const hashLabel = labelHasher(hash, `${node.name ?? node.id}-`);
    for (let i = 0; i < (counts[owner] ?? 0); i++) points.add(hashLabel(i), owner);
  });
  return points.build(nodes.length);
}

function build(nodes: readonly RingNode[], perWeight: number, hash: ResolvedHash): Ring {
  const rebuild = (next: readonly RingNode[]): Ring => build(nativeNodes(next, positiveWeight), perWeight, hash);
  return new ContinuumRing(nativeSpec('ketama', nodes, hash, positiveWeight, rebuild), nativeContinuum(nodes, perWeight, hash));
}

/**
 * The native consistent-hash ring: each node gets `round(weight * pointsPerWeight)` points
 * (at least one) at `hash("<name or id>-<i>")` for i = 0, 1, ...; a key belongs to the first point
 * at or after `hash(key)`, wrapping past the top. Equal points go to the node with the smaller id
 * (code-unit order), so the ring depends only on the node set, never on insertion order. Removing
 * a node moves exactly its keys; no key moves between the other nodes.
 *
 * @example
 * const ring = ketamaRing(['10.0.0.1:11211', '10.0.0.2:11211', { id: '10.0.0.3:11211', weight: 2 }]);
 * ring.locate('user:42');       // e.g. '10.0.0.3:11211'
 * ring.locateN('user:42', 2);   // owner, then its clockwise successor
 */
export function ketamaRing(nodes: readonly RingNodeInput[], options: KetamaOptions = {}): Ring {
  const perWeight = pointsPerWeightOption(options.pointsPerWeight);
  const hash = resolveHash(options.hash);
  return build(nativeNodes(nodes, positiveWeight), perWeight, hash);
}
