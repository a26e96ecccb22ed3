import { InvalidConfigError } from './errors.js';
import type { HashOption, ResolvedHash } from './internal/hash-option.js';
import { resolveHash } from './internal/hash-option.js';
import { LabelWriter } from './internal/labels.js';
import { MultiProbeRing } from './internal/multi-probe-ring.js';
import { nativeSpec } from './internal/native-spec.js';
import { integerWeight, nativeNodes } from './internal/nodes.js';
import { buildProbeCircle } from './internal/probe-circle.js';
import type { Ring, RingNode, RingNodeInput } from './ring.js';

/**
 * Options of the multi-probe ring.
 *
 * @example
 * const options: MultiProbeOptions = { probes: 21 };
 */
export interface MultiProbeOptions {
  /** Probes per key (default 21: the paper's 1.05 peak-to-mean). More probes, better balance, slower lookups. */
  readonly probes?: number;
  /** Hash of keys and of point labels `"<name or id>-<i>"` (default `'murmur3'`). */
  readonly hash?: HashOption;
}

const MAX_POINTS = 2 ** 20;

function probesOption(value: unknown): number {
  if (value === undefined) return 21;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 1024) {
    throw new InvalidConfigError('probes', `expected an integer in [1, 1024], got ${String(value)}`);
  }
  return value;
}

function build(nodes: readonly RingNode[], probes: number, hash: ResolvedHash): Ring {
  const values: number[] = [];
  const owners: number[] = [];
  nodes.forEach((node, owner) => {
    const label = new LabelWriter(`${node.name ?? node.id}-`);
    for (let i = 0; i < node.weight; i++) {
      values.push(hash.bytes(label.bytes, 0, label.write(i)) >>> 0);
      owners.push(owner);
    }
  });
  if (values.length > MAX_POINTS) throw new InvalidConfigError('weights', `${values.length} points exceed the limit of ${MAX_POINTS}`);
  const rebuild = (next: readonly RingNode[]): Ring => build(nativeNodes(next, integerWeight), probes, hash);
  return new MultiProbeRing(nativeSpec('multi-probe', nodes, hash, integerWeight, rebuild), buildProbeCircle(values, owners, hash.range), probes);
}

/**
 * Multi-probe consistent hashing (Appleton and O'Reilly 2015): one point per node (an integer
 * weight w gives w points, `hash("<name or id>-<i>")`), and `probes` probes per key, all derived
 * from one hash of the key; the key goes to the point nearest after any probe. Balance close to
 * a ring with hundreds of points per node, in a few bytes per node. Adding a node moves keys only
 * to it and removing one moves only its keys (to `locateN`'s second choice). `shareOf` is the
 * exact expected share for independent uniform probes, and `diff` of two multi-probe rings the
 * exact expected flows under the same model (`exact: false`), integrated in closed form.
 *
 * @example
 * const ring = multiProbeRing(['a:11211', 'b:11211', 'c:11211'], { probes: 21 });
 * ring.locate('user:42');
 */
export function multiProbeRing(nodes: readonly RingNodeInput[], options: MultiProbeOptions = {}): Ring {
  const probes = probesOption(options.probes);
  const hash = resolveHash(options.hash);
  return build(nativeNodes(nodes, integerWeight), probes, hash);
}
